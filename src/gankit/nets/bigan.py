"""BiGAN / ALI networks: generator, encoder and the joint discriminator D(x, z).

Donahue et al. 2016, "Adversarial Feature Learning", §4.1 and the released ``train_mnist.sh``:
on permutation-invariant MNIST every net is fully connected, with 1024 hidden units and a 50-d
uniform latent. The layer details by default are gankit's: G is FC, BN, ReLU twice, then an FC
to the image (tanh); E mirrors it with LeakyReLU(0.2) and a linear output (a deterministic
encoder, as in BiGAN; ALI's Gaussian encoder is not implemented); D reads x and z through one
hidden layer each, then one joint hidden layer, without normalisation so that gradient
penalties stay per-sample. ``width`` is the hidden units of every layer.

The authors' code (jeffdonahue/bigan: ``train_mnist.sh`` runs ``train_gan.py`` with ``--nobias
--nogain``; ``net.py``'s ``deconvnet_mnist_mlp`` and ``mnist_mlp`` with ``apply_cond``) differs
in ways the paper does not state; each is an option here, off by default:

- ``affine=False``: no bias in any layer and batch norm without scale or shift.
- ``z_skip=True`` (G): a linear map of z (no bias) is added to the second hidden layer before
  its batch norm (``apply_cond`` with ``cond = z``).
- ``squash=True`` (E): D reads 2 sigmoid(E(x)) - 1, the encoder's output mapped onto z's range
  (``UniformDistribution.logits_to_sample``); the features (nearest neighbours) stay the linear
  output, as the authors' ``l2distable`` keeps them.
- ``joint="additive"``, ``norm="batch"`` (D): x goes through FC + LeakyReLU; z enters the joint
  layer as a linear map added to it before batch norm (``apply_cond`` with ``cond = z``); the
  default ``"concat"`` gives z its own hidden layer and concatenates.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from gankit.core.spec import DataSpec
from gankit.nets.init import dcgan_init
from gankit.nets.registry import GENERATORS

SLOPE = 0.2
JOINTS = ("concat", "additive")
NORMS = ("none", "batch")


@GENERATORS.register("bigan")
class BiGANGenerator(nn.Module):
    """Fully connected generator of BiGAN's MNIST model: 2 x (FC, BN, ReLU), FC, tanh."""

    def __init__(
        self,
        z_dim: int,
        spec: DataSpec,
        width: int = 1024,
        affine: bool = True,
        z_skip: bool = False,
    ) -> None:
        super().__init__()
        self.shape = spec.shape
        layers: list[nn.Module] = [
            nn.Linear(z_dim, width, bias=affine),
            nn.BatchNorm1d(width, affine=affine),
            nn.ReLU(True),
            nn.Linear(width, width, bias=affine),
            nn.BatchNorm1d(width, affine=affine),
            nn.ReLU(True),
            nn.Linear(width, math.prod(spec.shape), bias=affine),
        ]
        if spec.kind == "image":
            layers.append(nn.Tanh())
        self.net = nn.Sequential(*layers)
        self.skip = nn.Linear(z_dim, width, bias=False) if z_skip else None
        self.apply(dcgan_init)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        z = z.flatten(1)
        if self.skip is None:
            return self.net(z).view(-1, *self.shape)
        h = self.net[3](self.net[:3](z)) + self.skip(z)
        return self.net[4:](h).view(-1, *self.shape)


class BiGANEncoder(nn.Module):
    """E: x -> z. FC, LeakyReLU; FC, BN, LeakyReLU; FC to z (linear, or squashed into [-1, 1]
    for D with ``squash``)."""

    def __init__(
        self,
        spec: DataSpec,
        z_dim: int,
        width: int = 1024,
        affine: bool = True,
        squash: bool = False,
    ) -> None:
        super().__init__()
        self.squash = squash
        self.net = nn.Sequential(
            nn.Linear(math.prod(spec.shape), width, bias=affine),
            nn.LeakyReLU(SLOPE, True),
            nn.Linear(width, width, bias=affine),
            nn.BatchNorm1d(width, affine=affine),
            nn.LeakyReLU(SLOPE, True),
            nn.Linear(width, z_dim, bias=affine),
        )
        self.apply(dcgan_init)

    def to_code(self, features: torch.Tensor) -> torch.Tensor:
        """The code D and G read from E's linear output: itself, or 2 sigmoid(.) - 1."""
        return 2 * torch.sigmoid(features) - 1 if self.squash else features

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.to_code(self.net(x.flatten(1)))


class JointDiscriminator(nn.Module):
    """D(x, z): x and z each through FC + LeakyReLU, concatenated, FC + LeakyReLU, FC to a score
    (``joint="additive"``: z as a linear map added to the joint layer instead).

    The BiGAN discriminator (Donahue et al. 2016, §3) tells data pairs (x, E(x)) from generated
    pairs (G(z), z); it must see both halves, or E would be free to ignore x. ``norm="batch"``
    normalises the joint layer over the batch (the authors' code; a gradient penalty is then no
    longer per-sample).
    """

    output_kind = "score"

    def __init__(
        self,
        spec: DataSpec,
        z_dim: int,
        width: int = 1024,
        dropout: float = 0.0,
        affine: bool = True,
        joint: str = "concat",
        norm: str = "none",
    ) -> None:
        super().__init__()
        if joint not in JOINTS:
            raise ValueError(f"joint must be one of {', '.join(JOINTS)}, not {joint!r}.")
        if norm not in NORMS:
            raise ValueError(f"norm must be one of {', '.join(NORMS)}, not {norm!r}.")
        self.image_dim, self.z_dim = math.prod(spec.shape), z_dim
        self.additive = joint == "additive"
        self.x_branch = nn.Sequential(
            nn.Linear(self.image_dim, width, bias=affine), nn.LeakyReLU(SLOPE, True)
        )
        if self.additive:
            self.z_branch: nn.Module = nn.Linear(z_dim, width, bias=False)
        else:
            self.z_branch = nn.Sequential(
                nn.Linear(z_dim, width, bias=affine), nn.LeakyReLU(SLOPE, True)
            )
        normalise = [nn.BatchNorm1d(width, affine=affine)] if norm == "batch" else []
        self.joint = nn.Sequential(
            nn.Dropout(dropout),
            nn.Linear(width if self.additive else 2 * width, width, bias=affine),
            *normalise,
            nn.LeakyReLU(SLOPE, True),
            nn.Dropout(dropout),
            nn.Linear(width, 1, bias=affine),
        )
        self.apply(dcgan_init)

    def forward(self, x: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
        h, z = self.x_branch(x.flatten(1)), z.flatten(1)
        if self.additive:
            h = self.joint[1](self.joint[0](h)) + self.z_branch(z)
            return self.joint[2:](h).squeeze(1)
        return self.joint(torch.cat([h, self.z_branch(z)], dim=1)).squeeze(1)
