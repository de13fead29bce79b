"""Gradient penalties on the discriminator's input gradient: WGAN-GP, DRAGAN and R1."""

from __future__ import annotations

import torch
from torch import nn

from gankit.core.spec import DataSpec
from gankit.errors import ConfigError, UnknownNameError
from gankit.regularizers.base import (
    REGULARIZERS,
    Regularizer,
    input_gradients,
    interpolate,
    per_sample_norm,
    warn_batch_norm,
)


@REGULARIZERS.register("gradient_penalty")
class GradientPenalty(Regularizer):
    """WGAN-GP (Gulrajani et al. 2017, Eq. 3): weight * E[(||grad D(x_hat)||_2 - 1)^2].

    ``at: interpolates`` (default, the paper): x_hat is drawn uniformly on the segment between a
    real and a generated sample, with one alpha per sample. ``at: real``: x_hat is the real
    sample itself, the form of the CMU 11-785 lecture on GANs (Part 2, 2023), which maximises
    E_{x ~ P_X}[D(x) - lambda (||grad_x D(x)||_2 - 1)^2] - E_z[D(G(z))]. The norm is taken over
    all of a sample's dimensions at once. Default weight lambda = 10 (the paper's value for every
    experiment).
    """

    name = "gradient_penalty"
    constrains_lipschitz = True
    POINTS = ("interpolates", "real")

    def __init__(self, weight: float = 10.0, target: float = 1.0, at: str = "interpolates"):
        if at not in self.POINTS:
            raise UnknownNameError("gradient_penalty point", at, self.POINTS)
        self.weight, self.target, self.at = weight, target, at

    def check(self, spec: DataSpec, nets: dict[str, nn.Module]) -> None:
        warn_batch_norm(self.name, nets)

    def discriminator_penalty(self, D, real, fake):
        points = real if self.at == "real" else interpolate(real, fake)
        norms = per_sample_norm(input_gradients(D, points))
        return self.weight * ((norms - self.target) ** 2).mean()


@REGULARIZERS.register("dragan")
class DRAGANPenalty(Regularizer):
    """DRAGAN (Kodali et al. 2017, Algorithm 1): the gradient penalty around the real data.

    Penalises weight * E[(||grad D(x_tilde)||_2 - 1)^2] at perturbed real samples x_tilde.
    ``perturbation`` says how they are drawn:

    - ``gaussian`` (default): x_tilde = x + delta, delta ~ N(0, c I), as in the paper and in
      Sørby's Table 3.2 (c is the variance). Without ``c``, c = (noise * std(x))^2 from the batch.
    - ``authors``: the authors' notebook, x_hat between x and x + noise * std(x) * U[0, 1), one
      alpha ~ U[0, 1] per sample; the perturbation is one-sided.

    std(x) is the standard deviation over every value of the real batch; noise = 0.5 (the
    authors' code). Default weight lambda = 10.
    """

    # gaussian is the default: the paper's final version and the thesis both write x + N(0, cI),
    # and the authors call their notebook an older form (kodalinaveen3/DRAGAN issues #5, #6).
    name = "dragan"
    constrains_lipschitz = True
    PERTURBATIONS = ("gaussian", "authors")

    def __init__(
        self,
        weight: float = 10.0,
        perturbation: str = "gaussian",
        noise: float = 0.5,
        c: float | None = None,
    ) -> None:
        if perturbation not in self.PERTURBATIONS:
            raise UnknownNameError("DRAGAN perturbation", perturbation, self.PERTURBATIONS)
        if c is not None and (perturbation != "gaussian" or c < 0):
            raise ConfigError(
                f"dragan's c (the variance of the Gaussian perturbation) needs "
                f"perturbation=gaussian and c >= 0, got perturbation={perturbation}, c={c}. "
                f"Drop c, or use noise to scale the authors' perturbation."
            )
        self.weight, self.perturbation, self.noise, self.c = weight, perturbation, noise, c

    def check(self, spec: DataSpec, nets: dict[str, nn.Module]) -> None:
        warn_batch_norm(self.name, nets)

    def points(self, real: torch.Tensor) -> torch.Tensor:
        """The perturbed real samples where D's gradient norm is penalised."""
        if self.perturbation == "authors":
            perturbed = real + self.noise * real.std() * torch.rand_like(real)
            return interpolate(real, perturbed)
        std = self.c**0.5 if self.c is not None else self.noise * real.std()
        return real + std * torch.randn_like(real)

    def discriminator_penalty(self, D, real, fake):
        norms = per_sample_norm(input_gradients(D, self.points(real)))
        return self.weight * ((norms - 1) ** 2).mean()


@REGULARIZERS.register("r1")
class R1Penalty(Regularizer):
    """R1 (Mescheder et al. 2018, Eq. 9): (gamma / 2) E_real[||grad D(x)||^2], gamma = 10."""

    name = "r1"

    def __init__(self, weight: float = 10.0) -> None:
        self.weight = weight

    def discriminator_penalty(self, D, real, fake):
        norms = per_sample_norm(input_gradients(D, real))
        return 0.5 * self.weight * (norms**2).mean()
