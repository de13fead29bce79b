"""KID against a direct computation of the unbiased MMD^2 with the cubic kernel."""

import numpy as np
import pytest

from gankit.errors import GankitError
from gankit.metrics import kid
from gankit.metrics.kid import kid_from_features


def direct_mmd2(x, y):
    """The unbiased MMD^2 estimator written out pair by pair (Gretton et al. 2012, lemma 6)."""
    d, m = x.shape[1], len(x)

    def k(a, b):
        return (np.dot(a, b) / d + 1) ** 3

    xx = sum(k(x[i], x[j]) for i in range(m) for j in range(m) if i != j) / (m * (m - 1))
    yy = sum(k(y[i], y[j]) for i in range(m) for j in range(m) if i != j) / (m * (m - 1))
    xy = sum(k(x[i], y[j]) for i in range(m) for j in range(m)) / (m * m)
    return xx + yy - 2 * xy


def test_one_full_subset_matches_the_direct_computation():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(25, 6)), rng.normal(size=(25, 6)) + 0.3
    value = kid(x, y, subsets=1, subset_size=25)
    # A subset as large as the set is a permutation of it, which MMD^2 does not see.
    assert value.mean == pytest.approx(direct_mmd2(x, y), rel=1e-10)
    assert value.std == 0.0


def test_mean_and_std_are_over_the_subsets():
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(60, 4)), rng.normal(size=(60, 4)) + 1.0
    value, size = kid_from_features(x, y, subsets=7, subset_size=20, seed=3)
    draws = np.random.RandomState(3)
    expected = []
    for _ in range(7):
        xs = x[draws.choice(60, 20, replace=False)]
        ys = y[draws.choice(60, 20, replace=False)]
        expected.append(direct_mmd2(xs, ys))
    assert size == 20
    assert value.mean == pytest.approx(np.mean(expected), rel=1e-10)
    assert value.std == pytest.approx(np.std(expected), rel=1e-8)


def test_same_distribution_is_near_zero_and_a_shift_is_not():
    rng = np.random.default_rng(2)
    a, b = rng.normal(size=(400, 8)), rng.normal(size=(400, 8))
    same = kid(a, b, subsets=20, subset_size=200)
    shifted = kid(a, b + 2.0, subsets=20, subset_size=200)
    assert abs(same.mean) < 3 * same.std + 1e-3
    assert shifted.mean > 100 * max(abs(same.mean), 1e-4)


def test_small_sets_use_the_smaller_size_as_subset_size():
    rng = np.random.default_rng(3)
    _, size = kid_from_features(rng.normal(size=(30, 3)), rng.normal(size=(50, 3)), subsets=2)
    assert size == 30


def test_mismatched_feature_sizes_raise():
    with pytest.raises(GankitError, match="same D"):
        kid(np.zeros((10, 3)), np.zeros((10, 4)))


def test_subsets_as_large_as_both_sets_report_no_spread():
    rng = np.random.default_rng(4)
    x, y = rng.normal(size=(40, 5)), rng.normal(size=(40, 5)) + 0.5
    value, size = kid_from_features(x, y, subsets=100, subset_size=1000)
    assert size == 40
    assert value.std == 0.0  # every subset is the two whole sets: no 1e-14 of rounding
    assert value.mean == pytest.approx(direct_mmd2(x, y), rel=1e-10)
