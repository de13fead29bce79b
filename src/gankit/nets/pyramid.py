"""Gaussian and Laplacian image pyramids (Burt & Adelson 1983), as LAPGAN uses them.

Denton et al. 2015, "Deep Generative Image Models using a Laplacian Pyramid of Adversarial
Networks", §3: d(.) "blurs and decimates" an image to half its size, u(.) "smoothes and expands"
it to twice; the Gaussian pyramid is I_0 = I, I_{k+1} = d(I_k); the Laplacian pyramid holds the
band-pass images h_k = I_k - u(I_{k+1}) for k < K and the low-pass residual I_K. Reconstruction
runs coarse to fine, I_k = u(I_{k+1}) + h_k, and gives back I_0 (up to floating-point rounding)
whatever d and u are. Lists are ordered as in the paper: index 0 is the finest.

Two kinds of d and u (``kind``):

- ``gaussian`` (the default): Burt & Adelson 1983's REDUCE and EXPAND, a 5-tap blur then 2x
  decimation, and 2x zero insertion then the same blur (times 4, so brightness is kept). The
  kernel is their generating kernel with a = 3/8, the binomial [1, 4, 6, 4, 1] / 16 per axis:
  the member of their Gaussian-like family that OpenCV's pyrDown/pyrUp use, and exact in binary
  floating point. Borders repeat the edge pixels, so a constant image stays constant (up to
  rounding).
- ``average``: 2x2 average pooling down and bilinear upsampling up (gankit's earlier pyramid).

Denton et al.'s released code (facebook/eyescream) resized with Torch's ``image.scale`` instead;
the Gaussian here follows their paper's words and the Burt & Adelson pyramid it cites.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from gankit.errors import ConfigError, UnknownNameError

KINDS = ("gaussian", "average")
TAPS = (1.0, 4.0, 6.0, 4.0, 1.0)  # Burt & Adelson's generating kernel with a = 3/8, times 16


def check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise UnknownNameError("pyramid", kind, KINDS)


def blur_kernel(channels: int, like: torch.Tensor) -> torch.Tensor:
    """The 5x5 separable blur, one per channel (channels, 1, 5, 5), summing to 1 in each."""
    taps = torch.tensor(TAPS, dtype=like.dtype, device=like.device) / 16
    return torch.outer(taps, taps).repeat(channels, 1, 1, 1)


def downsample(images: torch.Tensor, kind: str = "gaussian") -> torch.Tensor:
    """d(I), (N, C, H, W) -> (N, C, H/2, W/2): blur, keep every other pixel (or average 2x2)."""
    check_kind(kind)
    if kind == "average":
        return F.avg_pool2d(images, 2)
    channels = images.shape[1]
    padded = F.pad(images, (2, 2, 2, 2), mode="replicate")
    return F.conv2d(padded, blur_kernel(channels, images), stride=2, groups=channels)


def upsample(images: torch.Tensor, kind: str = "gaussian") -> torch.Tensor:
    """u(I), (N, C, H, W) -> (N, C, 2H, 2W): insert zeros, blur times 4 (or bilinear)."""
    check_kind(kind)
    if kind == "average":
        return F.interpolate(images, scale_factor=2, mode="bilinear", align_corners=False)
    channels, height, width = images.shape[1:]
    padded = F.pad(images, (1, 1, 1, 1), mode="replicate")  # the neighbours EXPAND reads
    kernel = 4 * blur_kernel(channels, images)
    expanded = F.conv_transpose2d(padded, kernel, stride=2, groups=channels)
    # Pixel i of the padded image lands at 2i + 2 of the output; the image starts at i = 1.
    return expanded[..., 4 : 4 + 2 * height, 4 : 4 + 2 * width]


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


def gaussian_pyramid(
    images: torch.Tensor, levels: int, kind: str = "gaussian"
) -> list[torch.Tensor]:
    """[I_0, ..., I_{levels-1}], each half the size of the one before."""
    check_levels(images.shape[-1], levels)
    pyramid = [images]
    for _ in range(levels - 1):
        pyramid.append(downsample(pyramid[-1], kind))
    return pyramid


def laplacian_pyramid(
    images: torch.Tensor, levels: int, kind: str = "gaussian"
) -> list[torch.Tensor]:
    """[h_0, ..., h_{levels-2}, I_{levels-1}]: band-pass images, then the low-pass residual."""
    gaussian = gaussian_pyramid(images, levels, kind)
    bands = [fine - upsample(coarse, kind) for fine, coarse in zip(gaussian[:-1], gaussian[1:])]
    return [*bands, gaussian[-1]]


def reconstruct(pyramid: list[torch.Tensor], kind: str = "gaussian") -> torch.Tensor:
    """I_0 from a Laplacian pyramid: I_k = u(I_{k+1}) + h_k, from the coarsest level down."""
    image = pyramid[-1]
    for band in reversed(pyramid[:-1]):
        image = upsample(image, kind) + band
    return image
