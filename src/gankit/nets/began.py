"""BEGAN's decoder generator and auto-encoder discriminator (Berthelot et al. 2017).

Berthelot et al. 2017, "BEGAN: Boundary Equilibrium Generative Adversarial Networks", §3.4 and
Fig. 1: 3x3 convolutions with ELUs, no batch normalisation. The decoder maps h (64) through a
fully connected layer to an 8x8 map of n filters, then repeats [conv, conv, nearest-neighbour 2x
up-sampling] until the image size, ending with a 3x3 conv to the image channels. The encoder
mirrors it, with stride-2 convolutions for sub-sampling, filters growing linearly (n, 2n, 3n,
...) and a fully connected layer to h. The generator has the decoder's architecture (with its
own weights). Defaults: n = 64 filters, h = 64.

The discriminator returns each sample's reconstruction energy, the mean |v - D(v)| over its
pixels (the L1 loss of §3.1, eta = 1), so it can be paired with the ``began`` loss only.
"""

from __future__ import annotations

import torch
from torch import nn

from gankit.core.spec import DataSpec
from gankit.nets.registry import DISCRIMINATORS, GENERATORS
from gankit.nets.shapes import pyramid, square_image

BASES = range(4, 9)  # the paper starts from 8x8; smaller bases allow e.g. 28 = 7 x 2^2


def _conv_elu(in_channels: int, out_channels: int, stride: int = 1) -> list[nn.Module]:
    return [nn.Conv2d(in_channels, out_channels, 3, stride, 1), nn.ELU()]


class Decoder(nn.Module):
    """h -> base x base x n -> [conv, conv, 2x up-sample] per level -> conv to the image."""

    def __init__(self, h: int, channels: int, size: int, filters: int) -> None:
        super().__init__()
        self.base, levels = pyramid(size, BASES, "BEGAN", min_levels=0)
        self.filters = filters
        self.project = nn.Linear(h, self.base * self.base * filters)
        layers: list[nn.Module] = []
        for level in range(levels + 1):
            layers += _conv_elu(filters, filters) + _conv_elu(filters, filters)
            if level < levels:
                layers.append(nn.Upsample(scale_factor=2, mode="nearest"))
        layers.append(nn.Conv2d(filters, channels, 3, 1, 1))
        self.net = nn.Sequential(*layers)

    def forward(self, code: torch.Tensor) -> torch.Tensor:
        h = self.project(code.flatten(1)).view(-1, self.filters, self.base, self.base)
        return self.net(h)


class Encoder(nn.Module):
    """Image -> conv -> [conv, conv, stride-2 conv] per level, filters n, 2n, 3n... -> FC to h."""

    def __init__(self, h: int, channels: int, size: int, filters: int) -> None:
        super().__init__()
        base, levels = pyramid(size, BASES, "BEGAN", min_levels=0)
        layers = _conv_elu(channels, filters)
        width = filters
        for level in range(levels + 1):
            layers += _conv_elu(width, width) + _conv_elu(width, width)
            if level < levels:
                layers += _conv_elu(width, width + filters, stride=2)
                width += filters
        self.net = nn.Sequential(*layers)
        self.project = nn.Linear(base * base * width, h)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.project(self.net(x).flatten(1))


@GENERATORS.register("began")
class BEGANGenerator(nn.Module):
    """BEGAN generator: the auto-encoder's decoder architecture, from z (dimension h)."""

    def __init__(self, z_dim: int, spec: DataSpec, filters: int = 64) -> None:
        super().__init__()
        channels, size = square_image(spec, "BEGAN")
        self.decoder = Decoder(z_dim, channels, size, filters)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.decoder(z)


@DISCRIMINATORS.register("began")
class AutoencoderDiscriminator(nn.Module):
    """BEGAN discriminator: an auto-encoder; outputs each sample's L1 reconstruction energy."""

    output_kind = "energy"

    def __init__(self, spec: DataSpec, filters: int = 64, hidden: int = 64) -> None:
        super().__init__()
        channels, size = square_image(spec, "BEGAN")
        self.encoder = Encoder(hidden, channels, size, filters)
        self.decoder = Decoder(hidden, channels, size, filters)

    def reconstruct(self, x: torch.Tensor) -> torch.Tensor:
        return self.decoder(self.encoder(x))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return (x - self.reconstruct(x)).abs().flatten(1).mean(1)
