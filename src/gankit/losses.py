"""Adversarial losses, each a pair: the discriminator's loss and the generator's loss.

Both take the discriminator's outputs on real and generated samples and return a scalar to
minimise. Each loss names the kind of discriminator output it needs (``accepts``): a real-valued
``score`` per sample (logit, critic value) or a reconstruction ``energy`` (BEGAN's auto-encoder).
Registered by name, so a config picks one with ``loss=NAME`` and its options with
``loss_options``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

import torch
import torch.nn.functional as F

from gankit.registry import Registry, check_options

LOSSES: Registry = Registry("loss")


class AdversarialLoss(ABC):
    """A discriminator loss and a generator loss on D's outputs."""

    accepts: tuple[str, ...] = ("score",)

    @abstractmethod
    def discriminator_loss(self, real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
        """The loss D minimises, from its outputs on real and on generated samples."""

    @abstractmethod
    def generator_loss(self, fake: torch.Tensor) -> torch.Tensor:
        """The loss G minimises, from D's outputs on generated samples."""

    def after_discriminator_step(self, real: torch.Tensor, fake: torch.Tensor) -> dict:
        """Update any state of the loss itself (BEGAN's k_t); returns values to log."""
        return {}

    def state_dict(self) -> dict[str, Any]:
        return {}

    def load_state_dict(self, state: dict[str, Any]) -> None:  # noqa: B027  (stateless default)
        """Restore what :meth:`state_dict` returned."""


def _log_loss_discriminator(
    real: torch.Tensor, fake: torch.Tensor, real_label: float = 1.0
) -> torch.Tensor:
    # -[t log D(x) + (1 - t) log(1 - D(x)) + log(1 - D(G(z)))] with D = sigmoid(logit), written
    # stably with softplus; t = 1 unless one-sided label smoothing lowers it.
    real_term = real_label * F.softplus(-real) + (1 - real_label) * F.softplus(real)
    return real_term.mean() + F.softplus(fake).mean()


class _LogLoss(AdversarialLoss):
    """The log loss of D, with optional one-sided label smoothing of the real target.

    Salimans et al. 2016, §3.4: replacing D's target 1 for real samples by e.g. 0.9
    (``real_label``) keeps D from growing over-confident; fake targets stay 0 ("one-sided").
    """

    def __init__(self, real_label: float = 1.0) -> None:
        self.real_label = real_label

    def discriminator_loss(self, real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
        return _log_loss_discriminator(real, fake, self.real_label)


@LOSSES.register("minimax")
class MinimaxLoss(_LogLoss):
    """Minimax log loss: G minimises log(1 - D(G(z))) (Goodfellow et al. 2014, Eq. 1).

    The value function V(D, G) = E[log D(x)] + E[log(1 - D(G(z)))] of Eq. 1, exactly as in
    Algorithm 1. Early in training D rejects samples confidently and this generator gradient
    saturates; ``nonsaturating`` is the fix the same paper recommends.
    """

    def generator_loss(self, fake: torch.Tensor) -> torch.Tensor:
        return -F.softplus(fake).mean()  # log(1 - sigmoid(f)) = -softplus(f)


@LOSSES.register("nonsaturating")
class NonSaturatingLoss(_LogLoss):
    """Non-saturating log loss: G maximises log D(G(z)) (Goodfellow et al. 2014, §3).

    Same discriminator loss as ``minimax``; the generator minimises -log D(G(z)), which "provides
    much stronger gradients early in learning" (§3) and has the same fixed point. This is the
    "vanilla" GAN loss of pix2pix and CycleGAN.
    """

    def generator_loss(self, fake: torch.Tensor) -> torch.Tensor:
        return F.softplus(-fake).mean()  # -log sigmoid(f) = softplus(-f)


@LOSSES.register("least_squares")
class LeastSquaresLoss(AdversarialLoss):
    """Least squares (LSGAN, Mao et al. 2017, Eq. 2): targets a (fake), b (real), c (G's aim).

    min_D 1/2 E[(D(x) - b)^2] + 1/2 E[(D(G(z)) - a)^2];  min_G 1/2 E[(D(G(z)) - c)^2].
    Defaults a = 0, b = 1, c = 1: the 0-1 coding of Eq. 9, which makes G aim at "real".

    ``halved=False`` drops the 1/2s: D minimises E[(D(x) - b)^2] + E[(D(G(z)) - a)^2] and G
    E[(D(G(z)) - c)^2], the form CycleGAN writes (Zhu et al. 2017, §4) and pix2pix/CycleGAN's
    code computes (mean squared error to the target); those methods then halve D's objective.
    """

    def __init__(self, a: float = 0.0, b: float = 1.0, c: float = 1.0, halved: bool = True) -> None:
        self.a, self.b, self.c = a, b, c
        self.scale = 0.5 if halved else 1.0

    def discriminator_loss(self, real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
        return (
            self.scale * ((real - self.b) ** 2).mean() + self.scale * ((fake - self.a) ** 2).mean()
        )

    def generator_loss(self, fake: torch.Tensor) -> torch.Tensor:
        return self.scale * ((fake - self.c) ** 2).mean()


@LOSSES.register("wasserstein")
class WassersteinLoss(AdversarialLoss):
    """Wasserstein loss (Arjovsky et al. 2017, Eq. 3): the critic estimates W(P_r, P_g).

    The critic maximises E[D(x)] - E[D(G(z))], i.e. minimises E[D(G(z))] - E[D(x)]; the
    generator minimises -E[D(G(z))]. It needs a Lipschitz critic: pair it with
    ``weight_clipping``, ``gradient_penalty``, ``banach_gradient_penalty`` or ``spectral_norm``.
    """

    def discriminator_loss(self, real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
        return fake.mean() - real.mean()

    def generator_loss(self, fake: torch.Tensor) -> torch.Tensor:
        return -fake.mean()


@LOSSES.register("hinge")
class HingeLoss(AdversarialLoss):
    """Hinge loss (Lim & Ye 2017; Miyato et al. 2018, Eq. 16-17, as used by SNGAN).

    D minimises E[max(0, 1 - D(x))] + E[max(0, 1 + D(G(z)))]; G minimises -E[D(G(z))].
    """

    def discriminator_loss(self, real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
        return F.relu(1 - real).mean() + F.relu(1 + fake).mean()

    def generator_loss(self, fake: torch.Tensor) -> torch.Tensor:
        return -fake.mean()


@LOSSES.register("began")
class BEGANLoss(AdversarialLoss):
    """BEGAN's equilibrium loss on auto-encoder energies (Berthelot et al. 2017, Eq. 4-5).

    With L(v) = |v - D(v)| the reconstruction energy: L_D = L(x) - k_t L(G(z)), L_G = L(G(z)),
    and the proportional control k_{t+1} = k_t + lambda_k (gamma L(x) - L(G(z))), clipped to
    [0, 1], starting from k_0 = 0. gamma = E[L(G(z))] / E[L(x)] is the diversity ratio (0.5 by
    default; the paper shows 0.3 to 0.7), lambda_k = 0.001. The convergence measure
    M_global = L(x) + |gamma L(x) - L(G(z))| (Eq. 6) is logged as ``m_global``.
    """

    accepts = ("energy",)

    def __init__(self, gamma: float = 0.5, lambda_k: float = 1e-3, k0: float = 0.0) -> None:
        self.gamma, self.lambda_k = gamma, lambda_k
        self.k = torch.tensor(float(k0))  # a tensor on D's device: updating it needs no sync

    def discriminator_loss(self, real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
        self.k = self.k.to(real.device)
        return real.mean() - self.k * fake.mean()

    def generator_loss(self, fake: torch.Tensor) -> torch.Tensor:
        return fake.mean()

    def after_discriminator_step(self, real: torch.Tensor, fake: torch.Tensor) -> dict:
        real_energy, fake_energy = real.detach().float().mean(), fake.detach().float().mean()
        balance = self.gamma * real_energy - fake_energy
        self.k = (self.k.to(balance.device) + self.lambda_k * balance).clamp(0.0, 1.0)
        return {"k": self.k, "m_global": real_energy + balance.abs()}

    def state_dict(self) -> dict[str, Any]:
        return {"k": self.k.detach().cpu()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.k = torch.as_tensor(state["k"], dtype=torch.float32)


def build_loss(name: str, options: dict[str, Any] | None = None) -> AdversarialLoss:
    """The loss registered as ``name``, built with ``options`` (checked against its signature)."""
    cls = LOSSES.get(name)
    options = dict(options or {})
    check_options(cls, options, f"loss {name!r}")
    return cls(**options)
