"""Checks of config values: ranges before a run starts, and what may change when it resumes.

:func:`check_values` walks a resolved config and calls each section's ``check`` (the shared
sections of :mod:`gankit.config` delegate to the ``check_*`` functions here); the first value out
of range raises a one-line :class:`ConfigError` naming the key, the value, the rule and a fix.

:func:`check_resume_changes` holds the allow-list of keys a resume may change (:data:`RESUMABLE`):
how long a run trains, how often it writes, its learning rates, where it runs and what it
evaluates. Anything else (nets, losses, data, seed, ...) would make the resumed run another run.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import json
import math
import re
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from gankit.errors import ConfigError

if TYPE_CHECKING:  # the sections are checked here, defined in gankit.config
    from gankit.config import (
        DataConfig,
        EMAConfig,
        EvalConfig,
        OptimizerConfig,
        RunConfig,
        TrainConfig,
    )

# torch.manual_seed takes any 64-bit value, signed or not.
SEED_RANGE = (-(2**63), 2**64 - 1)


@runtime_checkable
class Checked(Protocol):
    """A config section that checks its own values; ``prefix`` is its dotted path."""

    def check(self, prefix: str) -> None: ...


def check_values(config: Any, prefix: str = "") -> None:
    """Check every value of ``config`` against its range; the first bad one raises ConfigError.

    Run on a config about to train (a new run, or a resumed one with its overrides), not on one
    read back only to sample from.
    """
    if isinstance(config, Checked):
        config.check(prefix)
    for f in dataclasses.fields(config):
        value = getattr(config, f.name)
        if dataclasses.is_dataclass(value):
            check_values(value, f"{prefix}{f.name}.")


def require(ok: bool, key: str, value: Any, rule: str, example: Any) -> None:
    """Raise a one-line ConfigError naming ``key``, its bad ``value``, the rule and a fix."""
    if not ok:
        raise ConfigError(
            f"{key}={show(value)} is not allowed: {rule}. Set e.g. {key}={show(example)}."
        )


def show(value: Any) -> str:
    """A value as an override would write it (null, [0.5, 0.999], 0.0002)."""
    return value if isinstance(value, str) else json.dumps(value)


def at_least(value: int, key: str, meaning: str, example: int, low: int = 1) -> None:
    """A whole number (of steps, images, workers) that must be at least ``low``."""
    bound = f"at least {low}" if low else "0 or more"
    require(value >= low, key, value, f"{meaning} must be {bound}", example)


def fraction(value: float, key: str, meaning: str, example: float) -> None:
    """A coefficient in [0, 1), e.g. Adam's betas or a moving-average decay."""
    require(0 <= value < 1, key, value, f"{meaning} must be in [0, 1)", example)


def positive(value: float, key: str, rule: str, example: float) -> None:
    """A finite number above 0 (a learning rate, eps)."""
    require(math.isfinite(value) and value > 0, key, value, rule, example)


# ----------------------------------------------------------------------------- sections


def check_data(data: DataConfig, prefix: str) -> None:
    at_least(data.batch_size, f"{prefix}batch_size", "the images per batch", 64)
    at_least(data.num_workers, f"{prefix}num_workers", "the DataLoader workers", 0, low=0)
    if data.image_size is not None:
        at_least(data.image_size, f"{prefix}image_size", "the image side in pixels", 32)
    require(
        data.channels in (None, 1, 3),
        f"{prefix}channels",
        data.channels,
        "images are converted to 1 (grey) or 3 (RGB) channels, or null keeps their own",
        3,
    )


def check_optimizer(optimizer: OptimizerConfig, prefix: str) -> None:
    positive(optimizer.lr, f"{prefix}lr", "the learning rate must be above 0", 2e-4)
    require(
        all(0 <= beta < 1 for beta in optimizer.betas),
        f"{prefix}betas",
        list(optimizer.betas),
        "Adam's two betas must each be in [0, 1)",
        [0.5, 0.999],
    )
    fraction(optimizer.momentum, f"{prefix}momentum", "the momentum", 0.0)
    fraction(optimizer.alpha, f"{prefix}alpha", "RMSprop's smoothing constant", 0.99)
    positive(optimizer.eps, f"{prefix}eps", "eps must be above 0", 1e-8)
    require(
        math.isfinite(optimizer.weight_decay) and optimizer.weight_decay >= 0,
        f"{prefix}weight_decay",
        optimizer.weight_decay,
        "the weight decay must be 0 or more",
        0.0,
    )


def check_ema(ema: EMAConfig, prefix: str) -> None:
    fraction(ema.decay, f"{prefix}decay", "the EMA decay", 0.999)
    at_least(ema.start_step, f"{prefix}start_step", "the step the EMA starts at", 0, low=0)


def check_train(train: TrainConfig, prefix: str) -> None:
    if train.epochs is None:
        at_least(train.steps, f"{prefix}steps", "the generator steps of a run", 1000)
    else:
        positive(
            train.epochs,
            f"{prefix}epochs",
            "the passes over the data must be above 0 (or null to count train.steps)",
            10,
        )
    at_least(train.n_critic, f"{prefix}n_critic", "the discriminator steps per step", 1)
    require(
        math.isfinite(train.lr_decay_start) and train.lr_decay_start >= 0,
        f"{prefix}lr_decay_start",
        train.lr_decay_start,
        "the step where the decay starts (below 1: a fraction of the run) must be 0 or more",
        0.5,
    )
    require(
        train.grad_clip is None or (math.isfinite(train.grad_clip) and train.grad_clip >= 0),
        f"{prefix}grad_clip",
        train.grad_clip,
        "the largest gradient norm must be above 0 (null or 0: no clipping)",
        1.0,
    )
    require(
        train.max_loss is None or (math.isfinite(train.max_loss) and train.max_loss > 0),
        f"{prefix}max_loss",
        train.max_loss,
        "the largest |loss| before a run counts as diverged must be above 0 (null: no bound)",
        1e6,
    )
    for key, meaning, example in (
        ("log_every", "the steps between log lines", 10),
        ("sample_every", "the steps between sample grids", 200),
        ("checkpoint_every", "the steps between numbered checkpoints", 500),
        ("num_samples", "the images in a sample grid", 64),
    ):
        at_least(getattr(train, key), f"{prefix}{key}", meaning, example)
    for key, meaning, example in (
        ("validate_every", "the steps between validations (0 = never)", 100),
        ("patience", "the validations without improvement (0 = never stop)", 5),
        ("keep_checkpoints", "the numbered checkpoints kept (0 = none)", 3),
        ("saturation_checks", "the saturated sample grids in a row that stop a run (0 = never)", 3),
    ):
        at_least(getattr(train, key), f"{prefix}{key}", meaning, example, low=0)


def check_eval(settings: EvalConfig, prefix: str) -> None:
    at_least(
        settings.every, f"{prefix}every", "the steps between evaluations (0 = never)", 0, low=0
    )
    at_least(settings.n, f"{prefix}n", "the images generated for a metric", 5000)
    at_least(settings.batch_size, f"{prefix}batch_size", "the images per batch", 50)


def check_run(run: RunConfig, prefix: str) -> None:
    low, high = SEED_RANGE
    require(low <= run.seed <= high, f"{prefix}seed", run.seed, "the seed must fit in 64 bits", 0)


def check_run_name(name: str) -> None:
    """Refuse a run name that is not one plain folder name: the run must stay in OUT/METHOD/."""
    if name and name not in (".", "..") and name.isprintable() and not re.search(r"[/\\]", name):
        return
    example = re.sub(r"[^\w.-]+", "-", name).strip(".-") or "demo"
    raise ConfigError(
        f"Run name {name!r} (--name) is not a plain folder name: it may not be empty, '.' or "
        f"'..', nor hold '/' or '\\', since runs are written to OUT/METHOD/NAME. Use e.g. "
        f"--name {example}."
    )


# ----------------------------------------------------------------------------- resume

# The keys a resume may change. They decide how long the run trains, what it writes and when,
# its learning rates (the optimizer's and the schedule's), where it runs (device, data.root,
# workers, speed options) and the EMA kept for sampling; none changes what a step computes
# from the nets, data and seed the run was started with, so the checkpoint still fits.
RESUMABLE = (
    "train.steps",
    "train.epochs",
    "train.log_every",
    "train.sample_every",
    "train.checkpoint_every",
    "train.keep_checkpoints",
    "train.num_samples",
    "train.tensorboard",
    "train.progress",
    "train.validate_every",
    "train.patience",
    "train.max_loss",
    "train.saturation_checks",
    "train.check_memory",
    "train.lr_decay",
    "train.lr_decay_start",
    "optim.*.lr",
    "train.ema.*",
    "train.compile",
    "train.channels_last",
    "train.deterministic",
    "train.find_unused_parameters",
    "device",
    "data.root",
    "data.num_workers",
    "data.download",
    "eval.*",
)


def resumable(key: str) -> bool:
    """Whether a resume may change dotted ``key`` (see :data:`RESUMABLE`)."""
    return any(fnmatch.fnmatchcase(key, pattern) for pattern in RESUMABLE)


def check_resume_changes(changes: dict[str, tuple[Any, Any]], run: str) -> None:
    """Refuse, in one line, the first change (``key: (before, after)``) a resume may not make."""
    for key, (before, after) in changes.items():
        if not resumable(key):
            raise ConfigError(
                f"{key}={show(after)} would change what run {run} trains (it was started with "
                f"{key}={show(before)}): a resume may change only the run's length, intervals, "
                f"learning rates, EMA, device and eval.* settings. Start a new run for it, or "
                f"resume without it."
            )
