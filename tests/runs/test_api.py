"""gankit.train / load / evaluate and the Run object: the Python entry points."""

from __future__ import annotations

import subprocess
import sys

import pytest
import torch

import gankit
from gankit.errors import ConfigError
from gankit.metrics import periodic
from gankit.metrics.features import FeatureExtractor


@pytest.fixture
def dcgan_run(tiny_dcgan):
    """A tiny DCGAN trained into tmp_path/runs/dcgan/a (the shared ``tiny_dcgan`` overrides)."""
    return gankit.train("dcgan", data="digits", steps=2, name="a", overrides=tiny_dcgan)


def test_train_returns_the_run_and_a_seed_gives_the_same_samples(dcgan_run, tmp_path):
    assert dcgan_run.path == tmp_path / "runs" / "dcgan" / "a"
    assert dcgan_run.config.method == "dcgan" and dcgan_run.data == "digits"
    images = dcgan_run.sample(5, seed=1)
    assert images.shape == (5, 1, 16, 16) and images.abs().max() <= 1
    assert torch.equal(images, dcgan_run.sample(5, seed=1))
    assert not torch.equal(images, dcgan_run.sample(5, seed=2))
    again = gankit.load(tmp_path / "runs" / "dcgan" / "a")  # as another process would
    assert torch.equal(again.sample(5, seed=1), images)
    assert torch.equal(dcgan_run.sample(300, seed=1, batch_size=7)[:5], images)


def test_the_logged_metrics_and_a_checkpoint_file_load(dcgan_run):
    steps = [record["step"] for record in dcgan_run.metrics if "d_loss" in record]
    assert steps[-1] == 2
    checkpoint = dcgan_run.path / "checkpoints" / "last.pt"
    assert gankit.load(checkpoint).path == dcgan_run.path


def test_overrides_are_a_mapping_or_key_value_strings(tmp_path):
    run = gankit.train(
        "dcgan",
        data="digits",
        name="m",
        out=tmp_path,
        overrides={
            "data.image_size": 16,
            "data.batch_size": 16,
            "generator.width": 8,
            "discriminator.width": 8,
            "z_dim": 8,
            "train.progress": False,
            "train.steps": 1,
        },
    )
    assert run.config.train.steps == 1 and run.config.generator["width"] == 8
    with pytest.raises(ConfigError, match="wrap it in a list"):
        gankit.train("dcgan", overrides="train.steps=1")


def test_capabilities_the_method_lacks_are_refused_in_one_line(dcgan_run):
    with pytest.raises(ConfigError, match="does not translate.*run.sample"):
        dcgan_run.translate(torch.zeros(1, 1, 16, 16))
    with pytest.raises(ConfigError, match="has no encoder.*bigan"):
        dcgan_run.encode(torch.zeros(1, 1, 16, 16))
    with pytest.raises(ConfigError, match="at least one sample"):
        dcgan_run.sample(0)


def test_a_translation_run_translates_and_does_not_sample(tmp_path):
    run = gankit.train(
        "pix2pix",
        steps=1,
        name="p",
        out=tmp_path,
        overrides=[
            "data.image_size=32",
            "data.options={count: 4, crop: 64}",
            "data.batch_size=2",
            "train.progress=false",
            "train.num_samples=2",
            "generator={width: 8}",
            "discriminator={width: 8, receptive_field: 16}",
        ],
    )
    assert run.translate(torch.zeros(2, 3, 32, 32)).shape == (2, 3, 32, 32)
    with pytest.raises(ConfigError, match="run.translate"):
        run.sample(2)


def test_a_bigan_run_encodes_images_to_its_latent_size(tmp_path):
    run = gankit.train(
        "bigan",
        data="digits",
        steps=1,
        name="b",
        out=tmp_path,
        overrides=[
            "generator.width=16",
            "discriminator.width=16",
            "encoder.width=16",
            "z_dim=6",
            "train.progress=false",
            "data.batch_size=8",
        ],  # fmt: skip
    )
    images = run.sample(3, seed=0)
    assert run.encode(images).shape == (3, 6)


def test_evaluating_features_is_the_frechet_distance_by_hand():
    # One feature: FID = (m1 - m2)^2 + v1 + v2 - 2 sqrt(v1 v2), with unbiased variances.
    real = torch.tensor([[0.0], [2.0], [4.0]])  # mean 2, variance 4
    fake = torch.tensor([[1.0], [2.0], [3.0]])  # mean 2, variance 1
    result = gankit.evaluate(fake, ["fid"], reference=real)
    assert result["fid"]["value"] == pytest.approx(4 + 1 - 2 * 2)
    with pytest.raises(ConfigError, match="reference="):
        gankit.evaluate(fake, ["fid"])
    with pytest.raises(ConfigError, match="apply to runs only"):
        gankit.evaluate(fake, ["fid"], reference=real, n=10)


class MeanColour(FeatureExtractor):
    name, weights_sha256, resize, feature_dim = "mean-colour", "0" * 64, "none", 2

    def forward(self, images):
        return torch.stack([images.mean((1, 2, 3)), images.std((1, 2, 3))], 1), None


def test_evaluating_a_run_writes_its_eval_file(dcgan_run, monkeypatch):
    monkeypatch.setattr(periodic, "build_extractor", lambda *a, **k: MeanColour(batch_size=8))
    scores = gankit.evaluate(dcgan_run, ["fid", "kid"], n=20)
    assert scores["fid"]["value"] > 0 and scores["fid"]["protocol"]["num_generated"] == 20
    assert (dcgan_run.path / "eval" / "2.json").is_file()
    with pytest.raises(ConfigError, match="for samples"):
        gankit.evaluate(dcgan_run, ["fid"], reference=torch.zeros(2, 1))


def test_import_gankit_stays_light_and_lists_its_api():
    code = "import sys, gankit; print('torch' in sys.modules, sorted(gankit.__all__))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split(" ", 1)[0] == "False"
    assert {"train", "load", "evaluate", "Run"} <= set(dir(gankit))
    with pytest.raises(AttributeError, match="no attribute 'trian'"):
        gankit.trian  # noqa: B018


@pytest.mark.parametrize("n", ["4", None, 2.5, True])
def test_sample_wants_a_whole_number(dcgan_run, n):
    with pytest.raises(ConfigError, match="whole number"):
        dcgan_run.sample(n)


def test_sample_wants_an_integer_seed(dcgan_run):
    with pytest.raises(ConfigError, match="seed"):
        dcgan_run.sample(2, seed="a")


@pytest.mark.parametrize("path", [None, 5])
def test_load_wants_a_path(path):
    with pytest.raises(ConfigError, match="a run folder"):
        gankit.load(path)


def test_one_metric_may_be_named_alone(dcgan_run, monkeypatch):
    monkeypatch.setattr(periodic, "build_extractor", lambda *a, **k: MeanColour(batch_size=8))
    assert list(gankit.evaluate(dcgan_run, "fid", n=20)) == ["fid"]


def test_images_of_the_wrong_shape_are_refused_before_the_net(tmp_path):
    run = gankit.train("pix2pix", steps=1, name="p", out=tmp_path,
                       overrides=["data.image_size=32", "data.options={count: 4, crop: 64}",
                                  "data.batch_size=2", "train.progress=false",
                                  "generator={width: 2}",
                                  "discriminator={width: 2, receptive_field: 16}"])  # fmt: skip
    for images in (torch.zeros(2, 5, 32, 32), torch.zeros(3, 32, 32)):
        with pytest.raises(ConfigError, match=r"\(N, 3, H, W\)"):
            run.translate(images)
    with pytest.raises(ConfigError, match="a torch.Tensor"):
        run.translate(torch.zeros(1, 3, 32, 32).numpy())


@pytest.mark.parametrize("n", [0, -5, 1, 2.5])
def test_evaluate_wants_at_least_two_images(dcgan_run, n):
    with pytest.raises(ConfigError, match="at least 2"):
        gankit.evaluate(dcgan_run, ["fid"], features="classifier", n=n)
