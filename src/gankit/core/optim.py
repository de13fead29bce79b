"""Optimizers and learning-rate schedules built from config."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import cast

import torch
from torch.optim.lr_scheduler import LambdaLR

from gankit.config import OptimizerConfig, TrainConfig
from gankit.errors import ConfigError, UnknownNameError

OPTIMIZERS = ("adam", "rmsprop", "sgd")
LR_DECAYS = ("none", "linear")


def build_optimizer(
    params: Iterable[torch.nn.Parameter], cfg: OptimizerConfig
) -> torch.optim.Optimizer:
    """Adam (with ``betas``, ``amsgrad``), RMSprop (``alpha``, ``momentum``) or SGD (``momentum``).

    ``amsgrad`` is Reddi et al. 2018, "On the Convergence of Adam and Beyond", Algorithm 2: Adam
    divides by the running maximum of its second-moment estimate instead of the estimate itself.
    Off by default, as in Adam (Kingma & Ba 2015); only Adam has it. ``fused`` runs torch's
    one-kernel Adam: the same update, rounded differently (``train.fast`` switches it on).
    """
    if cfg.name not in OPTIMIZERS:
        raise UnknownNameError("optimizer", cfg.name, OPTIMIZERS)
    for option in ("amsgrad", "fused"):
        if getattr(cfg, option) and cfg.name != "adam":
            raise ConfigError(
                f"{option} is an Adam option, but it is set for optimizer {cfg.name!r}: set "
                f"optim.<net>.{option}=false or optim.<net>.name=adam."
            )
    params = list(params)
    if cfg.name == "adam":
        return torch.optim.Adam(
            params,
            lr=cfg.lr,
            betas=cast(tuple[float, float], tuple(cfg.betas)),
            eps=cfg.eps,
            weight_decay=cfg.weight_decay,
            amsgrad=cfg.amsgrad,
            fused=cfg.fused or None,
        )
    if cfg.name == "rmsprop":
        return torch.optim.RMSprop(
            params,
            lr=cfg.lr,
            alpha=cfg.alpha,
            eps=cfg.eps,
            momentum=cfg.momentum,
            weight_decay=cfg.weight_decay,
        )
    return torch.optim.SGD(params, lr=cfg.lr, momentum=cfg.momentum, weight_decay=cfg.weight_decay)


def build_scheduler(
    optimizer: torch.optim.Optimizer, cfg: TrainConfig, total_steps: int
) -> LambdaLR:
    """Constant learning rate, or constant until ``lr_decay_start`` then linear to zero.

    The linear decay is CycleGAN's (Zhu et al. 2017, §4: "keep the same learning rate for the
    first 100 epochs and linearly decay the rate to zero over the next 100 epochs", i.e.
    ``lr_decay_start=0.5``). The scheduler steps once per generator step.
    """
    if cfg.lr_decay not in LR_DECAYS:
        raise UnknownNameError("learning-rate decay", cfg.lr_decay, LR_DECAYS)
    start = decay_start(cfg.lr_decay_start, total_steps)
    if cfg.lr_decay == "linear" and not 0 <= start < total_steps:
        raise ConfigError(
            f"train.lr_decay_start={start} must be below the run's {total_steps} steps."
        )

    def factor(step: int) -> float:
        if cfg.lr_decay == "none" or step < start:
            return 1.0
        return max(0.0, 1.0 - (step - start) / (total_steps - start))

    return LambdaLR(optimizer, factor)


def rebase(scheduler: LambdaLR, base_lrs: Sequence[float | torch.Tensor]) -> None:
    """Give a restored schedule the base learning rates of the run's config, at its position.

    A resumed optimizer and scheduler bring back the learning rates the checkpoint was written
    with; after this, each group's rate is ``base_lrs[i]`` times the schedule's factor at the
    step reached (with the factor of the resumed config: a new ``train.steps`` moves a linear
    decay at once). With an unchanged config this gives back the same numbers.
    """
    for index, (group, base) in enumerate(zip(scheduler.optimizer.param_groups, base_lrs)):
        scheduler.base_lrs[index] = group["initial_lr"] = base
        group["lr"] = base * scheduler.lr_lambdas[index](scheduler.last_epoch)
    # what get_last_lr() reports
    scheduler._last_lr = [group["lr"] for group in scheduler.optimizer.param_groups]


def decay_start(value: float, total_steps: int) -> int:
    """``lr_decay_start`` in steps: a value below 1 is a fraction of the run's steps."""
    return round(value * total_steps) if 0 < value < 1 else int(value)
