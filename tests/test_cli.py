"""The command line: an end-to-end run, and the errors a user meets."""

import json

import pytest
import torch
import yaml

from gankit.errors import UnknownNameError


def test_train_sample_resume_end_to_end(cli, tmp_path, tiny_dcgan, capsys):
    out = tmp_path / "runs"
    assert cli("train", "dcgan", "--name", "e2e", "--steps", 20, *tiny_dcgan) == 0
    run = out / "dcgan" / "e2e"
    assert yaml.safe_load((run / "config.yaml").read_text())["train"]["steps"] == 20
    assert (run / "samples" / "step_000020.png").exists()

    assert cli("sample", run, "-n", 9, "--seed", 3) == 0
    first = (run / "samples" / "sample_seed3.png").read_bytes()
    assert cli("sample", run, "-n", 9, "--seed", 3, "--out", tmp_path / "again.png") == 0
    assert (tmp_path / "again.png").read_bytes() == first  # same seed, same picture
    assert cli("sample", run, "-n", 16, "--interpolate", "--out", tmp_path / "walk.png") == 0
    assert (tmp_path / "walk.png").exists()

    assert cli("train", "--resume", run, "--steps", 30) == 0
    assert torch.load(run / "checkpoints" / "last.pt", weights_only=True)["step"] == 30
    assert yaml.safe_load((run / "config.yaml").read_text())["train"]["steps"] == 30
    assert "Run finished" in capsys.readouterr().out


def test_list_shows_every_kind_with_descriptions(cli, capsys):
    assert cli("list") == 0
    out = capsys.readouterr().out
    for word in ("Methods", "Datasets", "Losses", "Metrics", "dcgan", "ring8", "nonsaturating"):
        assert word in out
    assert "DCGAN (Radford et al. 2015)" in out


def test_list_shows_loss_and_regularizer_options_with_defaults(cli, capsys):
    assert cli("list") == 0
    out = " ".join(capsys.readouterr().out.split())  # the table wraps long lines
    assert "at='interpolates'" in out  # gradient_penalty
    assert "perturbation='gaussian'" in out and "scaling='thesis'" in out
    assert "halved=True" in out  # least_squares
    assert "[-clip, clip]" in out  # brackets in a description are text, not markup


def test_config_prints_loadable_defaults(cli, capsys):
    assert cli("config", "dcgan") == 0
    data = yaml.safe_load(capsys.readouterr().out)
    assert data["method"] == "dcgan" and data["optim"]["generator"]["lr"] == 2e-4


def error_of(cli, capsys, *args):
    code = cli(*args)
    err = capsys.readouterr().err
    assert code == 2, err
    assert "Traceback" not in err
    return err


def test_unknown_method(cli, capsys):
    err = error_of(cli, capsys, "train", "dcgna")
    assert "Unknown method 'dcgna'. Did you mean 'dcgan'?" in err and "gan" in err


def test_config_typo(cli, capsys, tiny_dcgan):
    err = error_of(cli, capsys, "train", "dcgan", *tiny_dcgan, "train.stesp=3")
    assert "Did you mean 'train.steps'?" in err


def test_missing_mnist_offline(cli, capsys, tmp_path, tiny_dcgan, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("GANKIT_DATA", raising=False)
    err = error_of(
        cli,
        capsys,
        "train",
        "dcgan",
        *tiny_dcgan,
        "--data",
        "mnist",
        "--data-dir",
        tmp_path / "d",
        "data.download=false",
    )
    assert "train-images-idx3-ubyte.gz" in err and str(tmp_path / "d") in err


def test_empty_folder(cli, capsys, tmp_path, tiny_dcgan):
    (tmp_path / "empty").mkdir()
    err = error_of(cli, capsys, "train", "dcgan", *tiny_dcgan, "--data", tmp_path / "empty")
    assert "empty" in err.lower() or "no image" in err.lower()
    assert not (tmp_path / "runs" / "dcgan").exists() or not any(
        (tmp_path / "runs" / "dcgan").iterdir()
    )


def test_existing_run_name_is_refused(cli, capsys, tiny_dcgan, tmp_path):
    assert cli("train", "dcgan", "--name", "taken", "--steps", 1, *tiny_dcgan) == 0
    err = error_of(cli, capsys, "train", "dcgan", "--name", "taken", "--steps", 1, *tiny_dcgan)
    assert "already exists" in err and "--resume" in err


def test_debug_shows_the_traceback(tiny_dcgan):
    from gankit.cli import main

    with pytest.raises(UnknownNameError, match="Unknown method"):
        main(["--debug", "train", "dcgna"])


def test_runs_without_a_name_get_fresh_ones(cli, tiny_dcgan, tmp_path):
    for _ in range(2):
        assert cli("train", "dcgan", "--steps", 1, *tiny_dcgan) == 0
    assert len(list((tmp_path / "runs" / "dcgan").iterdir())) == 2


def test_version_prints_the_package_version(cli, capsys):
    from gankit import __version__

    assert cli("--version") == 0
    assert capsys.readouterr().out.strip() == f"gankit {__version__}"


@pytest.mark.parametrize(
    "args",
    [("sample", "RUN", "-n", "0"), ("sample", "RUN", "-n", "-3"), ("evaluate", "RUN", "--n", "1"),
     ("refine", "RUN", "-n", "1")],
)  # fmt: skip
def test_sample_counts_below_what_the_command_needs_are_one_line(cli, capsys, tmp_path, args):
    run = tmp_path / "run"
    run.mkdir()
    code = cli(*[str(run) if a == "RUN" else a for a in args])
    assert code == 2
    err = capsys.readouterr().err
    assert "is not in the range" in err and "Traceback" not in err


def test_train_says_what_it_trains_where_before_it_starts(cli, capsys, tmp_path, tiny_dcgan):
    assert cli("train", "dcgan", "--steps", "2", "--name", "said", *tiny_dcgan) == 0
    err = capsys.readouterr().err
    run = tmp_path / "runs" / "dcgan" / "said"
    assert "Training dcgan on " in err and f"cpu, into {run}" in err
    assert cli("train", "--resume", run, "--steps", "3") == 0
    assert f"Resuming {run} at step 2 of 3, cpu" in capsys.readouterr().err
    env = json.loads((run / "env.json").read_text())
    assert env["device_name"].endswith("cores")


def test_info_messages_of_the_library_reach_stderr(cli, capsys):
    import logging

    assert cli("--version") == 0
    logging.getLogger("gankit.data.download").info("Downloading x.gz from http://example")
    assert "Downloading x.gz from http://example" in capsys.readouterr().err
    assert cli("--version") == 0  # a second call adds no second handler
    logging.getLogger("gankit.metrics").info("once")
    assert capsys.readouterr().err.count("once") == 1
