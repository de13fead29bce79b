"""Precision/recall (k-NN manifolds) and density/coverage, on sets small enough to check by hand."""

import numpy as np
import pytest

from gankit.errors import GankitError
from gankit.metrics import density_coverage, precision_recall
from gankit.metrics.precision_recall import kth_neighbour_radii


def test_radii_skip_the_point_itself():
    points = np.array([[0.0], [1.0], [3.0], [7.0]])
    import torch

    radii = kth_neighbour_radii(torch.tensor(points), k=1)
    assert radii.tolist() == [1.0, 1.0, 2.0, 4.0]


def test_a_hand_worked_one_dimensional_example():
    real = np.arange(5.0)[:, None]  # 0..4: every 1st-neighbour radius is 1
    fake = np.array([[0.5], [10.0]])  # fake radii (k=1) are both 9.5
    assert precision_recall(real, fake, k=1) == (0.5, 1.0)
    # Density: 0.5 lies in the balls of 0 and 1, 10 in none -> (2 + 0) / 2 / k.
    # Coverage: only reals 0 and 1 have a fake closer than their radius.
    assert density_coverage(real, fake, k=1) == (1.0, 0.4)


def test_identical_sets_have_full_precision_recall_and_coverage():
    features = np.random.default_rng(0).normal(size=(50, 8))
    assert precision_recall(features, features) == (1.0, 1.0)
    assert density_coverage(features, features).coverage == 1.0


def test_far_apart_sets_score_zero():
    rng = np.random.default_rng(1)
    real, fake = rng.normal(size=(40, 4)), rng.normal(size=(40, 4)) + 100
    assert precision_recall(real, fake) == (0.0, 0.0)
    assert density_coverage(real, fake) == (0.0, 0.0)


def test_a_collapsed_generator_is_precise_but_has_low_recall():
    rng = np.random.default_rng(2)
    real = rng.normal(size=(300, 2))
    fake = real[:5].repeat(60, axis=0) + rng.normal(scale=1e-3, size=(300, 2))
    result = precision_recall(real, fake)
    assert result.precision > 0.9
    assert result.recall < 0.2


def test_too_few_points_for_k_raise():
    with pytest.raises(GankitError, match="more than 3"):
        precision_recall(np.zeros((3, 2)), np.zeros((10, 2)))
