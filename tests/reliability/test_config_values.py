"""Bad config values are refused when the config is resolved: one line, exit code 2, no run."""

import pytest

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
