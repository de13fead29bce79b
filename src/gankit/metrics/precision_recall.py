"""Nearest-neighbour fidelity and diversity: precision/recall and density/coverage.

Improved precision and recall (Kynkaanniemi et al. 2019, "Improved Precision and Recall Metric
for Assessing Generative Models", section 2, equations 1-3): each set's manifold is the union of
balls around its feature vectors, each ball reaching the k-th nearest neighbour (k = 3, their
default). Precision is the fraction of generated samples inside the real manifold; recall the
fraction of real samples inside the generated one. Points on a ball's boundary count as inside,
as in the authors' and torch-fidelity's code.

Density and coverage (Naeem et al. 2020, "Reliable Fidelity and Diversity Metrics for Generative
Models", section 3, equations 5-6) use the real balls only, which makes them robust to outliers:
density counts how many real balls hold each generated sample (divided by k; it can exceed 1),
coverage is the fraction of real balls holding at least one generated sample. Their default is
k = 5, and their code counts a point on a ball's boundary as outside. Distances are Euclidean,
on the same features as the FID.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
import torch

from gankit.errors import GankitError
from gankit.metrics.features import FeatureExtractor, as_feature_set

PRECISION_RECALL_K = 3
DENSITY_COVERAGE_K = 5
ROWS_PER_CHUNK = 2048  # distance rows computed at once, to bound memory


class PrecisionRecall(NamedTuple):
    precision: float
    recall: float


class DensityCoverage(NamedTuple):
    density: float
    coverage: float


def kth_neighbour_radii(features: torch.Tensor, k: int) -> torch.Tensor:
    """Distance from each row to its k-th nearest other row (the row itself not counted)."""
    if len(features) <= k:
        raise GankitError(
            f"k-nearest-neighbour radii with k={k} need more than {k} samples, got {len(features)}."
        )
    radii = [
        _distances(chunk, features).kthvalue(k + 1, dim=1).values
        for chunk in features.split(ROWS_PER_CHUNK)
    ]
    return torch.cat(radii)


def _distances(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    # float64 inputs keep the matrix-product form of cdist accurate to ~1e-7 relative.
    return torch.cdist(x, y)


def _inside_counts(
    points: torch.Tensor, centres: torch.Tensor, radii: torch.Tensor, boundary: bool
) -> torch.Tensor:
    """For each point, how many balls (centre, radius) hold it; ``boundary``: ``<=``, not ``<``."""
    inside = torch.le if boundary else torch.lt
    counts = [
        inside(_distances(chunk, centres), radii[None, :]).sum(dim=1)
        for chunk in points.split(ROWS_PER_CHUNK)
    ]
    return torch.cat(counts)


def precision_recall_from_features(
    real: np.ndarray, fake: np.ndarray, k: int = PRECISION_RECALL_K
) -> PrecisionRecall:
    """Improved precision and recall (Kynkaanniemi et al. 2019) of ``fake`` against ``real``."""
    real_t, fake_t = _pair(real, fake)
    precision = (_inside_counts(fake_t, real_t, kth_neighbour_radii(real_t, k), True) > 0).double()
    recall = (_inside_counts(real_t, fake_t, kth_neighbour_radii(fake_t, k), True) > 0).double()
    return PrecisionRecall(float(precision.mean()), float(recall.mean()))


def density_coverage_from_features(
    real: np.ndarray, fake: np.ndarray, k: int = DENSITY_COVERAGE_K
) -> DensityCoverage:
    """Density and coverage (Naeem et al. 2020, eqs. 5-6) of ``fake`` against ``real``."""
    real_t, fake_t = _pair(real, fake)
    radii = kth_neighbour_radii(real_t, k)
    density = _inside_counts(fake_t, real_t, radii, False).double().mean() / k
    nearest_fake = torch.cat(
        [_distances(chunk, fake_t).min(dim=1).values for chunk in real_t.split(ROWS_PER_CHUNK)]
    )
    coverage = (nearest_fake < radii).double().mean()
    return DensityCoverage(float(density), float(coverage))


def precision_recall(
    real: Any,
    fake: Any,
    extractor: FeatureExtractor | str | None = "inception",
    k: int = PRECISION_RECALL_K,
    progress: bool = False,
) -> PrecisionRecall:
    """Improved precision and recall of ``fake`` against ``real`` (images, features or sets)."""
    real_set = as_feature_set(real, extractor, progress)
    fake_set = as_feature_set(fake, extractor, progress)
    return precision_recall_from_features(real_set.features, fake_set.features, k)


def density_coverage(
    real: Any,
    fake: Any,
    extractor: FeatureExtractor | str | None = "inception",
    k: int = DENSITY_COVERAGE_K,
    progress: bool = False,
) -> DensityCoverage:
    """Density and coverage of ``fake`` against ``real`` (images, features or sets)."""
    real_set = as_feature_set(real, extractor, progress)
    fake_set = as_feature_set(fake, extractor, progress)
    return density_coverage_from_features(real_set.features, fake_set.features, k)


def _pair(real: np.ndarray, fake: np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
    real_t = torch.as_tensor(np.asarray(real), dtype=torch.float64)
    fake_t = torch.as_tensor(np.asarray(fake), dtype=torch.float64)
    if real_t.ndim != 2 or fake_t.ndim != 2 or real_t.shape[1] != fake_t.shape[1]:
        raise GankitError(
            f"Precision/recall need two feature arrays (N, D) with the same D, got "
            f"{tuple(real_t.shape)} and {tuple(fake_t.shape)}."
        )
    return real_t, fake_t
