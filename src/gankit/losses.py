"""Adversarial losses, each a pair: the discriminator's loss and the generator's loss.

Both take the discriminator's raw outputs (logits for the log-loss family) and return a scalar
to minimise. Registered by name, so a config picks one with ``loss=NAME``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

import torch
import torch.nn.functional as F

from gankit.registry import Registry

LOSSES: Registry = Registry("loss")


class AdversarialLoss(ABC):
    """A discriminator loss and a generator loss on D's outputs."""

    @abstractmethod
    def discriminator_loss(self, real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
        """The loss D minimises, from its outputs on real and on generated samples."""

    @abstractmethod
    def generator_loss(self, fake: torch.Tensor) -> torch.Tensor:
        """The loss G minimises, from D's outputs on generated samples."""


def _log_loss_discriminator(real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
    # -[log D(x) + log(1 - D(G(z)))] with D = sigmoid(logit), written stably with softplus.
    return F.softplus(-real).mean() + F.softplus(fake).mean()


@LOSSES.register("minimax")
class MinimaxLoss(AdversarialLoss):
    """Minimax log loss: G minimises log(1 - D(G(z))) (Goodfellow et al. 2014, Eq. 1).

    The value function V(D, G) = E[log D(x)] + E[log(1 - D(G(z)))] of Eq. 1, exactly as in
    Algorithm 1. Early in training D rejects samples confidently and this generator gradient
    saturates; ``nonsaturating`` is the fix the same paper recommends.
    """

    def discriminator_loss(self, real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
        return _log_loss_discriminator(real, fake)

    def generator_loss(self, fake: torch.Tensor) -> torch.Tensor:
        return -F.softplus(fake).mean()  # log(1 - sigmoid(f)) = -softplus(f)


@LOSSES.register("nonsaturating")
class NonSaturatingLoss(AdversarialLoss):
    """Non-saturating log loss: G maximises log D(G(z)) (Goodfellow et al. 2014, §3).

    Same discriminator loss as ``minimax``; the generator minimises -log D(G(z)), which "provides
    much stronger gradients early in learning" (§3) and has the same fixed point.
    """

    def discriminator_loss(self, real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
        return _log_loss_discriminator(real, fake)

    def generator_loss(self, fake: torch.Tensor) -> torch.Tensor:
        return F.softplus(-fake).mean()  # -log sigmoid(f) = softplus(-f)


def build_loss(name: str) -> AdversarialLoss:
    return LOSSES.get(name)()
