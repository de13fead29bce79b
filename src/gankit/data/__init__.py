"""Datasets by name: ``build_dataset(cfg.data)`` gives a GanDataset of (x, label) pairs.

Importing this package registers every built-in dataset (digits, ring8, grid25, mnist,
fashion-mnist, folder). Heavy imports (scikit-learn, PIL, urllib) happen inside the builders.
"""

from gankit.data import cifar10, digits, folder, idx, toy2d  # noqa: F401  (each registers its datasets)
from gankit.data.base import DataSpec, GanDataset, TensorDataset
from gankit.data.registry import DATASETS, build_dataset

__all__ = ["DATASETS", "DataSpec", "GanDataset", "TensorDataset", "build_dataset"]
