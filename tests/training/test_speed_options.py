"""The trainer's speed options still train, checkpoint and resume on the CPU."""

import pytest
import torch

from gankit.runs.launch import resolve_config, resume, start


def test_channels_last_trains_and_resumes(tiny_dcgan):
    run = start(
        resolve_config("dcgan", None, [*tiny_dcgan, "train.steps=3", "train.channels_last=true"])
    )
    resume(run.path, ["train.steps=5"])
    assert torch.load(run.last_checkpoint(), weights_only=True)["step"] == 5


@pytest.mark.slow
def test_compiled_nets_keep_plain_checkpoint_keys(tiny_dcgan):
    run = start(resolve_config("dcgan", None, [*tiny_dcgan, "train.steps=3", "train.compile=true"]))
    state = torch.load(run.last_checkpoint(), weights_only=True)
    keys = list(state["method_state"]["nets"]["generator"])
    assert keys and not any("_orig_mod" in k for k in keys)  # loadable without compile
    resume(run.path, ["train.steps=4", "train.compile=false"])


def test_device_errors_name_the_fix():
    from gankit.errors import ConfigError
    from gankit.training.environment import pick_device

    assert pick_device("cpu") == torch.device("cpu")
    if not torch.cuda.is_available():
        with pytest.raises(ConfigError, match="--device cpu"):
            pick_device("cuda")
    with pytest.raises(ConfigError, match="auto, cpu"):
        pick_device("tpu")
