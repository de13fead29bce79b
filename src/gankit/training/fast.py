"""``train.fast``: the speed options that passed their measurement on this kind of device.

An option joins the fast path only where it was measured faster than the fp32 step *and* its
quality at equal steps stayed within the seed spread of fp32 (BENCHMARKS.md, "The fast path").
What the device can do is detected at run time from the instructions it reports, never from its
name. ``train.fast`` only switches options on: it never turns off one the config set, and it
writes what it chose into the run's config (``train.amp``, ``train.channels_last``,
``optim.<net>.fused``), so ``config.yaml`` and ``env.json`` say exactly what ran, and a resume
continues with the same options.

Measured so far (2026-12-02, a 2-core AMD EPYC with AVX-512 bf16; BENCHMARKS.md):

- bf16 autocast + ``channels_last`` on a CPU with AVX-512 bf16 or AMX: DCGAN 64 px at 2.2x the
  plain fp32 PyTorch-examples loop (gankit's fp32 step: 1.14x); classifier FID on MNIST after
  1,500 steps 22.7 +- 0.3 against fp32's 23.4 +- 0.6 (three seeds each). AMX CPUs run the same
  bf16 arithmetic on matrix units (measured there for Inception features only: 5.3x);
- fused Adam (one kernel for the whole update; the same formula, rounded differently): a 4x
  faster optimizer step, about 1 % of a DCGAN step;
- ``torch.compile``: no faster than the above on this CPU (oneDNN already runs the
  convolutions), so it is not part of the fast path there.

Not measured yet, so not switched on: bf16 and ``channels_last`` on CUDA or MPS (the commands
are in ``benchmarks/gpu_fast_path.sh``), and bf16 for the 2-D toy recipes.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import torch

from gankit.config import OptimizerConfig, RunConfig


@dataclass(frozen=True)
class Capabilities:
    """What a device can do that the fast path cares about."""

    device: str  # cpu | cuda | mps
    bf16_matmul: bool  # bf16 arithmetic in hardware (AVX-512 bf16, AMX, or a bf16 GPU)
    matrix_units: bool  # AMX tiles (CPU) or tensor cores (CUDA)
    instructions: str  # what was detected, for the record

    def describe(self) -> str:
        return f"{self.device} ({self.instructions})"


def detect(device: torch.device) -> Capabilities:
    """The capabilities of ``device``, from the instructions it reports."""
    if device.type == "cuda":
        major, minor = torch.cuda.get_device_capability(device)
        bf16 = torch.cuda.is_bf16_supported()
        return Capabilities("cuda", bf16, major >= 7, f"compute capability {major}.{minor}")
    if device.type == "cpu":
        avx512_bf16 = torch.cpu._is_avx512_bf16_supported()
        amx = torch.cpu._is_amx_tile_supported()
        found = [name for name, has in (("AMX", amx), ("AVX-512 bf16", avx512_bf16)) if has]
        instructions = ", ".join(found) or torch.backends.cpu.get_cpu_capability()
        return Capabilities("cpu", avx512_bf16 or amx, amx, instructions)
    return Capabilities(device.type, False, False, "not examined")


def fast_choices(capabilities: Capabilities, image_data: bool) -> dict[str, str]:
    """The options ``train.fast`` switches on here: config key -> why (the measurement)."""
    choices: dict[str, str] = {"optim.*.fused": "fused Adam"}
    if capabilities.device == "cpu" and capabilities.bf16_matmul and image_data:
        choices["train.amp"] = "bf16 autocast"
        choices["train.channels_last"] = "channels_last"
    return choices


def apply_fast(cfg: RunConfig, device: torch.device, image_data: bool) -> tuple[RunConfig, str]:
    """``cfg`` with the fast options of ``device`` switched on, and one line saying which.

    A config without ``train.fast`` comes back unchanged (and an empty line).
    """
    if not cfg.train.fast:
        return cfg, ""
    capabilities = detect(device)
    choices = fast_choices(capabilities, image_data)
    train = cfg.train
    if "train.amp" in choices and train.amp == "none":
        train = dataclasses.replace(train, amp="bf16")
    if "train.channels_last" in choices:
        train = dataclasses.replace(train, channels_last=True)
    cfg = dataclasses.replace(cfg, train=train)
    if "optim.*.fused" in choices:
        cfg = _fused(cfg)
    line = f"train.fast on {capabilities.describe()}: {', '.join(choices.values())}"
    return cfg, line


def _fused(section: Any) -> Any:
    """``section`` with every Adam in it (at any depth) on its fused kernel."""
    changes: dict[str, Any] = {}
    for field in dataclasses.fields(section):
        value = getattr(section, field.name)
        if isinstance(value, OptimizerConfig) and value.name == "adam":
            changes[field.name] = dataclasses.replace(value, fused=True)
        elif dataclasses.is_dataclass(value):
            changes[field.name] = _fused(value)
    return dataclasses.replace(section, **changes)
