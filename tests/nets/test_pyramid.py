"""Laplacian pyramids: decomposition followed by reconstruction gives the image back."""

import pytest
import torch
import torch.nn.functional as F

from gankit.errors import ConfigError, UnknownNameError
from gankit.nets.pyramid import (
    KINDS,
    blur_kernel,
    downsample,
    gaussian_pyramid,
    laplacian_pyramid,
    reconstruct,
    upsample,
)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("levels", [1, 2, 3])
def test_decomposition_then_reconstruction_is_exact(levels, kind):
    images = torch.rand(4, 3, 28, 28, dtype=torch.float64) * 2 - 1
    pyramid = laplacian_pyramid(images, levels, kind)
    assert [p.shape[-1] for p in pyramid] == [28 // 2**k for k in range(levels)]
    assert torch.allclose(reconstruct(pyramid, kind), images, rtol=0, atol=1e-12)
    single = laplacian_pyramid(images.float(), levels, kind)
    assert torch.allclose(reconstruct(single, kind), images.float(), rtol=0, atol=1e-6)


def test_bands_are_the_detail_lost_by_each_halving():
    images = torch.rand(2, 1, 16, 16)
    gaussian = gaussian_pyramid(images, 3)
    bands = laplacian_pyramid(images, 3)
    assert torch.equal(gaussian[1], downsample(images))
    assert torch.allclose(bands[0], images - upsample(gaussian[1]))
    assert torch.equal(bands[-1], gaussian[-1])  # the low-pass residual


def test_the_blur_is_burt_and_adelsons_binomial_kernel_summing_to_one():
    kernel = blur_kernel(3, torch.zeros(1, dtype=torch.float64))
    taps = torch.tensor([1, 4, 6, 4, 1], dtype=torch.float64) / 16
    assert kernel.shape == (3, 1, 5, 5)
    assert torch.equal(kernel[1, 0], torch.outer(taps, taps))
    assert torch.equal(kernel.sum(dim=(1, 2, 3)), torch.ones(3, dtype=torch.float64))


@pytest.mark.parametrize("kind", KINDS)
def test_a_constant_image_stays_constant_and_has_no_bands(kind):
    flat = torch.full((1, 3, 16, 16), 0.3)
    assert torch.allclose(downsample(flat, kind), torch.full((1, 3, 8, 8), 0.3), atol=1e-7)
    assert torch.allclose(upsample(flat, kind), torch.full((1, 3, 32, 32), 0.3), atol=1e-7)
    assert torch.allclose(laplacian_pyramid(flat, 3, kind)[0], torch.zeros_like(flat), atol=1e-7)


def test_gaussian_reduce_and_expand_against_a_hand_computation():
    # Along a row 0, 1, ..., 7, REDUCE's output j is sum_m w(m) x(2j + m), edges repeated:
    # j = 0: (1·0 + 4·0 + 6·0 + 4·1 + 1·2) / 16; j = 3: (4 + 4·5 + 6·6 + 4·7 + 7) / 16.
    ramp = torch.arange(8.0).expand(1, 1, 8, 8)
    assert downsample(ramp)[0, 0, 0].tolist() == [6 / 16, 2, 4, 95 / 16]
    # EXPAND of 0, 1, 2, 3: even outputs (x(i-1) + 6 x(i) + x(i+1)) / 8, odd (x(i) + x(i+1)) / 2.
    coarse = torch.arange(4.0).expand(1, 1, 4, 4)
    expected = [1 / 8, 1 / 2, 1, 3 / 2, 2, 5 / 2, 23 / 8, 3]
    assert upsample(coarse)[0, 0].tolist() == [expected] * 8


def test_the_gaussian_aliases_less_than_average_pooling():
    # Stripes of period 3 px are finer than a half-size image can hold: 2x2 averaging turns them
    # into a false coarse pattern of amplitude 1/2, the binomial blur passes 1/16 of them.
    stripes = torch.tensor([1.0, -1.0, 0.0] * 6)[:16].expand(1, 1, 16, 16)
    assert downsample(stripes, "average")[..., 1:-1].abs().max() == 0.5
    assert downsample(stripes)[..., 1:-1].abs().max() == pytest.approx(1 / 16)


def test_average_is_pooling_down_and_bilinear_up():
    images = torch.rand(2, 3, 8, 8)
    assert torch.equal(downsample(images, "average"), F.avg_pool2d(images, 2))
    bilinear = F.interpolate(images, scale_factor=2, mode="bilinear", align_corners=False)
    assert torch.equal(upsample(images, "average"), bilinear)


def test_unknown_kinds_and_sizes_that_do_not_halve_evenly_are_refused():
    with pytest.raises(UnknownNameError, match="Did you mean 'average'"):
        downsample(torch.rand(1, 1, 8, 8), "averge")
    with pytest.raises(ConfigError, match="divisible by 8"):
        laplacian_pyramid(torch.rand(1, 1, 28, 28), 4)
