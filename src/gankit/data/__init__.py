"""Datasets by name: ``build_dataset(cfg.data)`` gives a GanDataset of (x, label) pairs.

Importing this package registers every built-in dataset (digits, ring8, grid25, mnist,
fashion-mnist, usps, cifar10, folder; and the image pairs paired, paired-dirs, photos; the domains unpaired, multidomain). Heavy imports (scikit-learn, PIL, urllib) happen inside the builders.
"""

from gankit.core.spec import DataSpec
from gankit.data import (  # noqa: F401  (each registers its datasets)
    cifar10,
    digits,
    folder,
    idx,
    paired,
    photos,
    toy2d,
    unpaired,
    usps,
)
from gankit.data.base import GanDataset, PairedTensorDataset, TensorDataset
from gankit.data.registry import DATASETS, build_dataset

__all__ = [
    "DATASETS",
    "DataSpec",
    "GanDataset",
    "PairedTensorDataset",
    "TensorDataset",
    "build_dataset",
]
