"""FID: zero for a set with itself, the closed form for Gaussians, and scipy's sqrtm agreement."""

import numpy as np
import pytest
import scipy.linalg
import torch

from gankit.errors import GankitError
from gankit.metrics import fid, frechet_distance, trace_sqrt_product
from gankit.metrics.frechet import trace_sqrt_product_scipy
from gankit.metrics.reference_stats import FeatureStatistics


def random_covariance(rng, dim, rank=None):
    factor = rng.normal(size=(dim, rank or dim))
    return factor @ factor.T / (rank or dim)


def test_fid_of_a_set_with_itself_is_zero():
    features = np.random.default_rng(0).normal(size=(300, 16))
    assert abs(fid(features, features)) < 1e-9


def test_fid_accepts_tensors_and_reference_statistics():
    features = torch.randn(200, 8, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    array = features.numpy()
    stats = FeatureStatistics(array.mean(axis=0), np.cov(array, rowvar=False), len(array))
    assert abs(fid(stats, features)) < 1e-9


def test_diagonal_gaussians_match_the_closed_form():
    # For commuting covariances the trace term is sum (sqrt(a_i) - sqrt(b_i))^2.
    mu1, mu2 = np.array([0.0, 1.0, 2.0]), np.array([1.0, 1.0, 0.0])
    var1, var2 = np.array([1.0, 4.0, 9.0]), np.array([4.0, 1.0, 1.0])
    expected = np.sum((mu1 - mu2) ** 2) + np.sum((np.sqrt(var1) - np.sqrt(var2)) ** 2)
    value = frechet_distance(mu1, np.diag(var1), mu2, np.diag(var2))
    assert value == pytest.approx(expected, rel=1e-12)
    assert expected == pytest.approx(5.0 + 1.0 + 1.0 + 4.0)


def test_general_gaussians_match_the_closed_form_with_scipy_sqrtm():
    rng = np.random.default_rng(2)
    s1, s2 = random_covariance(rng, 6), random_covariance(rng, 6)
    mu1, mu2 = rng.normal(size=6), rng.normal(size=6)
    root = scipy.linalg.sqrtm(scipy.linalg.sqrtm(s1) @ s2 @ scipy.linalg.sqrtm(s1)).real
    expected = np.sum((mu1 - mu2) ** 2) + np.trace(s1 + s2 - 2 * root)
    assert frechet_distance(mu1, s1, mu2, s2) == pytest.approx(expected, rel=1e-10)


def test_fid_of_samples_approaches_the_closed_form():
    rng = np.random.default_rng(3)
    mu1, mu2 = np.zeros(3), np.array([1.0, 0.0, -1.0])
    s1, s2 = np.diag([1.0, 2.0, 0.5]), np.diag([0.5, 2.0, 2.0])
    real = rng.multivariate_normal(mu1, s1, size=200_000)
    fake = rng.multivariate_normal(mu2, s2, size=200_000)
    assert fid(real, fake) == pytest.approx(frechet_distance(mu1, s1, mu2, s2), rel=0.01)


@pytest.mark.parametrize("rank", [None, 20, 3])
def test_eigh_trace_matches_scipy_sqrtm(rank):
    rng = np.random.default_rng(4)
    s1, s2 = random_covariance(rng, 48, rank), random_covariance(rng, 48, rank)
    root = scipy.linalg.sqrtm(s1 @ s2)
    assert trace_sqrt_product(s1, s2) == pytest.approx(np.trace(root).real, rel=1e-6, abs=1e-8)


def test_pytorch_fid_route_matches_on_well_conditioned_covariances():
    rng = np.random.default_rng(5)
    s1, s2 = random_covariance(rng, 32), random_covariance(rng, 32)
    mu1, mu2 = rng.normal(size=32), rng.normal(size=32)
    eigh = frechet_distance(mu1, s1, mu2, s2, method="eigh")
    sqrtm = frechet_distance(mu1, s1, mu2, s2, method="sqrtm")
    assert eigh == pytest.approx(sqrtm, rel=1e-9)


def test_fewer_samples_than_dimensions_stay_finite_and_real():
    # 10 samples in 64-D: both covariances have rank 9, the case sqrtm struggles with.
    rng = np.random.default_rng(6)
    real, fake = rng.normal(size=(10, 64)), rng.normal(size=(10, 64)) + 0.5
    value = fid(real, fake)
    assert np.isfinite(value) and value > 0
    s1, s2 = np.cov(real, rowvar=False), np.cov(fake, rowvar=False)
    assert trace_sqrt_product(s1, s2) == pytest.approx(
        np.trace(scipy.linalg.sqrtm(s1 @ s2)).real, rel=1e-5
    )


def test_a_large_imaginary_residue_raises_like_pytorch_fid():
    # A "covariance" with a negative eigenvalue gives sqrtm a clearly imaginary diagonal.
    bad = np.diag([1.0, -1.0])
    with pytest.raises(GankitError, match="imaginary component"):
        trace_sqrt_product_scipy(np.eye(2), bad)
    with pytest.raises(GankitError, match="not positive semi-definite"):
        trace_sqrt_product(np.eye(2), bad)


def test_mismatched_dimensions_say_what_to_check():
    with pytest.raises(GankitError, match="same feature extractor"):
        frechet_distance(np.zeros(3), np.eye(3), np.zeros(4), np.eye(4))


def test_one_image_is_not_enough():
    with pytest.raises(GankitError, match="at least 2"):
        fid(np.zeros((1, 4)), np.zeros((5, 4)))
