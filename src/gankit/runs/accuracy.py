"""Test accuracy of a trained semi-supervised run's classifier (``gankit accuracy``)."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from gankit.core.method import Classifier
from gankit.data import build_dataset
from gankit.data.base import InMemoryDataset
from gankit.errors import ConfigError
from gankit.methods.semi_supervised import accuracy
from gankit.runs.launch import load_trained

if TYPE_CHECKING:
    from gankit.methods.bayesgan import BayesGANConfig


def run_accuracy(run_dir: str | Path, split: str = "test", device: str = "cpu") -> dict[str, Any]:
    """Accuracy of a trained semi-supervised run's classifier on ``split`` of its dataset."""
    method, cfg, _ = load_trained(run_dir, device=device)
    if not isinstance(method, Classifier) or not method.semi_supervised:
        raise ConfigError(
            f"Run {str(run_dir)!r} ({cfg.method}) has no classifier: train a semi-supervised "
            "run, e.g. `gankit train bayesgan semi.labels=100`."
        )
    dataset = build_dataset(dataclasses.replace(cfg.data, split=split))
    # semi-supervised training needs in-memory data, and bayesgan (ssgan) alone classifies
    images, labels = cast(InMemoryDataset, dataset).tensors
    return {
        "method": cfg.method,
        "split": split,
        "images": len(images),
        "labelled": cast("BayesGANConfig", cfg).semi.labels,
        "accuracy": accuracy(method.class_probabilities, images, labels),
    }
