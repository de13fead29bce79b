"""Mode coverage and high-quality fraction on the toy mixtures (VEEGAN protocol)."""

import numpy as np
import pytest
import torch

from gankit.data.toy2d import grid_means, ring_means
from gankit.errors import GankitError
from gankit.metrics.toy2d import PROTOCOL_NUM_SAMPLES, mode_coverage


def test_protocol_constant_is_veegans_2500():
    assert PROTOCOL_NUM_SAMPLES == 2500


def test_samples_exactly_at_every_mean_cover_all_modes():
    means = ring_means(8)
    result = mode_coverage(means.repeat(10, 1), means, sigma=0.01)
    assert result == {"modes_covered": 8, "num_modes": 8, "high_quality": 1.0}
    assert isinstance(result["modes_covered"], int) and isinstance(result["high_quality"], float)


def test_samples_at_five_of_eight_means_cover_five():
    means = ring_means(8)
    result = mode_coverage(means[[0, 2, 3, 5, 7]].repeat(4, 1), means, sigma=0.01)
    assert result["modes_covered"] == 5
    assert result["high_quality"] == 1.0


def test_far_off_samples_are_not_high_quality_and_cover_nothing():
    means = grid_means()
    result = mode_coverage(torch.full((100, 2), 1.0), means, sigma=0.05)
    assert result == {"modes_covered": 0, "num_modes": 25, "high_quality": 0.0}


def test_threshold_counts_in_sigmas_and_mixes():
    means = ring_means(8)
    sigma = 0.01
    near = means[:4] + torch.tensor([2.9 * sigma, 0.0])  # within 3 sigma of modes 0-3
    far = means[4:] + torch.tensor([0.0, 3.5 * sigma])  # 3.5 sigma from modes 4-7
    samples = torch.cat([near, far]).double()
    result = mode_coverage(samples, means, sigma)
    assert result["modes_covered"] == 4 and result["high_quality"] == 0.5
    assert mode_coverage(samples, means, sigma, threshold=4.0)["modes_covered"] == 8


def test_numpy_inputs_and_a_real_sample_of_the_mixture():
    means = grid_means().numpy()
    generator = torch.Generator().manual_seed(0)
    modes = torch.randint(25, (PROTOCOL_NUM_SAMPLES,), generator=generator)
    samples = grid_means()[modes] + 0.05 * torch.randn(PROTOCOL_NUM_SAMPLES, 2, generator=generator)
    result = mode_coverage(samples.numpy(), means, sigma=0.05)
    assert result["modes_covered"] == 25
    # A 2-D Gaussian lies within 3 sigma with probability 1 - exp(-4.5) = 0.989.
    assert result["high_quality"] == pytest.approx(1 - np.exp(-4.5), abs=0.01)


def test_mismatched_shapes_raise():
    with pytest.raises(GankitError, match="same D"):
        mode_coverage(torch.zeros(10, 3), ring_means(8), sigma=0.01)
    with pytest.raises(GankitError, match="sigma"):
        mode_coverage(torch.zeros(10, 2), ring_means(8), sigma=0.0)
