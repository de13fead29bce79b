"""Colour statistics of an image against a target, as in the semantic-map noise study.

Tucker 2022 ("Using GANs to produce art in a particular style from semantic maps", section 6,
tables 1-2) compares a pix2pix output with its target by the per-channel mean and variance of
the RGB values, the *mean norm* (the average Euclidean length of a pixel's RGB vector, a
measure of saturation), and the per-channel percent error of the mean,
``|mean_target - mean_output| / mean_target * 100``. All are in 0-255 units.

The study also tabulates the image ``target - output``, but it was built with unsigned 8-bit
arithmetic and wrapped around (the author notes the error: "what is a negative pixel?"). Here
the difference is kept signed, in floating point, so its mean is exactly the difference of the
means.
"""

from __future__ import annotations

from typing import TypedDict

import torch

from gankit.errors import GankitError


def _rgb_255(image: torch.Tensor, value_range: tuple[float, float]) -> torch.Tensor:
    """One RGB image (3, H, W) as float64 pixels (H*W, 3) in 0-255 units."""
    if image.ndim == 4 and image.shape[0] == 1:
        image = image[0]
    if image.ndim != 3 or image.shape[0] != 3:
        raise GankitError(
            f"Colour statistics need one RGB image shaped (3, H, W), got {tuple(image.shape)}."
        )
    low, high = value_range
    pixels = (image.double() - low) * (255.0 / (high - low))
    return pixels.flatten(1).T


def _statistics(pixels: torch.Tensor) -> dict[str, list[float] | float]:
    return {
        "mean": pixels.mean(dim=0).tolist(),
        "variance": pixels.var(dim=0, unbiased=False).tolist(),
        "mean_norm": float(pixels.norm(dim=1).mean()),
    }


def colour_statistics(
    image: torch.Tensor, value_range: tuple[float, float] = (-1.0, 1.0)
) -> dict[str, list[float] | float]:
    """Per-channel mean and variance, and the mean RGB norm, of one image, in 0-255 units."""
    return _statistics(_rgb_255(image, value_range))


def percent_error_of_mean(
    output: torch.Tensor, target: torch.Tensor, value_range: tuple[float, float] = (-1.0, 1.0)
) -> list[float]:
    """``|mean_target - mean_output| / mean_target * 100`` per RGB channel."""
    output_mean = _rgb_255(output, value_range).mean(dim=0)
    target_mean = _rgb_255(target, value_range).mean(dim=0)
    if (target_mean == 0).any():
        raise GankitError(
            "The target has a channel whose mean is 0, so the percent error of the mean is "
            "undefined for it."
        )
    return ((target_mean - output_mean).abs() / target_mean * 100).tolist()


class ColourComparison(TypedDict):
    """What :func:`colour_comparison` returns."""

    target: dict[str, list[float] | float]
    output: dict[str, list[float] | float]
    difference: dict[str, list[float] | float]
    percent_error_of_mean: list[float]


def colour_comparison(
    output: torch.Tensor, target: torch.Tensor, value_range: tuple[float, float] = (-1.0, 1.0)
) -> ColourComparison:
    """The study's table for one output: target, output and signed ``target - output`` stats.

    Returns ``{"target": stats, "output": stats, "difference": stats, "percent_error_of_mean":
    [r, g, b]}``, each ``stats`` as :func:`colour_statistics` gives it.
    """
    output_pixels = _rgb_255(output, value_range)
    target_pixels = _rgb_255(target, value_range)
    if output_pixels.shape != target_pixels.shape:
        raise GankitError(
            f"The output and the target must be the same size, got {tuple(output.shape)} and "
            f"{tuple(target.shape)}."
        )
    return {
        "target": _statistics(target_pixels),
        "output": _statistics(output_pixels),
        "difference": _statistics(target_pixels - output_pixels),
        "percent_error_of_mean": percent_error_of_mean(output, target, value_range),
    }
