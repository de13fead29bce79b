"""DCGAN generator and discriminator (Radford et al. 2015).

Radford et al. 2015, "Unsupervised Representation Learning with Deep Convolutional Generative
Adversarial Networks", §3 architecture guidelines: strided convolutions instead of pooling
(fractionally strided in G), BatchNorm in both nets (not on G's output or D's input), no fully
connected hidden layers, ReLU in G with tanh on the output, LeakyReLU in D; §4: weights from
N(0, 0.02) and a LeakyReLU slope of 0.2, the default of ``discriminator.leaky_slope`` (Kasmi &
Thimonier 2020, §1.3, state 0.01 instead). The layer widths follow the PyTorch examples' DCGAN
(width 64 = ngf = ndf), so at 64 px the nets are exactly that script's:
512·4² -> 256·8² -> 128·16² -> 64·32² -> C·64².

Other sizes keep the same pattern from a smaller base: 16 = 4·2², 28 = 7·2², 32 = 4·2³.
The discriminator's ``norm`` may be ``layer`` (for gradient penalties, which BatchNorm breaks:
Gulrajani et al. 2017, §4) or ``none`` (for spectral normalisation, Miyato et al. 2018).

``init`` is ``dcgan`` (the default: Radford et al.'s N(0, 0.02), §4) or ``torch`` (PyTorch's own
layer defaults, as a plain PyTorch loop gets them). Under spectral normalisation the scale of D's
weights does not change D, only how far an Adam step moves W / sigma(W): with N(0, 0.02) D's
first layer (fan-in 16) moves several times faster, its last (fan-in 6,272 at 28 px) slower.
EXPERIMENTS.md measures the difference for ``sngan.yaml`` on MNIST.
"""

from __future__ import annotations

import torch
from torch import nn

from gankit.core.spec import DataSpec
from gankit.errors import ConfigError
from gankit.nets.init import dcgan_init
from gankit.nets.registry import DISCRIMINATORS, GENERATORS
from gankit.nets.shapes import pyramid, square_image

BASES = range(3, 8)  # the first layer maps z to a base x base map, 3 <= base <= 7
NORMS = ("batch", "layer", "none")
INITS = ("dcgan", "torch")


def _initialise(net: nn.Module, init: str) -> None:
    """DCGAN's N(0, 0.02) (``dcgan``), or the layers' own PyTorch defaults (``torch``)."""
    if init not in INITS:
        raise ConfigError(f"init must be one of {list(INITS)} (dcgan: N(0, 0.02)), got {init!r}.")
    if init == "dcgan":
        net.apply(dcgan_init)


def _norm(kind: str, channels: int) -> list[nn.Module]:
    if kind not in NORMS:
        raise ConfigError(f"discriminator.norm must be one of {list(NORMS)}, got {kind!r}.")
    if kind == "batch":
        return [nn.BatchNorm2d(channels)]
    if kind == "layer":  # normalises each sample over (C, H, W), as WGAN-GP's critic does
        return [nn.GroupNorm(1, channels)]
    return []


@GENERATORS.register("dcgan")
class DCGANGenerator(nn.Module):
    """DCGAN generator: z -> (ConvTranspose, BN, ReLU) x levels -> tanh image."""

    def __init__(self, z_dim: int, spec: DataSpec, width: int = 64, init: str = "dcgan") -> None:
        super().__init__()
        channels, size = square_image(spec, "DCGAN")
        base, levels = pyramid(size, BASES, "DCGAN")
        features = width * 2 ** (levels - 1)
        layers: list[nn.Module] = [
            nn.ConvTranspose2d(z_dim, features, base, 1, 0, bias=False),
            nn.BatchNorm2d(features),
            nn.ReLU(True),
        ]
        for _ in range(levels - 1):
            layers += [
                nn.ConvTranspose2d(features, features // 2, 4, 2, 1, bias=False),
                nn.BatchNorm2d(features // 2),
                nn.ReLU(True),
            ]
            features //= 2
        layers += [nn.ConvTranspose2d(features, channels, 4, 2, 1, bias=False), nn.Tanh()]
        self.net = nn.Sequential(*layers)
        _initialise(self, init)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.net(z.view(z.shape[0], -1, 1, 1))


@DISCRIMINATORS.register("dcgan")
class DCGANDiscriminator(nn.Module):
    """DCGAN discriminator: image -> (strided Conv, BN, LeakyReLU) x levels -> logit.

    ``leaky_slope`` is every LeakyReLU's negative slope: 0.2 as Radford et al. 2015 (§4).
    """

    output_kind = "score"

    def __init__(
        self,
        spec: DataSpec,
        width: int = 64,
        norm: str = "batch",
        leaky_slope: float = 0.2,
        init: str = "dcgan",
    ) -> None:
        super().__init__()
        if not 0 <= leaky_slope < 1:
            raise ConfigError(
                f"discriminator.leaky_slope must be in [0, 1) (0.2 in DCGAN), got {leaky_slope}."
            )
        channels, size = square_image(spec, "DCGAN")
        base, levels = pyramid(size, BASES, "DCGAN")
        layers: list[nn.Module] = [
            nn.Conv2d(channels, width, 4, 2, 1, bias=False),
            nn.LeakyReLU(leaky_slope, inplace=True),
        ]
        features = width
        for _ in range(levels - 1):
            layers.append(nn.Conv2d(features, features * 2, 4, 2, 1, bias=norm == "none"))
            layers += _norm(norm, features * 2)
            layers.append(nn.LeakyReLU(leaky_slope, inplace=True))
            features *= 2
        layers.append(nn.Conv2d(features, 1, base, 1, 0, bias=False))
        self.net = nn.Sequential(*layers)
        _initialise(self, init)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x).flatten()
