"""`gankit sample --label / --per-class / --traverse` and `gankit encode` on tiny trained runs."""

import numpy as np
import pytest
from PIL import Image

TRAIN = ["--steps", 2, "data.image_size=16", "data.batch_size=16", "train.progress=false",
         "train.tensorboard=false", "train.num_samples=20"]  # fmt: skip
TINY = {
    "cgan": ["generator.width=8", "discriminator.width=8", "z_dim=8"],
    "infogan": ["generator.width=8", "discriminator.width=8", "z_dim=8"],
    "bigan": ["generator.width=16", "discriminator.width=16", "encoder.width=16", "z_dim=8"],
}


pytestmark = pytest.mark.usefixtures("one_thread")


@pytest.fixture
def trained(cli, tmp_path):
    def train(method):
        assert cli("train", method, "--out", tmp_path, "--name", "t", *TRAIN, *TINY[method]) == 0
        return tmp_path / method / "t"

    return train


def is_grid(path, rows, columns, size=16, padding=2):
    """Whether ``path`` is a grid of rows x columns size-px images (upscaled by a whole factor)."""
    width, height = (n * (size + padding) + padding for n in (columns, rows))
    picture = Image.open(path)
    factor = picture.width // width
    return factor >= 1 and picture.size == (width * factor, height * factor)


def test_class_grids_and_single_class_samples(cli, trained, tmp_path, capsys):
    run = trained("cgan")
    assert cli("sample", run, "--per-class", "-n", 30, "--out", tmp_path / "classes.png") == 0
    assert is_grid(tmp_path / "classes.png", 10, 3)  # one row per class
    # fewer samples than classes cannot give every class a row: one line, not a silent 10
    assert cli("sample", run, "--per-class", "-n", 5, "--out", tmp_path / "few.png") == 2
    assert "10 classes need -n 10 or more" in capsys.readouterr().err
    assert not (tmp_path / "few.png").exists()
    assert cli("sample", run, "--label", 3, "-n", 4) == 0
    assert (run / "samples" / "label3_seed0.png").exists()
    assert cli("sample", run, "--label", 12) == 2
    assert "0..9" in capsys.readouterr().err
    assert cli("sample", run, "--interpolate", "-n", 16, "--out", tmp_path / "walk.png") == 0


def test_latent_traversals(cli, trained, tmp_path, capsys):
    run = trained("infogan")
    args = ["--traverse", "c1", "--range", -2, 2, "--steps", 7, "--out", tmp_path / "c1.png"]
    assert cli("sample", run, *args) == 0
    assert is_grid(tmp_path / "c1.png", 10, 7)  # rows are the 10 categories
    assert cli("sample", run, "--traverse", "cat1", "--out", tmp_path / "cat.png") == 0
    assert is_grid(tmp_path / "cat.png", 10, 10)
    assert cli("sample", run, "--traverse", "c3") == 2
    assert "Valid latent codes: c1, c2, cat1" in capsys.readouterr().err
    assert cli("sample", run, "--traverse", "c1", "--per-class") == 2


def test_flags_need_a_method_that_supports_them(cli, trained, capsys):
    run = trained("bigan")
    assert cli("sample", run, "--label", 1) == 2
    assert "--label needs a run whose generator takes class labels" in capsys.readouterr().err
    assert cli("sample", run, "--traverse", "c1") == 2


def test_encode_writes_features_and_labels(cli, trained, tmp_path, capsys):
    run = trained("bigan")
    out = tmp_path / "feats.npy"
    assert cli("encode", run, "--split", "train", "--limit", 40, "--out", out) == 0
    features, labels = np.load(out), np.load(tmp_path / "feats_labels.npy")
    assert features.shape == (40, 8) and features.dtype == np.float32
    assert labels.shape == (40,) and set(labels) <= set(range(10))
    assert cli("encode", run, "--split", "test", "--out", out) == 2  # digits have no test split
    assert "no 'test' split" in capsys.readouterr().err


def test_encode_needs_an_encoder(cli, trained, tmp_path, capsys):
    run = trained("cgan")
    assert cli("encode", run, "--split", "train", "--out", tmp_path / "f.npy") == 2
    assert "has no encoder" in capsys.readouterr().err


def test_samples_as_png_files_or_one_npz(cli, trained, tmp_path, capsys):
    run = trained("cgan")
    assert cli("sample", run, "-n", 5, "--format", "png-dir", "--out", tmp_path / "png") == 0
    files = sorted((tmp_path / "png").iterdir())
    assert [f.name for f in files] == [f"{i:06d}.png" for i in range(5)]
    assert Image.open(files[0]).size == (16, 16) and Image.open(files[0]).mode == "L"
    assert cli("sample", run, "-n", 5, "--format", "npz", "--out", tmp_path / "s") == 0
    arrays = np.load(tmp_path / "s.npz")["arr_0"]
    assert arrays.shape == (5, 16, 16, 1) and arrays.dtype == np.uint8
    assert np.array_equal(arrays[0, :, :, 0], np.asarray(Image.open(files[0])))
    capsys.readouterr()
    assert cli("sample", run, "-n", 5, "--format", "png-dir", "--out", tmp_path / "png") == 2
    assert "not an empty folder" in capsys.readouterr().err
    assert cli("sample", run, "--format", "npz") == 2
    assert "give --out" in capsys.readouterr().err
    labelled = tmp_path / "threes.npz"
    assert cli("sample", run, "-n", 3, "--label", 3, "--format", "npz", "--out", labelled) == 0
    assert np.load(labelled)["arr_0"].shape == (3, 16, 16, 1)


def test_png_samples_match_run_sample_for_the_same_seed(cli, trained, tmp_path):
    import gankit

    run = trained("bigan")
    assert cli("sample", run, "-n", 4, "--seed", 7, "--format", "npz", "--out", tmp_path / "b") == 0
    images = gankit.load(run).sample(4, seed=7)
    pixels = ((images.clamp(-1, 1) + 1) * 127.5).round().byte().permute(0, 2, 3, 1).numpy()
    assert np.array_equal(np.load(tmp_path / "b.npz")["arr_0"], pixels)
