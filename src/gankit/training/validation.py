"""Validation on held-out data and early stopping (``train.validate_every``, ``train.patience``).

A method that can be scored on held-out data defines ``validate(self, dataset) -> dict[str,
float]``. The trainer calls it every ``validate_every`` steps (and at the last step) on the
``data.val_split`` split, logs each value as ``val/<name>``, keeps ``checkpoints/best.pt`` for the
best score so far, and stops after ``patience`` validations in a row without a better one. The
score is the value named by the method's ``validation_metric`` attribute, else the first one;
lower is better (pix2pix: ``{"l1": ...}``, the mean L1 distance to the targets).

Validation runs on a forked RNG, so it never moves the training streams: a run with validation
trains exactly as one without it, and a resumed run as the uninterrupted one. Under torchrun,
rank 0 validates and every rank learns the numbers, so all stop at the same step.

:func:`heldout_dataset` finds a held-out split for the held-out sample grids of translation
methods (``data.val_split``, else ``test``; see :mod:`gankit.training.snapshots`).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, replace
from typing import Any

import torch

from gankit.config import DataConfig, RunConfig
from gankit.core.method import Validating
from gankit.data import GanDataset, build_dataset
from gankit.errors import ConfigError, DataError, GankitError

# Tried after data.val_split: the held-out split most datasets have (mnist, usps, cifar10,
# CycleGAN's testA/testB folders) when they have no "val".
FALLBACK_HELDOUT_SPLIT = "test"


def check_validation(cfg: RunConfig, method: Any) -> None:
    """Raise when the config asks for validation the method cannot do."""
    # The ranges of validate_every and patience (counts, 0 = off) are checked with every other
    # value (gankit.config_checks); here, whether this method and config can validate at all.
    train = cfg.train
    if train.validate_every and not isinstance(method, Validating):
        raise ConfigError(
            f"train.validate_every={train.validate_every} asks for validation, but method "
            f"{cfg.method!r} has no validate(dataset) to score held-out data (pix2pix has). Set "
            f"train.validate_every=0."
        )
    if train.patience and not train.validate_every:
        raise ConfigError(
            f"train.patience={train.patience} counts validations, but train.validate_every is 0. "
            f"Set train.validate_every to validate every that many steps."
        )


def validation_dataset(cfg: RunConfig, method: Any) -> GanDataset | None:
    """The held-out split the method is scored on (None when validation is off)."""
    check_validation(cfg, method)
    if not cfg.train.validate_every:
        return None
    split = cfg.data.val_split
    try:
        return build_dataset(replace(cfg.data, split=split))
    except DataError as exc:
        raise DataError(
            f"train.validate_every scores the {split!r} split (data.val_split), which cannot be "
            f"read: {exc} Set data.val_split to a held-out split of the dataset."
        ) from None


def heldout_dataset(data: DataConfig) -> tuple[str, GanDataset]:
    """The first readable held-out split, ``data.val_split`` then ``test``, and its name.

    A split equal to the training split (``data.split``) is not held out and is skipped. Raises
    :class:`DataError` naming each split tried and why it could not be read.
    """
    reasons = []
    for split in dict.fromkeys((data.val_split, FALLBACK_HELDOUT_SPLIT)):
        if split == data.split:
            reasons.append(f"{split!r} is the training split")
            continue
        try:
            return split, build_dataset(replace(data, split=split))
        except (GankitError, OSError) as exc:  # OSError: a download or a file that fails
            first_sentence = " ".join(str(exc).split()).split(". ")[0].rstrip(".")
            reasons.append(f"{split!r}: {first_sentence}")
    raise DataError(f"{data.name} has no held-out split to read ({'; '.join(reasons)}).")


def score(method: Any, dataset: GanDataset) -> tuple[dict[str, float], str]:
    """``method.validate(dataset)`` as ``{"val/<name>": value}``, on a forked RNG, and the key
    of the score early stopping follows."""
    devices = [method.device] if method.device.type == "cuda" else []
    with torch.random.fork_rng(devices):
        values = method.validate(dataset)
    if not values:
        raise ConfigError(f"{type(method).__name__}.validate() returned no value to score.")
    key = getattr(method, "validation_metric", None) or next(iter(values))
    if key not in values:
        raise ConfigError(
            f"{type(method).__name__}.validation_metric is {key!r}, but validate() returned "
            f"{sorted(values)}; make them agree."
        )
    return {f"val/{name}": float(value) for name, value in values.items()}, f"val/{key}"


@dataclass
class EarlyStopping:
    """The best validation score so far and how many validations since it (all checkpointed)."""

    patience: int  # validations without improvement before stopping; 0 = never
    best: float | None = None
    best_step: int | None = None
    since_best: int = 0
    key: str | None = None  # the score's name in the log, e.g. val/l1

    def update(self, key: str, value: float, step: int) -> bool:
        """Count one validation; True when ``value`` is the best so far (lower is better)."""
        self.key = key
        if math.isfinite(value) and (self.best is None or value < self.best):
            self.best, self.best_step, self.since_best = value, step, 0
            return True
        self.since_best += 1
        return False

    @property
    def should_stop(self) -> bool:
        return self.patience > 0 and self.since_best >= self.patience

    def state_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if k != "patience"}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.best, self.best_step = state["best"], state["best_step"]
        self.since_best, self.key = int(state["since_best"]), state["key"]

    def message(self, step: int) -> str:
        best = (
            f"the best, {self.best:.6g} at step {self.best_step}, is in checkpoints/best.pt"
            if self.best is not None
            else "no validation gave a finite score"
        )
        return (
            f"Stopped early at step {step}: {self.key} has not improved for {self.since_best} "
            f"validations (train.patience={self.patience}); {best}. Resume with a larger "
            f"train.patience to train on."
        )
