"""Paired pixel metrics for translation models: L1, L2, PSNR and SSIM.

Each compares a batch of outputs with their targets, image by image, and averages over the
batch. Images are gankit's (N, C, H, W) in [-1, 1] unless ``value_range`` says otherwise; they
are mapped to [0, 1] first, so PSNR and SSIM read as they would on 8-bit images scaled by 1/255.

SSIM is Wang et al. 2004 ("Image Quality Assessment: From Error Visibility to Structural
Similarity", equation 13 and section III-C): local statistics under an 11x11 Gaussian window
with sigma 1.5, constants K1 = 0.01 and K2 = 0.03, the map averaged over the positions where
the window fits inside the image (the authors' ``filter2(..., 'valid')``), then over channels.
The authors' optional downsampling of large images is not applied.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from gankit.errors import GankitError

SSIM_WINDOW = 11
SSIM_SIGMA = 1.5
SSIM_K1 = 0.01
SSIM_K2 = 0.03
SSIM_BORDERS = ("valid", "reflect")


def _unit_pair(
    output: torch.Tensor, target: torch.Tensor, value_range: tuple[float, float]
) -> tuple[torch.Tensor, torch.Tensor]:
    if output.shape != target.shape or output.ndim != 4:
        raise GankitError(
            f"Pixel metrics compare two batches (N, C, H, W) of the same shape, got "
            f"{tuple(output.shape)} and {tuple(target.shape)}."
        )
    low, high = value_range
    if not high > low:
        raise GankitError(f"value_range must be (low, high) with high > low, got {value_range}.")
    scale = high - low
    return (output.double() - low) / scale, (target.double() - low) / scale


def l1(
    output: torch.Tensor, target: torch.Tensor, value_range: tuple[float, float] = (-1.0, 1.0)
) -> float:
    """Mean absolute difference, in [0, 1] units."""
    x, y = _unit_pair(output, target, value_range)
    return float((x - y).abs().mean())


def l2(
    output: torch.Tensor, target: torch.Tensor, value_range: tuple[float, float] = (-1.0, 1.0)
) -> float:
    """Mean squared difference (the MSE), in [0, 1] units."""
    x, y = _unit_pair(output, target, value_range)
    return float((x - y).square().mean())


def psnr(
    output: torch.Tensor, target: torch.Tensor, value_range: tuple[float, float] = (-1.0, 1.0)
) -> float:
    """Peak signal-to-noise ratio in dB, ``10 log10(1 / MSE)`` per image, averaged.

    An image identical to its target has infinite PSNR, and so then has the average.
    """
    x, y = _unit_pair(output, target, value_range)
    mse = (x - y).square().flatten(1).mean(dim=1)
    values = [math.inf if m == 0 else -10.0 * math.log10(m) for m in mse.tolist()]
    return float(sum(values) / len(values))


def gaussian_window(size: int = SSIM_WINDOW, sigma: float = SSIM_SIGMA) -> torch.Tensor:
    """A normalised 1-D Gaussian of ``size`` taps (the SSIM window is its outer product)."""
    offsets = torch.arange(size, dtype=torch.float64) - (size - 1) / 2
    weights = torch.exp(-(offsets**2) / (2 * sigma**2))
    return weights / weights.sum()


def ssim(
    output: torch.Tensor,
    target: torch.Tensor,
    value_range: tuple[float, float] = (-1.0, 1.0),
    window: int = SSIM_WINDOW,
    sigma: float = SSIM_SIGMA,
    border: str = "valid",
) -> float:
    """Mean structural similarity (Wang et al. 2004, eq. 13); 1 for identical images.

    ``border`` says where the SSIM map is averaged: ``"valid"`` (the default) over the positions
    where the window fits inside the image, as Wang et al.'s ``ssim_index.m`` and scikit-image;
    ``"reflect"`` over every pixel of the image padded by reflection, with negative variances
    clipped to 0, as torchmetrics computes it by default since its pull request #2721 (2024).
    """
    if border not in SSIM_BORDERS:
        raise GankitError(
            f"Unknown SSIM border {border!r}; use 'valid' (Wang et al., scikit-image) or "
            "'reflect' (torchmetrics)."
        )
    x, y = _unit_pair(output, target, value_range)
    if min(x.shape[-2:]) < window:
        raise GankitError(
            f"SSIM's {window}x{window} window needs images at least that large, got "
            f"{tuple(x.shape[-2:])}; pass a smaller window for tiny images."
        )
    if border == "reflect":
        pad = (window // 2,) * 4
        x, y = F.pad(x, pad, mode="reflect"), F.pad(y, pad, mode="reflect")
    channels = x.shape[1]
    taps = gaussian_window(window, sigma).to(x.device)
    rows = taps.view(1, 1, 1, window).repeat(channels, 1, 1, 1)
    columns = taps.view(1, 1, window, 1).repeat(channels, 1, 1, 1)

    def blur(image: torch.Tensor) -> torch.Tensor:
        return F.conv2d(F.conv2d(image, rows, groups=channels), columns, groups=channels)

    c1, c2 = SSIM_K1**2, SSIM_K2**2  # (K L)^2 with the dynamic range L = 1
    mu_x, mu_y = blur(x), blur(y)
    var_x = blur(x * x) - mu_x**2
    var_y = blur(y * y) - mu_y**2
    if border == "reflect":
        var_x, var_y = var_x.clamp(min=0), var_y.clamp(min=0)
    cov_xy = blur(x * y) - mu_x * mu_y
    numerator = (2 * mu_x * mu_y + c1) * (2 * cov_xy + c2)
    denominator = (mu_x**2 + mu_y**2 + c1) * (var_x + var_y + c2)
    return float((numerator / denominator).mean())
