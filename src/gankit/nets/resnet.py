"""ResNet generator and discriminator of the SNGAN / WGAN-GP CIFAR-10 experiments (32 px).

Gulrajani et al. 2017, "Improved Training of Wasserstein GANs", App. F (the CIFAR-10 ResNet), and
Miyato et al. 2018, "Spectral Normalization for GANs", App. B.4 / Table 4: G maps z (128) to a
4x4 map, then three up-sampling residual blocks (BN, ReLU, nearest 2x up-sampling, 3x3 conv,
twice, with a 1x1 conv shortcut), then BN, ReLU, a 3x3 conv and tanh. D is an "optimised" first
block (conv, ReLU, conv, 2x2 average pool; shortcut pool then 1x1 conv), one down-sampling block,
two plain blocks, ReLU, global sum pooling (Miyato; ``pooling="mean"`` for Gulrajani's average)
and a linear layer. No normalisation in D: add spectral normalisation with
``regularizers=[spectral_norm]``. Widths: ``width`` 256 for G and 128 for D (SNGAN, as in
Mimicry); WGAN-GP used 128 for both.

Other sizes 3-7 x 2^n work too: G adds one up-sampling block per doubling, D one down-sampling
block per halving beyond the first.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from gankit.core.spec import DataSpec
from gankit.errors import ConfigError
from gankit.nets.registry import DISCRIMINATORS, GENERATORS
from gankit.nets.shapes import pyramid, square_image

BASES = range(3, 8)


class GeneratorBlock(nn.Module):
    """BN-ReLU-up-conv-BN-ReLU-conv, plus an up-sampled 1x1-conv shortcut."""

    def __init__(self, in_channels: int, out_channels: int) -> None:
        super().__init__()
        self.norm1 = nn.BatchNorm2d(in_channels)
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, 1, 1)
        self.norm2 = nn.BatchNorm2d(out_channels)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, 1, 1)
        self.shortcut = nn.Conv2d(in_channels, out_channels, 1, 1, 0)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = F.interpolate(F.relu(self.norm1(x)), scale_factor=2, mode="nearest")
        h = self.conv2(F.relu(self.norm2(self.conv1(h))))
        return h + self.shortcut(F.interpolate(x, scale_factor=2, mode="nearest"))


class DiscriminatorBlock(nn.Module):
    """ReLU-conv-ReLU-conv (then 2x2 average pool when down-sampling), plus a shortcut.

    The first block of D ("optimised", Miyato et al. App. B.4) skips the leading ReLU, because
    its input is the image, and pools before its 1x1 shortcut conv.
    """

    def __init__(
        self, in_channels: int, out_channels: int, down: bool, first: bool = False
    ) -> None:
        super().__init__()
        self.down, self.first = down, first
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, 1, 1)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, 1, 1)
        learn_shortcut = down or in_channels != out_channels
        self.shortcut = nn.Conv2d(in_channels, out_channels, 1, 1, 0) if learn_shortcut else None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = x if self.first else F.relu(x)
        h = self.conv2(F.relu(self.conv1(h)))
        if self.down:
            h = F.avg_pool2d(h, 2)
        if self.shortcut is None:
            return h + x
        if self.first:
            return h + self.shortcut(F.avg_pool2d(x, 2))
        skip = self.shortcut(x)
        return h + (F.avg_pool2d(skip, 2) if self.down else skip)


@GENERATORS.register("resnet")
class ResNetGenerator(nn.Module):
    """ResNet generator of SNGAN / WGAN-GP (CIFAR-10): z -> 4x4 -> up-sampling residual blocks."""

    def __init__(self, z_dim: int, spec: DataSpec, width: int = 256) -> None:
        super().__init__()
        channels, size = square_image(spec, "ResNet")
        self.base, levels = pyramid(size, BASES, "ResNet")
        self.width = width
        self.project = nn.Linear(z_dim, self.base * self.base * width)
        self.blocks = nn.Sequential(*(GeneratorBlock(width, width) for _ in range(levels)))
        self.out = nn.Sequential(
            nn.BatchNorm2d(width), nn.ReLU(), nn.Conv2d(width, channels, 3, 1, 1), nn.Tanh()
        )
        for module in self.modules():
            if isinstance(module, (nn.Conv2d, nn.Linear)):
                nn.init.xavier_uniform_(module.weight)
                assert module.bias is not None  # every layer here has one
                nn.init.zeros_(module.bias)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        h = self.project(z.flatten(1)).view(-1, self.width, self.base, self.base)
        return self.out(self.blocks(h))


@DISCRIMINATORS.register("resnet")
class ResNetDiscriminator(nn.Module):
    """ResNet discriminator of SNGAN / WGAN-GP (CIFAR-10): residual blocks, global pool, linear."""

    output_kind = "score"

    def __init__(self, spec: DataSpec, width: int = 128, pooling: str = "sum") -> None:
        super().__init__()
        channels, size = square_image(spec, "ResNet")
        _, levels = pyramid(size, BASES, "ResNet")
        if pooling not in ("sum", "mean"):
            raise ConfigError(f"discriminator.pooling must be sum or mean, got {pooling!r}.")
        self.pooling = pooling
        blocks = [DiscriminatorBlock(channels, width, down=True, first=True)]
        blocks += [DiscriminatorBlock(width, width, down=True) for _ in range(max(0, levels - 2))]
        blocks += [DiscriminatorBlock(width, width, down=False) for _ in range(2)]
        self.blocks = nn.Sequential(*blocks)
        self.linear = nn.Linear(width, 1)
        for module in self.modules():
            if isinstance(module, (nn.Conv2d, nn.Linear)):
                nn.init.xavier_uniform_(module.weight)
                assert module.bias is not None  # every layer here has one
                nn.init.zeros_(module.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = F.relu(self.blocks(x))
        h = h.sum(dim=(2, 3)) if self.pooling == "sum" else h.mean(dim=(2, 3))
        return self.linear(h).squeeze(1)
