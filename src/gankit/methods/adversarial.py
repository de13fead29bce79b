"""Algorithm 1's iteration, shared by the GAN family's methods.

Goodfellow et al. 2014, "Generative Adversarial Nets", Algorithm 1: update D on a minibatch of
data against a minibatch of generated samples, then (when the trainer asks, every
``n_critic``-th call) update G through D. :func:`adversarial_step` is that iteration for any
registered loss and regularizers. The methods built on it differ only in what G's player
produces, how D scores it and what G minimises, and pass those in as hooks: InfoGAN adds its
information term to both players, BiGAN's D scores (x, z) pairs, cgan and LAPGAN give both
players an extra input.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

import torch
from torch import nn

from gankit.core.method import frozen

Generated = torch.Tensor | tuple[torch.Tensor, ...]
# What one method's generate() makes: a tensor, or a tuple of a fixed length (BiGAN's pair).
MadeT = TypeVar("MadeT", bound=Generated)


@dataclass
class Scores:
    """D's outputs on the real and the generated batch, and any term D minimises beside the loss
    (InfoGAN's information term), with what to log of it."""

    real: torch.Tensor
    fake: torch.Tensor
    extra_loss: torch.Tensor | None = None
    logs: dict[str, torch.Tensor] = field(default_factory=dict)


def detached(generated: MadeT) -> MadeT:
    if isinstance(generated, tuple):
        return cast(MadeT, tuple(t.detach() for t in generated))  # as long as generated
    return cast(MadeT, generated.detach())


def adversarial_step(
    method: Any,
    G: nn.Module,
    D: nn.Module,
    real: torch.Tensor,
    generate: Callable[[], MadeT],
    update_generator: bool,
    *,
    score: Callable[[torch.Tensor, MadeT], Scores] | None = None,
    fool: Callable[[MadeT], tuple[torch.Tensor, torch.Tensor | None]] | None = None,
    penalty_inputs: Callable[[torch.Tensor, MadeT], tuple[nn.Module, Any, Any]] | None = None,
    names: tuple[str, str] = ("generator", "discriminator"),
    suffix: str = "",
    fresh_noise: bool = False,
) -> dict[str, torch.Tensor]:
    """One D update, then a G update if ``update_generator``; returns the logs.

    ``method`` supplies ``loss``, ``regularizers``, ``autocast()`` and ``update(name, loss)``.
    The hooks, each defaulting to the plain GAN:

    - ``generate()``: what G's player makes (a tensor, or a tuple such as BiGAN's
      ``(G(z), E(x))``); run with gradients only when G is updated. By default the generator
      step reuses it (as the PyTorch DCGAN example does): one G forward per step, and the same
      expected gradient as drawing new noise. With ``fresh_noise`` it is called again for the
      generator step, which then sees a new minibatch of noise as in Algorithm 1; ``generate``
      must then draw its noise itself on every call.
    - ``score(real, generated)``: D's :class:`Scores` on the real and the detached generated
      batch; default ``D(real)``, ``D(generated)``.
    - ``fool(generated)``: G's adversarial loss and any extra term it minimises (or None);
      default ``loss.generator_loss(D(generated))``, run with D frozen.
    - ``penalty_inputs(real, generated)``: the critic, real and fake inputs the regularizers'
      penalties see; default ``(D, real, generated)``.

    ``names`` are the optimizers of G and D; ``suffix`` is appended to every logged name
    (``d_loss_1`` for LAPGAN's level 1).
    """
    loss = method.loss
    with method.autocast():
        with torch.set_grad_enabled(update_generator and not fresh_noise):
            generated = generate()
        fake = detached(generated)
        scores = score(real, fake) if score else Scores(D(real), D(fake))
        d_loss = loss.discriminator_loss(scores.real, scores.fake)
    logs = {
        "d_loss": d_loss.detach(),
        "d_real": scores.real.detach().float().mean(),
        "d_fake": scores.fake.detach().float().mean(),
        **scores.logs,
    }
    total = d_loss if scores.extra_loss is None else d_loss + scores.extra_loss
    critic, real_in, fake_in = penalty_inputs(real, fake) if penalty_inputs else (D, real, fake)
    for regularizer in method.regularizers:
        penalty = regularizer.discriminator_penalty(critic, real_in, fake_in)
        if penalty is not None:
            total = total + penalty
            logs[regularizer.name] = penalty.detach()
    method.update(names[1], total)
    for regularizer in method.regularizers:
        regularizer.after_discriminator_step(D)
    logs.update(loss.after_discriminator_step(scores.real, scores.fake))
    if update_generator:
        with frozen(D), method.autocast():
            if fresh_noise:
                generated = generate()
            if fool:
                g_loss, extra = fool(generated)
            else:
                g_loss, extra = loss.generator_loss(D(generated)), None
        logs["g_loss"] = g_loss.detach()
        total = g_loss if extra is None else g_loss + extra
        for regularizer in method.regularizers:
            penalty = regularizer.generator_penalty(G)
            if penalty is not None:
                total = total + penalty
                logs[f"g_{regularizer.name}"] = penalty.detach()
        method.update(names[0], total)
    return {name + suffix: value for name, value in logs.items()}
