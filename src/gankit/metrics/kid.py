"""The Kernel Inception Distance (Binkowski et al. 2018, "Demystifying MMD GANs", section 4).

KID is the squared maximum mean discrepancy between the two feature sets under the cubic
polynomial kernel ``k(x, y) = (x . y / d + 1)^3``, estimated without bias (Gretton et al. 2012,
"A Kernel Two-Sample Test", lemma 6). Unlike the FID it has an unbiased estimator, so small
sets give unbiased (if noisy) values. Following the paper and torch-fidelity, it is averaged
over 100 random subsets of 1000 images from each set (seeded with 2020, torch-fidelity's
default), and reported as mean and standard deviation across subsets.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from gankit.errors import GankitError
from gankit.metrics.features import FeatureExtractor, as_feature_set
from gankit.metrics.summary import MeanStd

SUBSETS = 100
SUBSET_SIZE = 1000
DEGREE = 3
COEF0 = 1.0
SEED = 2020


def polynomial_kernel(
    x: np.ndarray,
    y: np.ndarray,
    degree: int = DEGREE,
    gamma: float | None = None,
    coef0: float = COEF0,
) -> np.ndarray:
    """``(gamma x . y + coef0) ** degree`` for every pair of rows; ``gamma`` defaults to 1/d."""
    gamma = 1.0 / x.shape[1] if gamma is None else gamma
    return (x @ y.T * gamma + coef0) ** degree


def mmd2_unbiased(k_xx: np.ndarray, k_yy: np.ndarray, k_xy: np.ndarray) -> float:
    """The unbiased MMD^2 estimate from the three kernel matrices of two m-sample sets.

    ``sum_{i != j} k(x_i, x_j) / (m (m-1)) + the same for y - 2 sum_{i,j} k(x_i, y_j) / m^2``.
    """
    m = k_xx.shape[0]
    within_x = (k_xx.sum() - np.trace(k_xx)) / (m * (m - 1))
    within_y = (k_yy.sum() - np.trace(k_yy)) / (m * (m - 1))
    return float(within_x + within_y - 2 * k_xy.sum() / (m * m))


def kid_from_features(
    real: np.ndarray,
    fake: np.ndarray,
    subsets: int = SUBSETS,
    subset_size: int = SUBSET_SIZE,
    seed: int = SEED,
) -> tuple[MeanStd, int]:
    """KID over ``subsets`` random subsets; also returns the subset size actually used.

    Sets smaller than ``subset_size`` use subsets as large as the smaller set (the number is
    returned so it can be recorded); each subset is drawn without replacement. When that size
    is both sets whole, every subset is the same pair of sets: KID is computed once and its
    standard deviation is 0 (not the 1e-14 of rounding that repeating it would report).
    """
    real, fake = np.asarray(real, np.float64), np.asarray(fake, np.float64)
    if real.ndim != 2 or fake.ndim != 2 or real.shape[1] != fake.shape[1]:
        raise GankitError(
            f"KID needs two feature arrays (N, D) with the same D, got {real.shape} and "
            f"{fake.shape}. Were both sets extracted with the same feature extractor?"
        )
    size = min(subset_size, len(real), len(fake))
    if size < 2:
        raise GankitError(f"KID needs at least 2 images per set, got {len(real)} and {len(fake)}.")
    if subsets < 1:
        raise GankitError(f"KID needs at least one subset, got subsets={subsets}.")
    if whole_sets(size, real, fake):
        subsets = 1
    rng = np.random.RandomState(seed)
    values = np.empty(subsets)
    for i in range(subsets):
        x = real[rng.choice(len(real), size, replace=False)]
        y = fake[rng.choice(len(fake), size, replace=False)]
        values[i] = mmd2_unbiased(
            polynomial_kernel(x, x), polynomial_kernel(y, y), polynomial_kernel(x, y)
        )
    return MeanStd(float(values.mean()), float(values.std())), size


def whole_sets(size: int, real: np.ndarray, fake: np.ndarray) -> bool:
    """Whether subsets of ``size`` are the two sets whole (so all subsets are the same)."""
    return size == len(real) == len(fake)


def kid(
    real: Any,
    fake: Any,
    extractor: FeatureExtractor | str | None = "inception",
    subsets: int = SUBSETS,
    subset_size: int = SUBSET_SIZE,
    seed: int = SEED,
    progress: bool = False,
) -> MeanStd:
    """KID between ``real`` and ``fake`` (Binkowski et al. 2018): ``(mean, std)`` over subsets.

    Each argument is images (N, C, H, W) in [-1, 1], features (N, D) or a FeatureSet; images
    go through ``extractor`` (the pytorch-fid InceptionV3 by default).
    """
    real_set = as_feature_set(real, extractor, progress)
    fake_set = as_feature_set(fake, extractor, progress)
    value, _ = kid_from_features(real_set.features, fake_set.features, subsets, subset_size, seed)
    return value
