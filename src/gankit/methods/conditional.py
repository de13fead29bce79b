"""What the conditional methods share: one GAN step with extra inputs given to both players.

A conditional GAN (Mirza & Osindero 2014, Eq. 2) is Algorithm 1 of Goodfellow et al. 2014 with
an extra input c given to both players: min_G max_D E[log D(x|c)] + E[log(1 - D(G(z|c)|c))].
:func:`conditional_step` is :func:`gankit.methods.adversarial.adversarial_step` with c, a tuple
of tensors, given to both nets: class labels for ``cgan``, the upsampled coarser image for each
LAPGAN level.
"""

from __future__ import annotations

import torch
from torch import nn

from gankit.core.method import Latent
from gankit.methods.adversarial import adversarial_step
from gankit.methods.gan import GAN


class Conditioned(nn.Module):
    """``net`` with its extra inputs fixed: ``Conditioned(D, c)(x) == D(x, *c)``.

    The shared step and the regularizers call ``D(x)`` (scores, gradient penalties, R1, DRAGAN)
    and read ``D.parameters()`` (freezing, weight penalties, clipping); this view lets them work
    on a conditional D unchanged.
    """

    def __init__(self, net: nn.Module, condition: tuple[torch.Tensor, ...]) -> None:
        super().__init__()
        self.net, self.condition = net, condition

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x, *self.condition)


def conditional_step(
    method: GAN,
    G: nn.Module,
    D: nn.Module,
    real: torch.Tensor,
    latent: Latent,
    condition: tuple[torch.Tensor, ...],
    update_generator: bool,
    names: tuple[str, str] = ("generator", "discriminator"),
    suffix: str = "",
) -> dict[str, torch.Tensor]:
    """One D update on (real | c) against (G(latent, c) | c), then a G update if asked.

    The generated batch shares the real batch's condition, so D sees every condition equally
    often among real and generated samples. ``names`` are the optimizers of G and D; ``suffix``
    is appended to every logged name (``d_loss_1`` for LAPGAN's level 1).
    """
    inputs = latent if isinstance(latent, tuple) else (latent,)
    return adversarial_step(
        method,
        G,
        Conditioned(D, condition),  # D(x, *c) as D(x): the plain game's defaults then fit
        real,
        lambda: G(*inputs, *condition),
        update_generator,
        names=names,
        suffix=suffix,
    )
