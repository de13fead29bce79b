"""The InfoGAN MNIST networks (Chen et al. 2016, Appendix C, Table 1), any size divisible by 4.

G: FC 1024, BN, ReLU; FC (s/4)·(s/4)·128, BN, ReLU; 4x4 up-convolution 64 stride 2, BN, ReLU;
4x4 up-convolution C stride 2 (tanh here: gankit images are in [-1, 1]; the paper's output was
a Bernoulli mean).

D and Q share a trunk: 4x4 conv 64 stride 2, LeakyReLU; 4x4 conv 128 stride 2, BN, LeakyReLU;
FC 1024, BN, LeakyReLU. D's head is one FC output; Q's head is FC 128, BN, LeakyReLU, FC to the
parameters of Q(c|x) (``q_outputs``; none when 0, which makes D a plain discriminator usable by
any recipe with ``nets=infogan``). LeakyReLU slope 0.1, the "leaky rate" Appendix C states
(``leaky_slope``; the released code's ``leaky_rectify`` defaults to 0.01). ``width`` scales
every layer: 64 gives the paper's 64/128 conv channels, 1024 FC units and 128 Q units.
"""

from __future__ import annotations

from typing import Literal, overload

import torch
from torch import nn

from gankit.core.spec import DataSpec
from gankit.errors import ConfigError
from gankit.nets.init import dcgan_init
from gankit.nets.registry import DISCRIMINATORS, GENERATORS
from gankit.nets.shapes import square_image

SLOPE = 0.1


def _quarter(spec: DataSpec) -> tuple[int, int]:
    channels, size = square_image(spec, "InfoGAN")
    if size % 4:
        raise ConfigError(
            f"InfoGAN nets halve the image twice, so its size must be divisible by 4; got "
            f"{size}. Set data.image_size to e.g. 16, 28 or 32."
        )
    return channels, size // 4


@GENERATORS.register("infogan")
class InfoGANGenerator(nn.Module):
    """InfoGAN MNIST generator: FC 1024, FC (s/4)²·128, two 4x4 up-convolutions, tanh."""

    def __init__(self, z_dim: int, spec: DataSpec, width: int = 64) -> None:
        super().__init__()
        channels, quarter = _quarter(spec)
        self.map_shape = (2 * width, quarter, quarter)
        self.fc = nn.Sequential(
            nn.Linear(z_dim, 16 * width),
            nn.BatchNorm1d(16 * width),
            nn.ReLU(True),
            nn.Linear(16 * width, 2 * width * quarter * quarter),
            nn.BatchNorm1d(2 * width * quarter * quarter),
            nn.ReLU(True),
        )
        self.conv = nn.Sequential(
            nn.ConvTranspose2d(2 * width, width, 4, 2, 1),
            nn.BatchNorm2d(width),
            nn.ReLU(True),
            nn.ConvTranspose2d(width, channels, 4, 2, 1),
            nn.Tanh(),
        )
        self.apply(dcgan_init)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.conv(self.fc(z.flatten(1)).view(-1, *self.map_shape))


@DISCRIMINATORS.register("infogan")
class InfoGANDiscriminator(nn.Module):
    """InfoGAN MNIST discriminator with an optional Q head on the shared trunk.

    ``forward(x)`` is the score alone (what losses and penalties use); :meth:`score_and_q`
    gives the score and Q's parameters from one pass through the trunk.
    """

    output_kind = "score"

    def __init__(
        self, spec: DataSpec, width: int = 64, q_outputs: int = 0, leaky_slope: float = SLOPE
    ) -> None:
        super().__init__()
        channels, quarter = _quarter(spec)
        self.trunk = nn.Sequential(
            nn.Conv2d(channels, width, 4, 2, 1),
            nn.LeakyReLU(leaky_slope, True),
            nn.Conv2d(width, 2 * width, 4, 2, 1),
            nn.BatchNorm2d(2 * width),
            nn.LeakyReLU(leaky_slope, True),
            nn.Flatten(),
            nn.Linear(2 * width * quarter * quarter, 16 * width),
            nn.BatchNorm1d(16 * width),
            nn.LeakyReLU(leaky_slope, True),
        )
        self.head = nn.Linear(16 * width, 1)
        self.q = (
            nn.Sequential(
                nn.Linear(16 * width, 2 * width),
                nn.BatchNorm1d(2 * width),
                nn.LeakyReLU(leaky_slope, True),
                nn.Linear(2 * width, q_outputs),
            )
            if q_outputs
            else None
        )
        self.apply(dcgan_init)

    @overload
    def forward(self, x: torch.Tensor, with_q: Literal[False] = False) -> torch.Tensor: ...

    @overload
    def forward(
        self, x: torch.Tensor, with_q: Literal[True]
    ) -> tuple[torch.Tensor, torch.Tensor]: ...

    def forward(
        self, x: torch.Tensor, with_q: bool = False
    ) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
        """D's score (N,); with ``with_q``, also Q's raw outputs (N, q_outputs) from the same
        trunk pass. (Q goes through ``forward`` so that DDP's wrapper, which exposes nothing
        else of the net, averages its gradients under torchrun.)"""
        features = self.trunk(x)
        if not with_q:
            return self.head(features).squeeze(1)
        if self.q is None:
            raise ConfigError("This discriminator was built without a Q head (q_outputs=0).")
        return self.head(features).squeeze(1), self.q(features)

    def score_and_q(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """``self(x, with_q=True)``: D's score and Q's raw outputs."""
        return self(x, with_q=True)
