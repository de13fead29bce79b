"""Fully connected generator and discriminator (Goodfellow et al. 2014).

Goodfellow et al. 2014, "Generative Adversarial Nets", §5: the generator used ReLU (and sigmoid)
units, the discriminator maxout units with dropout. Both work on flattened images and on points
(the toy 2-D mixtures), whose generator output is linear instead of tanh.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
from torch import nn

from gankit.core.spec import DataSpec
from gankit.nets.registry import DISCRIMINATORS, GENERATORS

ACTIVATIONS: dict[str, Callable[[], nn.Module]] = {
    "relu": nn.ReLU,
    "leaky_relu": lambda: nn.LeakyReLU(0.2),
    "tanh": nn.Tanh,
}


class Maxout(nn.Module):
    """A linear layer with ``pieces`` outputs per unit, keeping the largest (Goodfellow et al. 2013)."""

    def __init__(self, in_features: int, out_features: int, pieces: int) -> None:
        super().__init__()
        self.pieces = pieces
        self.linear = nn.Linear(in_features, out_features * pieces)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.linear(x).unflatten(-1, (-1, self.pieces)).amax(-1)


def _activation(name: str) -> nn.Module:
    if name not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, got {name!r}")
    return ACTIVATIONS[name]()


@GENERATORS.register("mlp")
class MLPGenerator(nn.Module):
    """Fully connected generator: z -> hidden layers -> a sample (tanh for images)."""

    def __init__(
        self,
        z_dim: int,
        spec: DataSpec,
        hidden: tuple[int, ...] = (256, 256),
        activation: str = "relu",
    ) -> None:
        super().__init__()
        self.shape = spec.shape
        layers: list[nn.Module] = []
        width = z_dim
        for units in hidden:
            layers += [nn.Linear(width, units), _activation(activation)]
            width = units
        layers.append(nn.Linear(width, math.prod(spec.shape)))
        if spec.kind == "image":
            layers.append(nn.Tanh())
        self.net = nn.Sequential(*layers)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.net(z.flatten(1)).view(-1, *self.shape)


@DISCRIMINATORS.register("mlp")
class MLPDiscriminator(nn.Module):
    """Fully connected discriminator: a sample -> hidden layers (maxout or an activation) -> logit."""

    output_kind = "score"

    def __init__(
        self,
        spec: DataSpec,
        hidden: tuple[int, ...] = (256, 256),
        activation: str = "leaky_relu",
        maxout_pieces: int = 1,
        dropout: float = 0.0,
    ) -> None:
        super().__init__()
        layers: list[nn.Module] = []
        width = math.prod(spec.shape)
        for units in hidden:
            if maxout_pieces > 1:
                layers.append(Maxout(width, units, maxout_pieces))
            else:
                layers += [nn.Linear(width, units), _activation(activation)]
            if dropout > 0:
                layers.append(nn.Dropout(dropout))
            width = units
        layers.append(nn.Linear(width, 1))
        self.net = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x.flatten(1)).squeeze(1)
