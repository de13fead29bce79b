"""Gaussian and Laplacian image pyramids (Burt & Adelson 1983), as LAPGAN uses them.

Denton et al. 2015, "Deep Generative Image Models using a Laplacian Pyramid of Adversarial
Networks", §3: d(.) halves an image, u(.) doubles it; the Gaussian pyramid is I_0 = I,
I_{k+1} = d(I_k); the Laplacian pyramid holds the band-pass images h_k = I_k - u(I_{k+1}) for
k < K and the low-pass residual I_K. Reconstruction runs coarse to fine, I_k = u(I_{k+1}) + h_k,
and gives back I_0 (up to floating-point rounding) whatever d and u are. Here d is 2x2 average
pooling and u bilinear upsampling. Lists are ordered as in the paper: index 0 is the finest.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from gankit.errors import ConfigError


def downsample(images: torch.Tensor) -> torch.Tensor:
    """d(I): 2x2 average pooling, (N, C, H, W) -> (N, C, H/2, W/2)."""
    return F.avg_pool2d(images, 2)


def upsample(images: torch.Tensor) -> torch.Tensor:
    """u(I): bilinear upsampling, (N, C, H, W) -> (N, C, 2H, 2W)."""
    return F.interpolate(images, scale_factor=2, mode="bilinear", align_corners=False)


def check_levels(size: int, levels: int) -> None:
    """Refuse a pyramid that cannot halve ``size`` evenly ``levels - 1`` times."""
    if levels < 1:
        raise ConfigError(f"A pyramid needs at least one level, got levels={levels}.")
    if size % 2 ** (levels - 1):
        sizes = [size // 2**k for k in range(levels)]
        raise ConfigError(
            f"A {levels}-level pyramid halves the image {levels - 1} times, but {size} px does "
            f"not halve evenly that often ({sizes}). Use fewer levels or a data.image_size "
            f"divisible by {2 ** (levels - 1)}."
        )


def gaussian_pyramid(images: torch.Tensor, levels: int) -> list[torch.Tensor]:
    """[I_0, ..., I_{levels-1}], each half the size of the one before."""
    check_levels(images.shape[-1], levels)
    pyramid = [images]
    for _ in range(levels - 1):
        pyramid.append(downsample(pyramid[-1]))
    return pyramid


def laplacian_pyramid(images: torch.Tensor, levels: int) -> list[torch.Tensor]:
    """[h_0, ..., h_{levels-2}, I_{levels-1}]: band-pass images, then the low-pass residual."""
    gaussian = gaussian_pyramid(images, levels)
    bands = [fine - upsample(coarse) for fine, coarse in zip(gaussian[:-1], gaussian[1:])]
    return [*bands, gaussian[-1]]


def reconstruct(pyramid: list[torch.Tensor]) -> torch.Tensor:
    """I_0 from a Laplacian pyramid: I_k = u(I_{k+1}) + h_k, from the coarsest level down."""
    image = pyramid[-1]
    for band in reversed(pyramid[:-1]):
        image = upsample(image) + band
    return image
