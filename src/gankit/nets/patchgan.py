"""Discriminators for image-to-image translation: PatchGAN (any receptive field) and global.

Isola et al. 2017, §3.2.2 and §6.1.2: the PatchGAN classifies each N x N patch of the image as
real or fake, convolutionally. C64-C128-C256-C512 (4x4 convolutions, LeakyReLU 0.2, no norm on
C64; stride 2 except C512), then a 4x4 convolution to one channel. The number of stride-2
layers sets the receptive field: 1 -> 16x16, 3 -> 70x70 (the default), 5 -> 286x286; the 1x1
"PixelGAN" uses 1x1 convolutions only (§4.4, Table 3). ``global`` sees the whole image and
gives one score (stride-2 convolutions down to 4x4, then a 4x4 convolution).

The input is the image to judge; pix2pix concatenates its input image to it (conditional D),
CycleGAN does not.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from gankit.errors import ConfigError
from gankit.nets.translation import NORMS, init_translation_weights, norm_layer
from gankit.registry import Registry, check_options

# Built as ``cls(in_channels, image_size, **options)``.
PATCH_DISCRIMINATORS: Registry = Registry("image-to-image discriminator")
RECEPTIVE_FIELDS = {1: 0, 16: 1, 34: 2, 70: 3, 142: 4, 286: 5}  # field -> stride-2 layers


def receptive_field(layers: list[tuple[int, int]]) -> int:
    """The receptive field of a stack of (kernel, stride) convolutions, input to output."""
    field = 1
    for kernel, stride in reversed(layers):
        field = (field - 1) * stride + kernel
    return field


@PATCH_DISCRIMINATORS.register("patch")
class PatchDiscriminator(nn.Module):
    """PatchGAN (Isola et al. 2017): one real/fake score per receptive-field patch."""

    output_kind = "score"

    def __init__(
        self,
        in_channels: int,
        image_size: int,
        receptive_field: int = 70,
        width: int = 64,
        norm: str = "batch",
    ) -> None:
        super().__init__()
        if norm not in NORMS:
            raise ConfigError(f"discriminator.norm must be one of {list(NORMS)}, got {norm!r}.")
        if receptive_field not in RECEPTIVE_FIELDS:
            raise ConfigError(
                f"discriminator.receptive_field must be one of {sorted(RECEPTIVE_FIELDS)} "
                f"(1 = PixelGAN, 70 = the paper's default), got {receptive_field}."
            )
        self.kernels: list[tuple[int, int]] = []
        if receptive_field == 1:
            layers = [nn.Conv2d(in_channels, width, 1), nn.LeakyReLU(0.2)]
            layers += [
                nn.Conv2d(width, width * 2, 1, bias=norm == "instance"),
                norm_layer(norm, width * 2),
            ]
            layers += [nn.LeakyReLU(0.2), nn.Conv2d(width * 2, 1, 1)]
            self.kernels = [(1, 1)] * 3
        else:
            strided = RECEPTIVE_FIELDS[receptive_field]
            layers = [nn.Conv2d(in_channels, width, 4, 2, 1), nn.LeakyReLU(0.2)]
            channels = width
            for i in range(1, strided + 1):
                out = width * min(2**i, 8)
                stride = 2 if i < strided else 1
                layers += [
                    nn.Conv2d(channels, out, 4, stride, 1, bias=norm == "instance"),
                    norm_layer(norm, out),
                    nn.LeakyReLU(0.2),
                ]
                channels = out
            layers.append(nn.Conv2d(channels, 1, 4, 1, 1))
            self.kernels = [(4, 2)] * strided + [(4, 1), (4, 1)]
        self.net = nn.Sequential(*layers)
        if self.output_size(image_size) < 1:
            smallest = next(s for s in (32, 64, 128, 256, 512) if self.output_size(s) >= 1)
            raise ConfigError(
                f"A {receptive_field}x{receptive_field} PatchGAN needs images of at least "
                f"{smallest} px, got {image_size}. Use a smaller receptive_field or larger images."
            )

    def output_size(self, image_size: int) -> int:
        """The side of the score map for ``image_size`` inputs."""
        size = image_size
        for kernel, stride in self.kernels:
            size = (size + 2 * (kernel // 4) - kernel) // stride + 1
        return size

    @property
    def receptive_field(self) -> int:
        return receptive_field(self.kernels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


@PATCH_DISCRIMINATORS.register("global")
class GlobalDiscriminator(nn.Module):
    """A whole-image discriminator: stride-2 convolutions to 4x4, then one score per image."""

    output_kind = "score"

    def __init__(
        self, in_channels: int, image_size: int, width: int = 64, norm: str = "batch"
    ) -> None:
        super().__init__()
        if image_size < 8 or 2 ** int(math.log2(image_size)) != image_size:
            raise ConfigError(
                f"The global discriminator needs a power-of-two size, got {image_size}."
            )
        layers: list[nn.Module] = [nn.Conv2d(in_channels, width, 4, 2, 1), nn.LeakyReLU(0.2)]
        channels, size = width, image_size // 2
        while size > 4:
            out = min(channels * 2, width * 8)
            layers += [
                nn.Conv2d(channels, out, 4, 2, 1, bias=norm == "instance"),
                norm_layer(norm, out),
                nn.LeakyReLU(0.2),
            ]
            channels, size = out, size // 2
        layers.append(nn.Conv2d(channels, 1, 4, 1, 0))
        self.net = nn.Sequential(*layers)
        self.receptive_field = image_size

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


@PATCH_DISCRIMINATORS.register("digits")
class DigitsDiscriminator(nn.Module):
    """The small digit discriminator of Kasmi & Thimonier 2020 (§2.3): three 5x5 stride-2
    convolutions (padding 2), then a 4x4 stride-1 convolution to one score; BatchNorm and ReLU
    between. 28 or 32 px images give a single score."""

    output_kind = "score"

    def __init__(
        self, in_channels: int, image_size: int, width: int = 64, norm: str = "batch"
    ) -> None:
        super().__init__()
        if image_size not in (28, 32):
            raise ConfigError(
                f"The digits discriminator judges 28 or 32 px images, got {image_size}."
            )
        layers: list[nn.Module] = []
        channels = in_channels
        for i in range(3):
            out = width * 2**i
            layers += [nn.Conv2d(channels, out, 5, 2, 2), norm_layer(norm, out), nn.ReLU()]
            channels = out
        layers.append(nn.Conv2d(channels, 1, 4, 1, 0))
        self.net = nn.Sequential(*layers)
        self.receptive_field = image_size

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


def build_patch_discriminator(
    name: str, in_channels: int, image_size: int, options: dict
) -> nn.Module:

    cls = PATCH_DISCRIMINATORS.get(name)
    check_options(cls, options, f"discriminator {name!r}", skip=("in_channels", "image_size"))
    net = cls(in_channels, image_size, **options)
    net.apply(init_translation_weights)
    return net
