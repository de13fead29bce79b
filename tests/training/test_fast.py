"""train.fast: switches on what was measured on this kind of device, and says so in the run."""

import json
import os
from pathlib import Path

import pytest
import torch

from gankit.core.optim import build_optimizer
from gankit.errors import ConfigError
from gankit.runs.launch import resolve_config, start
from gankit.training import fast
from gankit.training.fast import Capabilities, apply_fast

BF16_CPU = Capabilities("cpu", bf16_matmul=True, matrix_units=False, instructions="AVX-512 bf16")
PLAIN_CPU = Capabilities("cpu", bf16_matmul=False, matrix_units=False, instructions="AVX2")


def fast_config(*overrides):
    return resolve_config("dcgan", None, ["train.fast=true", *overrides])


def test_without_fast_nothing_changes():
    cfg = resolve_config("dcgan", None, [])
    assert apply_fast(cfg, torch.device("cpu"), image_data=True) == (cfg, "")


def test_a_bf16_cpu_gets_bf16_channels_last_and_fused_adam(monkeypatch):
    monkeypatch.setattr(fast, "detect", lambda device: BF16_CPU)
    cfg, line = apply_fast(fast_config(), torch.device("cpu"), image_data=True)
    assert cfg.train.amp == "bf16" and cfg.train.channels_last
    assert cfg.optim.generator.fused and cfg.optim.discriminator.fused
    assert line == "train.fast on cpu (AVX-512 bf16): fused Adam, bf16 autocast, channels_last"


def test_a_cpu_without_bf16_and_toy_data_keep_fp32(monkeypatch):
    monkeypatch.setattr(fast, "detect", lambda device: PLAIN_CPU)
    cfg, _ = apply_fast(fast_config(), torch.device("cpu"), image_data=True)
    assert cfg.train.amp == "none" and not cfg.train.channels_last and cfg.optim.generator.fused
    monkeypatch.setattr(fast, "detect", lambda device: BF16_CPU)
    cfg, _ = apply_fast(fast_config(), torch.device("cpu"), image_data=False)
    assert cfg.train.amp == "none" and cfg.optim.generator.fused


def test_fast_never_switches_an_option_off(monkeypatch):
    monkeypatch.setattr(fast, "detect", lambda device: PLAIN_CPU)
    cfg, _ = apply_fast(
        fast_config("train.amp=bf16", "train.channels_last=true"), torch.device("cpu"), True
    )
    assert cfg.train.amp == "bf16" and cfg.train.channels_last


def test_only_adam_is_fused(monkeypatch):
    monkeypatch.setattr(fast, "detect", lambda device: PLAIN_CPU)
    cfg, _ = apply_fast(
        fast_config("optim.discriminator.name=rmsprop"), torch.device("cpu"), image_data=True
    )
    assert cfg.optim.generator.fused and not cfg.optim.discriminator.fused
    with pytest.raises(ConfigError, match="fused is an Adam option"):
        build_optimizer(
            [torch.nn.Parameter(torch.zeros(1))],
            cfg.optim.generator.__class__(name="sgd", fused=True),
        )


def test_the_run_records_what_fast_switched_on(tiny_dcgan, monkeypatch, capsys):
    monkeypatch.setattr(fast, "detect", lambda device: BF16_CPU)
    run = start(resolve_config("dcgan", None, [*tiny_dcgan, "train.steps=2", "train.fast=true"]))
    recorded = resolve_config(None, run.config_file)
    assert recorded.train.amp == "bf16" and recorded.optim.generator.fused
    env = json.loads(run.env_file.read_text())
    assert env["fast"].startswith("train.fast on cpu (AVX-512 bf16)")
    assert "bf16 autocast" in capsys.readouterr().err


def test_detection_agrees_with_the_flags_the_kernel_reports():
    cpuinfo = Path("/proc/cpuinfo")
    if not cpuinfo.exists():
        pytest.skip("no /proc/cpuinfo to compare with (not Linux)")
    flags = set(cpuinfo.read_text().split())
    found = fast.detect(torch.device("cpu"))
    assert found.bf16_matmul == bool({"avx512_bf16", "amx_bf16"} & flags)
    assert found.matrix_units == ("amx_tile" in flags)


def test_device_name_is_the_processor_model_and_its_core_count():

    from gankit.training.environment import device_name

    name = device_name("cpu")
    assert name.endswith(f", {os.cpu_count()} cores")
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        models = [
            line.split(":", 1)[1].strip()
            for line in cpuinfo.read_text().splitlines()
            if line.startswith("model name")
        ]
        if models:
            assert name.startswith(models[0])
