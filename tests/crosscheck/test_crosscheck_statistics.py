"""gankit's set metrics against the peers on identical features, statistics and logits.

No network runs here: every implementation is handed the same arrays, so what is compared is
the metric alone (the Frechet distance, KID's subsets and estimator, the Inception Score's
shuffle and splits, the nearest-neighbour balls of precision/recall and density/coverage).
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from peers import import_peer
from scipy import linalg

from gankit.metrics.frechet import fid, frechet_distance
from gankit.metrics.inception_score import inception_score_from_logits
from gankit.metrics.kid import kid_from_features
from gankit.metrics.precision_recall import (
    density_coverage_from_features,
    precision_recall_from_features,
)

pytestmark = pytest.mark.crosscheck

FRECHET_TOLERANCE = 1e-6
KID_TOLERANCE = 1e-9


def feature_pair(real_count: int, fake_count: int, dim: int, seed: int = 0):
    """Two correlated Gaussian feature sets with different means and covariances."""
    rng = np.random.default_rng(seed)
    real = rng.standard_normal((real_count, dim)) @ rng.standard_normal((dim, dim)) * 0.3
    fake = rng.standard_normal((fake_count, dim)) @ rng.standard_normal((dim, dim)) * 0.3 + 0.2
    return real, fake


def statistics(features: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """pytorch-fid's ``calculate_activation_statistics``: mean and ``np.cov`` (N - 1)."""
    return np.mean(features, axis=0), np.cov(features, rowvar=False)


def relative(value: float, reference: float) -> float:
    return abs(value - reference) / abs(reference)


# Full rank; fewer samples than dimensions (singular covariances, as with small sets).
FRECHET_CASES = {"full-rank-64d": (300, 250, 64), "singular-256d": (120, 90, 256)}


@pytest.mark.parametrize("case", FRECHET_CASES)
def test_frechet_distance_matches_scipy_sqrtm_and_the_peers(case):
    real, fake = feature_pair(*FRECHET_CASES[case])
    (mu1, sigma1), (mu2, sigma2) = statistics(real), statistics(fake)
    ours = frechet_distance(mu1, sigma1, mu2, sigma2)  # gankit's default: eigh
    root = linalg.sqrtm(sigma1 @ sigma2)
    by_sqrtm = float(
        (mu1 - mu2) @ (mu1 - mu2) + np.trace(sigma1) + np.trace(sigma2) - 2 * np.trace(root).real
    )
    pytorch_fid = import_peer("pytorch_fid.fid_score").calculate_frechet_distance(
        mu1, sigma1, mu2, sigma2
    )
    torch_fidelity = import_peer("torch_fidelity.metric_fid").fid_statistics_to_metric(
        {"mu": mu1, "sigma": sigma1}, {"mu": mu2, "sigma": sigma2}, False
    )["frechet_inception_distance"]
    clean_fid = import_peer("cleanfid.fid").frechet_distance(mu1, sigma1, mu2, sigma2)
    for reference in (by_sqrtm, pytorch_fid, torch_fidelity, clean_fid):
        assert relative(ours, reference) <= FRECHET_TOLERANCE
    # From features, gankit's mean and covariance are pytorch-fid's.
    assert relative(fid(real, fake), pytorch_fid) <= FRECHET_TOLERANCE


def test_kid_draws_torch_fidelitys_subsets():
    # 40 real, 60 fake, subsets of 25: each subset is a real draw on both sides, so a different
    # seed, draw order or sampling with replacement would change the values.
    real, fake = feature_pair(40, 60, 32, seed=1)
    ours, size = kid_from_features(real, fake, subsets=20, subset_size=25, seed=2020)
    theirs = import_peer("torch_fidelity.metric_kid").kid_features_to_metric(
        torch.from_numpy(real),  # input1 draws first, as gankit's real set does
        torch.from_numpy(fake),
        kid_subsets=20,
        kid_subset_size=25,
        rng_seed=2020,
        verbose=False,
    )
    assert size == 25
    assert relative(ours.mean, theirs["kernel_inception_distance_mean"]) <= KID_TOLERANCE
    assert relative(ours.std, theirs["kernel_inception_distance_std"]) <= KID_TOLERANCE


def test_kid_matches_clean_fids_estimator_on_the_same_subsets():
    # clean-fid draws from numpy's global generator, its second argument first.
    real, fake = feature_pair(40, 60, 32, seed=2)
    ours, _ = kid_from_features(real, fake, subsets=20, subset_size=25, seed=2020)
    state = np.random.get_state()
    try:
        np.random.seed(2020)
        theirs = import_peer("cleanfid.fid").kernel_distance(
            fake, real, num_subsets=20, max_subset_size=25
        )
    finally:
        np.random.set_state(state)
    assert relative(ours.mean, theirs) <= KID_TOLERANCE


def test_inception_score_uses_torch_fidelitys_shuffle_and_splits():
    rng = np.random.default_rng(3)
    logits = rng.standard_normal((57, 1008)) * 4  # 57: splits of 5 and 6 images
    ours = inception_score_from_logits(logits)
    theirs = import_peer("torch_fidelity.metric_isc").isc_features_to_metric(
        torch.from_numpy(logits), splits=10, shuffle=True, rng_seed=2020
    )
    assert relative(ours.mean, theirs["inception_score_mean"]) <= 1e-12
    assert relative(ours.std, theirs["inception_score_std"]) <= 1e-9


@pytest.fixture(scope="module")
def neighbour_features():
    real, fake = feature_pair(200, 150, 16, seed=4)
    return real, fake * 1.1  # overlapping, neither set inside the other


def test_precision_recall_and_density_coverage_equal_prdcs(neighbour_features):
    real, fake = neighbour_features
    compute_prdc = import_peer("prdc").compute_prdc
    at_3, at_5 = compute_prdc(real, fake, nearest_k=3), compute_prdc(real, fake, nearest_k=5)
    # gankit's defaults: k = 3 for precision/recall, k = 5 for density/coverage.
    assert precision_recall_from_features(real, fake) == (at_3["precision"], at_3["recall"])
    assert density_coverage_from_features(real, fake) == pytest.approx(
        (at_5["density"], at_5["coverage"]), rel=1e-12
    )
    assert 0 < at_3["precision"] < 1 and 0 < at_3["recall"] < 1 and 0 < at_5["coverage"] < 1


def test_precision_recall_equal_torch_fidelitys(neighbour_features):
    real, fake = neighbour_features
    theirs = import_peer("torch_fidelity.metric_prc").prc_features_to_metric(
        torch.from_numpy(fake),  # torch-fidelity: input1 is the generated set
        torch.from_numpy(real),
        prc_neighborhood=3,
        prc_batch_size=10000,
        save_cpu_ram=False,
        verbose=False,
    )
    ours = precision_recall_from_features(real, fake)
    assert ours == pytest.approx((theirs["precision"], theirs["recall"]), abs=1e-7)


def test_a_sample_on_a_ball_boundary_counts_as_inside_as_in_torch_fidelity_not_prdc():
    # Real points 0, 1, 2, 3 and generated 4, 5, 6, 7 on a line: with k = 1 every ball has
    # radius 1, and the generated 4 lies exactly on the boundary of the ball around the real 3
    # (and the real 3 on that of the ball around the generated 4). Kynkaanniemi et al.'s and
    # torch-fidelity's code test `<=` (inside); prdc tests `<` (outside). gankit follows the
    # former for precision/recall; density/coverage use `<` like Naeem et al.'s code (prdc).
    real = np.array([[0.0], [1.0], [2.0], [3.0]])
    fake = np.array([[4.0], [5.0], [6.0], [7.0]])  # prdc needs more than k + 1 points a set
    prdc = import_peer("prdc").compute_prdc(real, fake, nearest_k=1)
    torch_fidelity = import_peer("torch_fidelity.metric_prc").prc_features_to_metric(
        torch.from_numpy(fake),
        torch.from_numpy(real),
        prc_neighborhood=1,
        prc_batch_size=10000,
        save_cpu_ram=False,
        verbose=False,
    )
    ours = precision_recall_from_features(real, fake, k=1)
    assert ours.precision == torch_fidelity["precision"] == 0.25
    assert ours.recall == torch_fidelity["recall"] == 0.25  # real 3 on the boundary of fake 4's
    assert prdc["precision"] == prdc["recall"] == 0.0
    assert density_coverage_from_features(real, fake, k=1) == (
        prdc["density"],
        prdc["coverage"],
    )
