"""The real-image side of the metrics, computed once and kept in an ``.npz``.

Extracting Inception features of 10,000 real images takes minutes on a CPU, and their mean and
covariance never change, so they are cached under ``<cache root>/reference_stats/``. A file is
keyed by everything its numbers depend on: the dataset (name, split, image size, channels,
options), how many images (the first N of the split), and the extractor's protocol (its name,
weights SHA-256, resize and precision). Features themselves, which KID and precision/recall
need, are stored too when asked for. Files are written atomically and read without pickle.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch

from gankit.config import DataConfig
from gankit.data import build_dataset
from gankit.errors import DataError
from gankit.metrics.cache import cache_folder
from gankit.metrics.features import FeatureExtractor, FeatureSet

# Datasets read from a path may change on disk without their name changing: never cached.
UNCACHEABLE_DATASETS = ("folder",)


@dataclass
class FeatureStatistics:
    """Mean and covariance of a feature set: all the FID needs of the reference side."""

    mean: np.ndarray
    covariance: np.ndarray
    count: int
    protocol: dict[str, Any] = field(default_factory=dict)

    def __len__(self) -> int:
        return self.count


def reference_key(data: DataConfig, count: int, extractor: FeatureExtractor) -> str:
    """A file name naming the dataset, split, size, image count and extractor it describes."""
    identity = {
        "dataset": data.name,
        "split": data.split,
        "image_size": data.image_size,
        "channels": data.channels,
        "options": data.options,
        "count": count,
        "extractor": extractor.protocol(),
    }
    digest = hashlib.sha256(json.dumps(identity, sort_keys=True, default=str).encode()).hexdigest()
    size = f"{data.image_size}px" if data.image_size else "native"
    return (
        f"{data.name}-{data.split}-{size}-n{count}-{extractor.name}-"
        f"{extractor.weights_sha256[:8]}-{digest[:12]}"
    )


def reference_features(
    data: DataConfig,
    extractor: FeatureExtractor,
    count: int,
    need_features: bool,
    progress: bool = False,
    use_cache: bool = True,
    dataset: Any = None,
) -> FeatureSet | FeatureStatistics:
    """Features (or, when ``need_features`` is false, statistics) of the first ``count`` images.

    Read from the cache when a matching file exists; otherwise the dataset is built, its images
    passed through ``extractor``, and the result cached (unless ``use_cache`` is false or the
    dataset is a folder on disk). ``dataset``, when given, is ``data`` already built (e.g. the
    trainer's), so it is not read again.
    """
    cacheable = use_cache and data.name.partition(":")[0] not in UNCACHEABLE_DATASETS
    path = cache_folder("reference_stats") / f"{reference_key(data, count, extractor)}.npz"
    if cacheable and path.is_file():
        cached = load_reference(path)
        if isinstance(cached, FeatureSet) or not need_features:
            return cached
    if dataset is None:
        dataset = build_dataset(data)
    if len(dataset) == 0:
        raise DataError(f"The reference dataset {data.name!r} ({data.split}) holds no images.")
    count = min(count, len(dataset))
    description = f"first {count} of {data.name} {data.split}"
    batches = _image_batches(dataset, count, extractor.batch_size, data.num_workers)
    total = -(-count // extractor.batch_size)
    features = extractor.extract(batches, total, progress, description=f"reference ({description})")
    features.protocol = features.protocol | {"reference": description}
    if cacheable:
        save_reference(path, features, store_features=need_features)
    return features


def statistics(features: FeatureSet) -> FeatureStatistics:
    """The mean and covariance of a feature set, keeping its protocol."""
    return FeatureStatistics(features.mean, features.covariance, len(features), features.protocol)


def save_reference(path: Path, features: FeatureSet, store_features: bool) -> None:
    """Write ``features``' statistics (and the features themselves) to ``path`` atomically."""
    arrays: dict[str, Any] = {  # Any: np.savez's stubs would match a value to allow_pickle
        "mean": features.mean,
        "covariance": features.covariance,
        "count": np.array(len(features)),
        "protocol": np.array(json.dumps(features.protocol, sort_keys=True)),
    }
    if store_features:
        arrays["features"] = features.features.astype(np.float32)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(temporary, "wb") as handle:
            np.savez(handle, **arrays)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def load_reference(path: Path) -> FeatureSet | FeatureStatistics:
    """A cached reference: a FeatureSet when it holds features, else its statistics."""
    try:
        with np.load(path, allow_pickle=False) as data:
            protocol = json.loads(str(data["protocol"]))
            if "features" in data.files:
                return FeatureSet(data["features"], protocol=protocol)
            return FeatureStatistics(data["mean"], data["covariance"], int(data["count"]), protocol)
    except (OSError, ValueError, KeyError) as exc:
        raise DataError(
            f"The cached reference statistics {path} cannot be read ({exc}); delete the file and "
            "they will be computed again."
        ) from None


def _image_batches(
    dataset: Any, count: int, batch_size: int, num_workers: int = 0
) -> Iterator[torch.Tensor]:
    if getattr(dataset, "in_memory", False):
        images = dataset.tensors[0][:count]
        yield from images.split(batch_size)
        return
    loader = torch.utils.data.DataLoader(
        torch.utils.data.Subset(dataset, range(count)),
        batch_size=batch_size,
        shuffle=False,
        num_workers=num_workers,
    )
    for images, _ in loader:
        yield images
