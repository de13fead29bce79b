"""Image conversions shared by every reader: pixels to [-1, 1], resizing, channel changes.

Every gankit image is a float tensor (C, H, W) in [-1, 1], the range of a generator ending in
``tanh`` (Radford et al. 2016, DCGAN, section 3). The readers turn their own storage (uint8
IDX bytes, 0..16 digit counts, decoded PIL images) into that form with these functions only.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from gankit.errors import DataError

# ITU-R BT.601 luma weights, the ones PIL's ``convert("L")`` uses, so a 3->1 conversion here
# matches converting the source image with PIL.
LUMA_WEIGHTS = (0.299, 0.587, 0.114)


def pixels_to_tensor(pixels: np.ndarray | torch.Tensor, max_value: float = 255.0) -> torch.Tensor:
    """Pixel values in [0, ``max_value``] (uint8 or float) as a float32 tensor in [-1, 1]."""
    if isinstance(pixels, np.ndarray):
        tensor = torch.from_numpy(pixels.astype(np.float32))  # a fresh, writable copy
    else:
        tensor = pixels.to(torch.float32, copy=True)
    return tensor.div_(max_value / 2).sub_(1.0)


def resize_images(images: torch.Tensor, size: int) -> torch.Tensor:
    """Resize a batch (N, C, H, W) so the shorter side is ``size``, then center-crop a square.

    Square inputs are simply resized. Bilinear interpolation, with antialiasing whenever a side
    shrinks (as PIL does), so downsampled digits do not alias. Values stay in the input range.
    """
    height, width = images.shape[-2:]
    if (height, width) == (size, size):
        return images
    scale = size / min(height, width)
    new_height = max(size, round(height * scale))
    new_width = max(size, round(width * scale))
    shrinking = new_height < height or new_width < width
    low, high = images.amin(), images.amax()
    resized = F.interpolate(
        images.float(),
        size=(new_height, new_width),
        mode="bilinear",
        align_corners=False,
        antialias=shrinking,
    ).clamp_(low, high)
    top = (new_height - size) // 2
    left = (new_width - size) // 2
    return resized[..., top : top + size, left : left + size]


def convert_channels(images: torch.Tensor, channels: int) -> torch.Tensor:
    """A batch (N, C, H, W) with ``channels`` channels: 1->3 replicates, 3->1 takes the luma."""
    have = images.shape[1]
    if have == channels:
        return images
    if have == 1 and channels == 3:
        return images.expand(-1, 3, -1, -1).contiguous()
    if have == 3 and channels == 1:
        weights = images.new_tensor(LUMA_WEIGHTS).view(1, 3, 1, 1)
        return (images * weights).sum(dim=1, keepdim=True)
    raise DataError(f"Cannot convert images with {have} channels to {channels}; use 1 or 3.")


def check_image_options(dataset: str, image_size: int | None, channels: int | None) -> None:
    """Raise a DataError when ``data.image_size`` or ``data.channels`` cannot be honoured."""
    if image_size is not None and (not isinstance(image_size, int) or image_size < 1):
        raise DataError(
            f"data.image_size={image_size!r} is not a positive whole number for dataset "
            f"{dataset!r}; set it to e.g. 32, or to null to keep the native size."
        )
    if channels not in (None, 1, 3):
        raise DataError(
            f"data.channels={channels!r} is not supported for dataset {dataset!r}; use 1 "
            "(grayscale), 3 (RGB) or null to keep the native channels."
        )


def images_from_pixels(
    pixels: np.ndarray,
    max_value: float,
    image_size: int | None = None,
    channels: int | None = None,
    chunk_size: int = 4096,
) -> torch.Tensor:
    """A whole in-memory image set (N, H, W) or (N, C, H, W) as float (N, C, S, S) in [-1, 1].

    ``image_size`` None keeps the native size and ``channels`` None the native channels. The
    work is done ``chunk_size`` images at a time so the peak memory is the output plus a chunk.
    """
    if pixels.ndim == 3:
        pixels = pixels[:, None]
    if pixels.ndim != 4:
        raise DataError(f"Expected images shaped (N, H, W) or (N, C, H, W), got {pixels.shape}.")
    count, native_channels, height, width = pixels.shape
    out_channels = channels or native_channels
    out_height, out_width = (image_size, image_size) if image_size else (height, width)
    out = torch.empty((count, out_channels, out_height, out_width), dtype=torch.float32)
    for start in range(0, count, chunk_size):
        chunk = pixels_to_tensor(pixels[start : start + chunk_size], max_value)
        if image_size is not None:
            chunk = resize_images(chunk, image_size)
        out[start : start + len(chunk)] = convert_channels(chunk, out_channels)
    return out
