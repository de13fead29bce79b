"""How an FID code brings an image to InceptionV3's 299x299 input: three protocols by name.

The same network and the same images give FIDs a few per cent apart depending on how the
images are resized and scaled (Parmar et al. 2022, "On Aliased Resizing and Surprising
Subtleties in GAN Evaluation"), so the protocol is an option and every result records it. Each
protocol takes 8-bit RGB pixel values (float, 0-255, N x 3 x H x W) and returns the network's
input (N x 3 x 299 x 299, about [-1, 1]):

- ``pytorch`` (gankit's default, pytorch-fid's protocol): bilinear ``F.interpolate``
  (``align_corners=False``, half-pixel centres) of the [0, 1] image, then ``2x - 1``.
- ``tf``: the TensorFlow 1 graph of the original FID code (Heusel et al. 2017, ``fid.py``) and
  of the Inception Score code (Salimans et al. 2016), as torch-fidelity reproduces it: TF1's
  ``resize_bilinear`` (no half-pixel centres: source = destination x in / out) of the 0-255
  image, then ``(x - 128) / 128``. Published tables of the TensorFlow era used this, so use it
  to compare with them.
- ``clean``: clean-fid's default mode: PIL's bicubic resize of each channel as a 32-bit float
  image (antialiased when it shrinks), clipped to 0-255, then ``(x - 128) / 128``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from gankit.errors import ConfigError
from gankit.metrics.inception import INPUT_SIZE


@dataclass(frozen=True)
class ResizeProtocol:
    name: str
    description: str
    function: Callable[[torch.Tensor], torch.Tensor]

    def __call__(self, pixels: torch.Tensor) -> torch.Tensor:
        return self.function(pixels)


def pytorch_fid_input(pixels: torch.Tensor) -> torch.Tensor:
    """pytorch-fid's ``InceptionV3.forward`` with ``resize_input`` and ``normalize_input``."""
    unit = F.interpolate(
        pixels / 255, size=(INPUT_SIZE, INPUT_SIZE), mode="bilinear", align_corners=False
    )
    return 2 * unit - 1


def tf1_bilinear_resize(pixels: torch.Tensor, size: int = INPUT_SIZE) -> torch.Tensor:
    """TensorFlow 1's ``resize_bilinear(align_corners=False)``: output pixel i samples input
    position ``i * in / out`` (no half-pixel offset), its right/bottom neighbour clamped to the
    edge. The arithmetic follows torch-fidelity's exact ("slow") port, operation for operation,
    so that the two agree bit for bit on the CPU."""
    height, width = pixels.shape[-2:]

    def axis(length: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        position = torch.arange(size, dtype=pixels.dtype, device=pixels.device)
        position = position * torch.tensor(length / size, dtype=torch.float32)
        low = position.long()
        high = (low + 1).clamp_max(length - 1)
        return low, high, position - low.float()

    y_low, y_high, dy = axis(height)
    x_low, x_high, dx = axis(width)
    top, bottom = pixels[:, :, y_low, :], pixels[:, :, y_high, :]
    top_left, top_right = top[:, :, :, x_low], top[:, :, :, x_high]
    bottom_left, bottom_right = bottom[:, :, :, x_low], bottom[:, :, :, x_high]
    dx = dx.view(1, 1, 1, size)
    upper = top_left + (top_right - top_left) * dx
    lower = bottom_left + (bottom_right - bottom_left) * dx
    return upper + (lower - upper) * dy.view(1, 1, size, 1)


def tensorflow_fid_input(pixels: torch.Tensor) -> torch.Tensor:
    return (tf1_bilinear_resize(pixels) - 128) / 128


def pil_bicubic_resize(pixels: torch.Tensor, size: int = INPUT_SIZE) -> torch.Tensor:
    """clean-fid's resize (``make_resizer("PIL", False, "bicubic", ...)``): each channel of each
    image as a PIL float image, bicubic, clipped to 0-255. Runs on the CPU, image by image."""
    from PIL import Image

    array = pixels.detach().float().cpu().numpy()
    out = np.empty((*array.shape[:2], size, size), dtype=np.float32)
    for index in np.ndindex(*array.shape[:2]):
        channel = Image.fromarray(np.ascontiguousarray(array[index], dtype=np.float32))
        resized = channel.resize((size, size), resample=Image.Resampling.BICUBIC)
        out[index] = np.asarray(resized).clip(0, 255)
    return torch.from_numpy(out).to(pixels.device)


def clean_fid_input(pixels: torch.Tensor) -> torch.Tensor:
    return (pil_bicubic_resize(pixels) - 128) / 128


RESIZE_PROTOCOLS = {
    protocol.name: protocol
    for protocol in (
        ResizeProtocol(
            "pytorch",
            "bilinear to 299x299 (F.interpolate, align_corners=False), as pytorch-fid",
            pytorch_fid_input,
        ),
        ResizeProtocol(
            "tf",
            "TensorFlow 1 bilinear to 299x299 (no half-pixel centres), (x - 128) / 128, as the "
            "original TF FID code and torch-fidelity",
            tensorflow_fid_input,
        ),
        ResizeProtocol(
            "clean",
            "PIL bicubic to 299x299 per float channel, (x - 128) / 128, as clean-fid",
            clean_fid_input,
        ),
    )
}


def resize_protocol(name: str) -> ResizeProtocol:
    """The protocol called ``name`` (``pytorch``, ``tf`` or ``clean``)."""
    if name not in RESIZE_PROTOCOLS:
        raise ConfigError(
            f"Unknown resize protocol {name!r}; use one of {', '.join(RESIZE_PROTOCOLS)} "
            "(pytorch: pytorch-fid, tf: the TensorFlow FID code and torch-fidelity, clean: "
            "clean-fid)."
        )
    return RESIZE_PROTOCOLS[name]
