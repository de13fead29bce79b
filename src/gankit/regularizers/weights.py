"""Penalties and constraints on a network's weights: L1/L2 weight penalties and clipping
(spectral normalisation has its own module, :mod:`gankit.regularizers.spectral`)."""

from __future__ import annotations

from abc import ABC, abstractmethod

import torch
from torch import nn

from gankit.errors import UnknownNameError
from gankit.regularizers.base import NET_NAMES, REGULARIZERS, Regularizer


class _WeightPenalty(Regularizer, ABC):
    def __init__(self, weight: float = 1e-4, net: str = "discriminator") -> None:
        if net not in NET_NAMES:
            raise UnknownNameError("network", net, NET_NAMES)
        self.weight, self.net = weight, net

    @staticmethod
    @abstractmethod
    def measure(p: torch.Tensor) -> torch.Tensor:
        """The penalty of one weight tensor (each penalty's own)."""

    def _penalty(self, module: nn.Module) -> torch.Tensor | float:  # 0 without trainable weights
        return self.weight * sum(self.measure(p) for p in module.parameters() if p.requires_grad)

    def discriminator_penalty(self, D, real, fake):
        return self._penalty(D) if self.net == "discriminator" else None

    def generator_penalty(self, G):
        return self._penalty(G) if self.net == "generator" else None


@REGULARIZERS.register("weight_l1")
class L1WeightPenalty(_WeightPenalty):
    """weight * sum |w| over the weights of ``net`` (generator or discriminator)."""

    name = "weight_l1"

    @staticmethod
    def measure(p: torch.Tensor) -> torch.Tensor:
        return p.abs().sum()


@REGULARIZERS.register("weight_l2")
class L2WeightPenalty(_WeightPenalty):
    """weight * sum w^2 over the weights of ``net`` (generator or discriminator)."""

    name = "weight_l2"

    @staticmethod
    def measure(p: torch.Tensor) -> torch.Tensor:
        return (p**2).sum()


@REGULARIZERS.register("weight_clipping")
class WeightClipping(Regularizer):
    """Clip every critic weight to [-clip, clip] after each update (Arjovsky et al. 2017, Alg. 1).

    The paper's c = 0.01 (with RMSprop, lr 5e-5, n_critic = 5): a crude way to keep the critic
    Lipschitz, which the authors call "clearly terrible" but simple.
    """

    name = "weight_clipping"
    constrains_lipschitz = True

    def __init__(self, clip: float = 0.01) -> None:
        self.clip = clip

    @torch.no_grad()
    def after_discriminator_step(self, D: nn.Module) -> None:
        for p in D.parameters():
            p.clamp_(-self.clip, self.clip)
