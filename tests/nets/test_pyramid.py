"""Laplacian pyramids: decomposition followed by reconstruction gives the image back."""

import pytest
import torch

from gankit.errors import ConfigError
from gankit.nets.pyramid import (
    downsample,
    gaussian_pyramid,
    laplacian_pyramid,
    reconstruct,
    upsample,
)


@pytest.mark.parametrize("levels", [1, 2, 3])
def test_decomposition_then_reconstruction_is_exact(levels):
    images = torch.rand(4, 3, 28, 28, dtype=torch.float64) * 2 - 1
    pyramid = laplacian_pyramid(images, levels)
    assert [p.shape[-1] for p in pyramid] == [28 // 2**k for k in range(levels)]
    assert torch.allclose(reconstruct(pyramid), images, rtol=0, atol=1e-12)
    single = laplacian_pyramid(images.float(), levels)
    assert torch.allclose(reconstruct(single), images.float(), rtol=0, atol=1e-6)


def test_bands_are_the_detail_lost_by_each_halving():
    images = torch.rand(2, 1, 16, 16)
    gaussian = gaussian_pyramid(images, 3)
    bands = laplacian_pyramid(images, 3)
    assert torch.equal(gaussian[1], downsample(images))
    assert torch.allclose(bands[0], images - upsample(gaussian[1]))
    assert torch.equal(bands[-1], gaussian[-1])  # the low-pass residual
    flat = torch.full((1, 1, 16, 16), 0.3)
    assert torch.allclose(laplacian_pyramid(flat, 3)[0], torch.zeros(1, 1, 16, 16), atol=1e-7)


def test_sizes_that_do_not_halve_evenly_are_refused():
    with pytest.raises(ConfigError, match="divisible by 8"):
        laplacian_pyramid(torch.rand(1, 1, 28, 28), 4)
