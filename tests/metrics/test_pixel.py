"""L1, L2, PSNR and SSIM on constructed images with known values."""

import math

import numpy as np
import pytest
import torch
from scipy.signal import convolve2d

from gankit.errors import GankitError
from gankit.metrics import l1, l2, psnr, ssim
from gankit.metrics.pixel import gaussian_window


def constant(value, size=16, channels=3):
    return torch.full((1, channels, size, size), float(value))


def test_an_offset_of_a_tenth_of_the_range():
    # 0.2 in [-1, 1] units is 0.1 in [0, 1]: L1 0.1, MSE 0.01, PSNR exactly 20 dB.
    target = torch.rand(2, 3, 16, 16, generator=torch.Generator().manual_seed(0)) * 1.6 - 0.8
    output = target + 0.2
    assert l1(output, target) == pytest.approx(0.1)
    assert l2(output, target) == pytest.approx(0.01)
    assert psnr(output, target) == pytest.approx(20.0)


def test_identical_images_are_perfect():
    image = torch.rand(1, 1, 16, 16) * 2 - 1
    assert l1(image, image) == 0.0 and l2(image, image) == 0.0
    assert psnr(image, image) == math.inf
    assert ssim(image, image) == pytest.approx(1.0)


def test_value_range_reads_8_bit_images():
    target = torch.zeros(1, 1, 12, 12)
    output = target + 25.5
    assert psnr(output, target, value_range=(0, 255)) == pytest.approx(20.0)


def test_ssim_of_flat_images_is_the_luminance_term():
    # Flat images have no variance: SSIM = (2 a b + C1) / (a^2 + b^2 + C1), C1 = 0.01^2.
    a, b = 0.5, 0.25
    expected = (2 * a * b + 1e-4) / (a * a + b * b + 1e-4)
    assert ssim(constant(2 * b - 1), constant(2 * a - 1)) == pytest.approx(expected, rel=1e-12)
    reflected = ssim(constant(2 * b - 1), constant(2 * a - 1), border="reflect")
    assert reflected == pytest.approx(expected, rel=1e-6)  # float32 blur of the padded border


def test_ssim_with_reflected_borders_averages_the_whole_image():
    """Only the first column differs: no valid window is centred on it and its weight at the
    nearest centre, 5 pixels away, is exp(-25 / 4.5) = 0.4 % of the peak, while the reflected
    map has its own windows centred there."""
    rng = np.random.default_rng(2)
    target = torch.from_numpy(rng.random((1, 1, 16, 32)) * 2 - 1).float()
    output = target.clone()
    output[..., :1] = -output[..., :1]
    assert ssim(output, target) > 0.999
    assert ssim(output, target, border="reflect") < 0.96
    with pytest.raises(GankitError, match="'valid'.*'reflect'"):
        ssim(output, target, border="same")


def test_ssim_matches_wangs_formula_with_a_valid_gaussian_filter():
    rng = np.random.default_rng(1)
    x, y = rng.random((20, 24)), rng.random((20, 24))
    y = 0.6 * x + 0.4 * y  # correlated, so every term matters
    window = np.outer(gaussian_window().numpy(), gaussian_window().numpy())

    def filt(image):
        return convolve2d(image, window[::-1, ::-1], mode="valid")

    mx, my = filt(x), filt(y)
    vx, vy, cxy = filt(x * x) - mx**2, filt(y * y) - my**2, filt(x * y) - mx * my
    c1, c2 = 0.01**2, 0.03**2
    expected = np.mean(
        (2 * mx * my + c1) * (2 * cxy + c2) / ((mx**2 + my**2 + c1) * (vx + vy + c2))
    )
    as_tensor = lambda a: torch.from_numpy(a)[None, None] * 2 - 1  # noqa: E731
    assert ssim(as_tensor(y), as_tensor(x)) == pytest.approx(expected, rel=1e-10)


def test_gaussian_window_is_normalised_with_sigma_1_5():
    taps = gaussian_window()
    assert len(taps) == 11 and taps.sum() == pytest.approx(1.0)
    assert taps[5] / taps[6] == pytest.approx(math.exp(1 / (2 * 1.5**2)))


def test_noise_lowers_ssim_and_psnr():
    generator = torch.Generator().manual_seed(2)
    image = torch.rand(1, 3, 32, 32, generator=generator) * 2 - 1
    noisy = (image + 0.3 * torch.randn(image.shape, generator=generator)).clamp(-1, 1)
    assert ssim(noisy, image) < 0.9
    assert psnr(noisy, image) < 25


def test_shape_mismatch_and_tiny_images_raise():
    with pytest.raises(GankitError, match="same shape"):
        l1(torch.zeros(1, 3, 8, 8), torch.zeros(1, 3, 8, 9))
    with pytest.raises(GankitError, match="window"):
        ssim(torch.zeros(1, 1, 8, 8), torch.zeros(1, 1, 8, 8))
