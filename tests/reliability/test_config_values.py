"""Bad config values are refused when the config is resolved: one line, exit code 2, no run."""

import subprocess
import sys

import pytest
import yaml

pytestmark = pytest.mark.usefixtures("one_thread")


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        (
            "optim.generator.lr=-1",
            "optim.generator.lr=-1.0 is not allowed: the learning rate must be above 0. Set e.g. "
            "optim.generator.lr=0.0002.",
        ),
        (
            "train.log_every=0",
            "train.log_every=0 is not allowed: the steps between log lines must be at least 1. "
            "Set e.g. train.log_every=10.",
        ),
        ("train.sample_every=0", "train.sample_every=0 is not allowed"),
        ("train.checkpoint_every=0", "train.checkpoint_every=0 is not allowed"),
        ("optim.discriminator.betas=[0.5, 1.0]", "optim.discriminator.betas=[0.5, 1.0]"),
        ("data.batch_size=0", "data.batch_size=0 is not allowed"),
        ("train.steps=-5", "train.steps=-5 is not allowed"),
    ],
)
def test_a_bad_value_is_one_line_naming_key_value_and_fix(refused, tiny_dcgan, tmp_path,
                                                          override, expected):  # fmt: skip
    message = refused("train", "dcgan", "--name", "bad", *tiny_dcgan, override)
    assert message.startswith(expected)
    assert not (tmp_path / "runs").exists()  # refused before a folder was made


def test_a_bad_value_in_a_config_file_is_refused_alike(refused, tiny_dcgan, tmp_path):
    config_file = tmp_path / "c.yaml"
    config_file.write_text("method: dcgan\ntrain:\n  log_every: 0\n")
    message = refused("train", "--config", config_file, *tiny_dcgan)
    assert message.startswith("train.log_every=0 is not allowed")


def test_a_bad_override_at_resume_is_refused_and_the_run_is_untouched(cli, refused, tiny_dcgan,
                                                                      tmp_path):  # fmt: skip
    assert cli("train", "dcgan", "--name", "r", "--steps", 1, *tiny_dcgan) == 0
    run = tmp_path / "runs" / "dcgan" / "r"
    before = (run / "config.yaml").read_text()
    message = refused("train", "--resume", run, "--steps", 2, "train.log_every=0")
    assert message.startswith("train.log_every=0 is not allowed")
    assert (run / "config.yaml").read_text() == before


# What a subprocess runs: the command line on ARGS, then whether torch was ever imported.
WITHOUT_TORCH = """
import sys
from gankit.cli import main
try:
    main(sys.argv[1:])
except SystemExit as exit:
    print("exit", exit.code, "torch" in sys.modules)
"""


def refused_in_a_fresh_process(tmp_path, *args: object) -> tuple[str, str]:
    """(stdout's exit line, stderr) of ``gankit ARGS`` in a new Python, run in ``tmp_path``."""
    done = subprocess.run(
        [sys.executable, "-c", WITHOUT_TORCH, *map(str, args)],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    return done.stdout.strip(), done.stderr.strip()


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("dcgan", "optim.generator.lr=-1"), "error: optim.generator.lr=-1.0 is not allowed"),
        (("--config", "dcgan-mnist", "train.log_every=0"), "error: train.log_every=0 is not"),
        (("dcgan", "--steps", "-3"), "error: train.steps=-3 is not allowed"),
        (("dcgan", "--name", "../../escape"), "error: Run name '../../escape' (--name) is not"),
        (("dcgan", "eval.n=0"), "error: eval.n=0 is not allowed"),
        (("dcgan", "seed=-1e30"), "error: seed="),
    ],
)
def test_a_bad_value_is_refused_before_torch_is_imported(tmp_path, args, expected):
    # the answer comes in a fraction of a second where importing torch would take one or more
    out, err = refused_in_a_fresh_process(tmp_path, "train", *args)
    assert out == "exit 2 False", err
    assert err.startswith(expected) and len(err.splitlines()) == 1, err
    assert not (tmp_path / "runs").exists()


def test_a_resume_override_that_changes_the_nets_is_refused_before_torch(cli, tiny_dcgan,
                                                                          tmp_path):  # fmt: skip
    assert cli("train", "dcgan", "--name", "r", "--steps", 1, *tiny_dcgan) == 0
    run = tmp_path / "runs" / "dcgan" / "r"
    before = (run / "config.yaml").read_text()
    out, err = refused_in_a_fresh_process(tmp_path, "train", "--resume", run, "generator.width=16")
    assert out == "exit 2 False", err
    assert err.startswith(f"error: generator.width=16 would change what run {run} trains (it was "
                          f"started with generator.width=8)"), err  # fmt: skip
    assert (run / "config.yaml").read_text() == before


def test_the_early_check_leaves_what_it_does_not_know_to_the_full_check(refused, tiny_dcgan):
    # a typo in a shared section, and a method's own section, are not the early check's: the
    # full check names them with the method's keys
    assert refused("train", "dcgan", *tiny_dcgan, "train.stepz=4").startswith(
        "Unknown config key 'train.stepz'. Did you mean 'train.steps'?"
    )
    assert refused("train", "dcgan", *tiny_dcgan, "generator.widht=4").startswith(
        "Unknown option of generator 'dcgan' 'widht'. Did you mean 'width'?"
    )


def test_a_resume_that_only_changes_what_may_change_passes_the_early_check(cli, tiny_dcgan,
                                                                           tmp_path):  # fmt: skip
    assert cli("train", "dcgan", "--name", "r", "--steps", 1, *tiny_dcgan) == 0
    run = tmp_path / "runs" / "dcgan" / "r"
    assert cli("train", "--resume", run, "--steps", 2, "optim.generator.lr=0.001") == 0
    assert yaml.safe_load((run / "config.yaml").read_text())["optim"]["generator"]["lr"] == 0.001
