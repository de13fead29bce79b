"""What the conditional methods share: one GAN step with extra inputs, and their set-up.

A conditional GAN (Mirza & Osindero 2014, Eq. 2) is Algorithm 1 of Goodfellow et al. 2014 with
an extra input c given to both players: min_G max_D E[log D(x|c)] + E[log(1 - D(G(z|c)|c))].
:func:`conditional_step` is that step for any registered loss and regularizers, with c a tuple
of tensors: class labels for ``cgan``, the upsampled coarser image for each LAPGAN level.
"""

from __future__ import annotations

import torch
from torch import nn

from gankit.methods.base import Latent, frozen
from gankit.methods.gan import GAN
from gankit.regularizers import build_regularizers
from gankit.train.optim import build_optimizer


class Conditioned(nn.Module):
    """``net`` with its extra inputs fixed: ``Conditioned(D, c)(x) == D(x, *c)``.

    The regularizers call ``D(x)`` (gradient penalties, R1, DRAGAN) and read ``D.parameters()``
    (weight penalties); this view lets them work on a conditional D unchanged.
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
    with method.autocast():
        with torch.set_grad_enabled(update_generator):
            fake = G(*inputs, *condition)
        real_out, fake_out = D(real, *condition), D(fake.detach(), *condition)
        d_loss = method.loss.discriminator_loss(real_out, fake_out)
    logs = {
        f"d_loss{suffix}": d_loss.detach(),
        f"d_real{suffix}": real_out.detach().float().mean(),
        f"d_fake{suffix}": fake_out.detach().float().mean(),
    }
    total = d_loss
    bound = Conditioned(D, condition)
    for regularizer in method.regularizers:
        penalty = regularizer.discriminator_penalty(bound, real, fake.detach())
        if penalty is not None:
            total = total + penalty
            logs[f"{regularizer.name}{suffix}"] = penalty.detach()
    method.update(names[1], total)
    for regularizer in method.regularizers:
        regularizer.after_discriminator_step(D)
    logs.update(
        {k + suffix: v for k, v in method.loss.after_discriminator_step(real_out, fake_out).items()}
    )
    if update_generator:
        with frozen(D), method.autocast():
            g_loss = method.loss.generator_loss(D(fake, *condition))
        logs[f"g_loss{suffix}"] = g_loss.detach()
        for regularizer in method.regularizers:
            penalty = regularizer.generator_penalty(G)
            if penalty is not None:
                g_loss = g_loss + penalty
                logs[f"g_{regularizer.name}{suffix}"] = penalty.detach()
        method.update(names[0], g_loss)
    return logs


def finish_setup(method: GAN, optimizers: bool = True) -> None:
    """The tail of ``GAN.__init__`` for methods that build their own ``nets``.

    Checks the loss against D's output, builds and applies the regularizers (spectral norm
    changes D's parameters, so optimizers come after) and moves the nets to the device; with
    ``optimizers``, gives each net its own optimizer from ``cfg.optim.<net name>``.
    """
    cfg, nets = method.cfg, method.nets
    method._check_loss_fits_discriminator()
    method.regularizers = build_regularizers(cfg.regularizers)
    for regularizer in method.regularizers:
        regularizer.check(method.spec, nets)
        regularizer.prepare(nets)
    for net in nets.values():
        net.to(method.device)
    if optimizers:
        for name, net in nets.items():
            method.optimizers[name] = build_optimizer(net.parameters(), getattr(cfg.optim, name))
