"""Image grids, written without torchvision."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import torch
from PIL import Image


def to_uint8(images: torch.Tensor) -> torch.Tensor:
    """Images in [-1, 1] -> 8-bit pixels round((x + 1) * 127.5), on the CPU, same shape."""
    return ((images.detach().float().cpu().clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8)


def save_image(image: torch.Tensor, path: Path) -> None:
    """One image (C, H, W) in [-1, 1] as an 8-bit PNG (grayscale when C is 1)."""
    pixels = to_uint8(image)
    array = pixels[0].numpy() if pixels.shape[0] == 1 else pixels.permute(1, 2, 0).numpy()
    Image.fromarray(array).save(path)


def make_grid(
    images: torch.Tensor, nrow: int | None = None, padding: int = 2, pad_value: float = 1.0
) -> np.ndarray:
    """Tile ``images`` (N, C, H, W) in [-1, 1] into one uint8 array (H', W') or (H', W', 3).

    ``nrow`` images per row (default: a near-square grid); ``pad_value`` in [0, 1] colours the
    gaps (white by default, so dark digits stand apart).
    """
    if images.dim() != 4:
        raise ValueError(f"make_grid needs a (N, C, H, W) tensor, got shape {tuple(images.shape)}")
    n, channels, height, width = images.shape
    nrow = nrow or math.ceil(math.sqrt(n))
    rows = math.ceil(n / nrow)
    pixels = to_uint8(images)
    grid = np.full(
        (
            channels,
            rows * (height + padding) + padding,
            nrow * (width + padding) + padding,
        ),
        round(pad_value * 255),
        dtype=np.uint8,
    )
    for i in range(n):
        top = padding + (i // nrow) * (height + padding)
        left = padding + (i % nrow) * (width + padding)
        grid[:, top : top + height, left : left + width] = pixels[i].numpy()
    return grid[0] if channels == 1 else grid.transpose(1, 2, 0)


def save_image_grid(
    images: torch.Tensor, path: str | Path, nrow: int | None = None, min_width: int = 256
) -> Path:
    """Write a grid of ``images`` (N, C, H, W) in [-1, 1] as a PNG."""
    if images.shape[1] not in (1, 3):
        raise ValueError(f"Can only save 1- or 3-channel images, got {images.shape[1]} channels")
    return write_png(make_grid(images, nrow=nrow), path, min_width)


def write_png(pixels: np.ndarray, path: str | Path, min_width: int = 256) -> Path:
    """Write a uint8 array as a PNG, upscaled (nearest) to at least ``min_width`` pixels wide.

    Small images (8x8 digits) are unreadable at their own size; whole-pixel upscaling keeps them
    sharp and exact.
    """
    picture = Image.fromarray(pixels)
    factor = max(1, math.ceil(min_width / picture.width))
    if factor > 1:
        picture = picture.resize(
            (picture.width * factor, picture.height * factor), Image.Resampling.NEAREST
        )
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    picture.save(path)
    return path
