"""BiGAN / ALI networks: generator, encoder and the joint discriminator D(x, z).

Donahue et al. 2016, "Adversarial Feature Learning", §4.1 and the released ``train_mnist.sh``:
on permutation-invariant MNIST every net is fully connected, with 1024 hidden units and a 50-d
uniform latent. The layer details here are gankit's: G is FC, BN, ReLU twice, then an FC to the
image (tanh); E mirrors it with LeakyReLU(0.2) and a linear output (a deterministic encoder, as
in BiGAN; ALI's Gaussian encoder is not implemented); D reads x and z through one hidden layer
each, then one joint hidden layer, without normalisation so that gradient penalties stay
per-sample. ``width`` is the hidden units of every layer.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from gankit.core.spec import DataSpec
from gankit.nets.init import dcgan_init
from gankit.nets.registry import GENERATORS

SLOPE = 0.2


@GENERATORS.register("bigan")
class BiGANGenerator(nn.Module):
    """Fully connected generator of BiGAN's MNIST model: 2 x (FC, BN, ReLU), FC, tanh."""

    def __init__(self, z_dim: int, spec: DataSpec, width: int = 1024) -> None:
        super().__init__()
        self.shape = spec.shape
        layers: list[nn.Module] = [
            nn.Linear(z_dim, width),
            nn.BatchNorm1d(width),
            nn.ReLU(True),
            nn.Linear(width, width),
            nn.BatchNorm1d(width),
            nn.ReLU(True),
            nn.Linear(width, math.prod(spec.shape)),
        ]
        if spec.kind == "image":
            layers.append(nn.Tanh())
        self.net = nn.Sequential(*layers)
        self.apply(dcgan_init)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.net(z.flatten(1)).view(-1, *self.shape)


class BiGANEncoder(nn.Module):
    """E: x -> z. FC, LeakyReLU; FC, BN, LeakyReLU; FC to z (linear)."""

    def __init__(self, spec: DataSpec, z_dim: int, width: int = 1024) -> None:
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(math.prod(spec.shape), width),
            nn.LeakyReLU(SLOPE, True),
            nn.Linear(width, width),
            nn.BatchNorm1d(width),
            nn.LeakyReLU(SLOPE, True),
            nn.Linear(width, z_dim),
        )
        self.apply(dcgan_init)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x.flatten(1))


class JointDiscriminator(nn.Module):
    """D(x, z): x and z each through FC + LeakyReLU, concatenated, FC + LeakyReLU, FC to a score.

    The BiGAN discriminator (Donahue et al. 2016, §3) tells data pairs (x, E(x)) from generated
    pairs (G(z), z); it must see both halves, or E would be free to ignore x.
    """

    output_kind = "score"

    def __init__(self, spec: DataSpec, z_dim: int, width: int = 1024, dropout: float = 0.0) -> None:
        super().__init__()
        self.image_dim, self.z_dim = math.prod(spec.shape), z_dim

        def branch(features: int) -> nn.Sequential:
            return nn.Sequential(nn.Linear(features, width), nn.LeakyReLU(SLOPE, True))

        self.x_branch = branch(self.image_dim)
        self.z_branch = branch(z_dim)
        self.joint = nn.Sequential(
            nn.Dropout(dropout),
            nn.Linear(2 * width, width),
            nn.LeakyReLU(SLOPE, True),
            nn.Dropout(dropout),
            nn.Linear(width, 1),
        )
        self.apply(dcgan_init)

    def forward(self, x: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
        h = torch.cat([self.x_branch(x.flatten(1)), self.z_branch(z.flatten(1))], dim=1)
        return self.joint(h).squeeze(1)
