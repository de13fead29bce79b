"""`gankit evaluate` and `eval.every`: the metrics reach the CLI and the training loop."""

import json

import pytest
import torch
from PIL import Image

from gankit.errors import ConfigError
from gankit.runs.launch import resolve_config, start
from gankit.training.logger import read_metrics
from gankit.training.run_folder import RunFolder


def test_training_logs_metrics_every_n_steps(tiny_dcgan, fast_extractor):
    overrides = [
        *tiny_dcgan,
        "train.steps=6",
        "eval.every=3",
        "eval.n=40",
        "eval.metrics=[fid, kid]",
    ]
    run = start(resolve_config("dcgan", None, overrides))
    evaluated = [r for r in read_metrics(run) if "eval/fid" in r]
    assert [r["step"] for r in evaluated] == [3, 6]
    assert all(r["eval/fid"] > 0 and "eval/kid" in r for r in evaluated)


def test_eval_every_refuses_toy_data(tmp_path):
    overrides = ["data.name=ring8", "data.options.n_samples=256", "eval.every=2", f"out={tmp_path}"]
    with pytest.raises(ConfigError, match="mode coverage"):
        start(resolve_config("gan", None, overrides))


def test_cli_evaluate_prints_values_with_their_protocol(
    cli, tiny_dcgan, fast_extractor, tmp_path, capsys
):
    assert cli("train", "dcgan", "--name", "e", "--steps", 2, *tiny_dcgan) == 0
    run = tmp_path / "runs" / "dcgan" / "e"
    assert cli("evaluate", run, "--metrics", "fid,is", "--n", 30) == 0
    out = capsys.readouterr().out
    assert "dcgan at step 2" in out and "fid" in out and "30 generated" in out
    document = json.loads((run / "eval" / "2.json").read_text())
    assert set(document["metrics"]) == {"fid", "is"} == set(document["updated"])
    assert "eval/is" in read_metrics(RunFolder(run))[-1]
    # a later evaluation of another metric keeps the earlier ones, and says which are which
    assert cli("evaluate", run, "--metrics", "kid", "--n", 30) == 0
    out = capsys.readouterr().out
    new, _, kept = out.partition("kept from an earlier evaluation")
    assert "kid" in new and "fid" not in new and "fid" in kept and "is " in kept
    document = json.loads((run / "eval" / "2.json").read_text())
    assert set(document["metrics"]) == {"fid", "is", "kid"} and document["updated"] == ["kid"]


def test_cli_evaluate_compares_two_folders(cli, tmp_path, fast_extractor, capsys):
    for name, shade in (("real", 40), ("fake", 200)):
        folder = tmp_path / name
        folder.mkdir()
        for i in range(6):
            Image.new("L", (8, 8), shade + i).save(folder / f"{i}.png")
    assert cli("evaluate", "--real", tmp_path / "real", "--fake", tmp_path / "fake") == 0
    assert "fid" in capsys.readouterr().out


@pytest.mark.parametrize("alone", ["real", "fake"])
def test_cli_evaluate_wants_two_images_a_folder(cli, tmp_path, fast_extractor, capsys, alone):
    for name in ("real", "fake"):
        folder = tmp_path / name
        folder.mkdir()
        for i in range(1 if name == alone else 4):
            Image.new("L", (8, 8), 40 * i).save(folder / f"{i}.png")
    capsys.readouterr()
    assert cli("evaluate", "--real", tmp_path / "real", "--fake", tmp_path / "fake") == 2
    err = capsys.readouterr().err
    assert f"--{alone}" in err and "at least 2" in err and "Traceback" not in err


def test_cli_evaluate_needs_a_run_or_two_folders(cli, capsys):
    assert cli("evaluate") == 2
    assert "RUN_DIR" in capsys.readouterr().err


def digit_folder(path, images):
    path.mkdir()
    for i, image in enumerate(images):
        pixels = ((image[0] + 1) * 127.5).round().clamp(0, 255).to(torch.uint8).numpy()
        Image.fromarray(pixels, mode="L").save(path / f"{i:03d}.png")
    return path


def test_cli_evaluate_compares_two_folders_with_a_domain_classifier(cli, tmp_path, capsys):
    from gankit.config import DataConfig
    from gankit.data import build_dataset
    from gankit.metrics.classifier import classifier_extractor

    classifier_extractor(DataConfig(name="digits", image_size=8), train_images=2560)  # cached
    digits = build_dataset(DataConfig(name="digits")).tensors[0]
    real = digit_folder(tmp_path / "real", digits[:60])
    alike = digit_folder(tmp_path / "alike", digits[60:120])
    noise = digit_folder(tmp_path / "noise", torch.rand(60, 1, 8, 8) * 2 - 1)
    scores = {}
    for name, fake in (("alike", alike), ("noise", noise)):
        capsys.readouterr()
        assert cli("evaluate", "--real", real, "--fake", fake, "--features", "classifier",
                   "--classifier", "digits") == 0  # fmt: skip
        out = capsys.readouterr().out
        assert "classifier-digits-8" in out
        scores[name] = float(out.split("fid")[1].split()[0])
    assert scores["alike"] < scores["noise"] / 5  # held-out digits are far closer than noise


def test_folder_classifier_features_need_the_dataset_and_runs_refuse_it(cli, tmp_path, capsys):
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        Image.new("L", (8, 8), 9).save(tmp_path / name / "0.png")
    assert cli("evaluate", "--real", tmp_path / "a", "--fake", tmp_path / "b",
               "--features", "classifier") == 2  # fmt: skip
    assert "--classifier mnist" in capsys.readouterr().err
    assert cli("evaluate", "--real", tmp_path / "a", "--fake", tmp_path / "b",
               "--classifier", "mnist") == 2  # fmt: skip
    assert "--features classifier only" in capsys.readouterr().err
    assert cli("evaluate", tmp_path / "a", "--classifier", "mnist") == 2
    assert "for --real/--fake folders" in capsys.readouterr().err


def test_cli_evaluate_passes_the_resize_protocol_and_image_size(
    cli, tmp_path, pixel_features, monkeypatch, capsys
):
    from gankit.runs import evaluate as evaluation

    asked = {}

    def extractor(*args, **kwargs):
        asked.update(kwargs)
        return pixel_features

    monkeypatch.setattr(evaluation, "inception_extractor", extractor)
    for name in ("real", "fake"):
        (tmp_path / name).mkdir()
        for i in range(4):
            Image.new("RGB", (10, 10), (60 * i, 30, 200)).save(tmp_path / name / f"{i}.png")
    folders = ("--real", tmp_path / "real", "--fake", tmp_path / "fake")
    assert cli("evaluate", *folders, "--resize", "tf", "--image-size", 6) == 0
    assert asked["resize"] == "tf"
    assert "resized from 10x10 to 6x6" in capsys.readouterr().out
    assert cli("evaluate", *folders, "--resize", "bicubic") == 2
    assert "'bicubic' is not one of 'pytorch', 'tf', 'clean'" in capsys.readouterr().err


def test_cli_evaluate_refuses_a_folder_option_with_a_run(cli, tiny_dcgan, tmp_path, capsys):
    assert cli("train", "dcgan", "--name", "e", "--steps", 1, *tiny_dcgan) == 0
    assert cli("evaluate", tmp_path / "runs" / "dcgan" / "e", "--image-size", 8) == 2
    assert "--image-size are for --real/--fake folders" in capsys.readouterr().err


def test_cli_evaluate_names_the_option_of_an_empty_folder(cli, tmp_path, capsys):
    (tmp_path / "real").mkdir(), (tmp_path / "empty").mkdir()
    Image.new("L", (8, 8), 40).save(tmp_path / "real" / "0.png")
    assert cli("evaluate", "--real", tmp_path / "real", "--fake", tmp_path / "empty") == 2
    err = capsys.readouterr().err
    assert err.startswith("error: --fake: ") and "holds no images" in err
    assert "data.name" not in err
