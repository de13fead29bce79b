"""Banach WGAN's gradient penalty in a Sobolev norm, and the Fourier filter that measures it."""

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

SCALINGS = ("thesis", "authors")
AUTHORS_C = 5.0  # Adler & Lunz's code


def scaling_constant(scaling: str, c: float | None) -> float:
    """The c of (1 + c |xi|^2) for a Sobolev ``scaling``: 1 for the thesis, 5 (or ``c``) for the
    authors' code. Refuses an unknown scaling, and a c with the thesis's."""
    if scaling not in SCALINGS:
        raise UnknownNameError("Sobolev scaling", scaling, SCALINGS)
    if scaling == "thesis":
        if c is not None:
            raise ConfigError(
                f"c = {c} belongs to the authors' Sobolev scaling; the thesis's (1 + |xi|^2) has "
                f"none. Set scaling=authors, or drop c."
            )
        return 1.0
    return AUTHORS_C if c is None else c


def sobolev_filter(
    x: torch.Tensor, s: float, scaling: str = "thesis", c: float | None = None
) -> torch.Tensor:
    """F^-1[(1 + c |xi|^2)^(s/2) F x] over the last two (spatial) dimensions.

    ``scaling`` says how the frequency xi is measured:

    - ``thesis`` (default; Sørby, Eq. 3.9): c = 1 and xi is the wave number in cycles per image,
      so a cosine of k cycles along one axis is multiplied by (1 + k^2)^(s/2);
    - ``authors`` (Adler & Lunz's code): xi = |k| / (n // 2) on each axis, so xi runs over
      [0, 1], and ``c`` (default 5) sets the scale.

    s > 0 emphasises edges, s < 0 large structures.
    """
    c = scaling_constant(scaling, c)
    if s == 0:
        return x
    height, width = x.shape[-2:]

    def axis(n: int) -> torch.Tensor:
        k = torch.arange(n, device=x.device, dtype=torch.float32)
        if scaling == "thesis":
            # Eq. 3.9's F f(xi) = integral of f(t) e^(2 pi i t.xi) over an image of unit side:
            # the FFT's bin k is xi = |k| cycles per image.
            return torch.minimum(k, n - k)
        return torch.minimum(k, n - k) / max(n // 2, 1)

    xi2 = axis(height)[:, None] ** 2 + axis(width)[None, :] ** 2
    scale = (1 + c * xi2) ** (s / 2)
    return torch.fft.ifft2(torch.fft.fft2(x.float()) * scale).real


@REGULARIZERS.register("banach_gradient_penalty")
class BanachGradientPenalty(Regularizer):
    """Banach WGAN's penalty in the Sobolev space W^{s,p} (Adler & Lunz 2018, Eq. 8, §3.3).

    The critic must be 1-Lipschitz in the norm ||x||_B = ||F^-1[(1 + |xi|^2)^(s/2) F x]||_p, so
    the penalty uses the dual norm of its gradient, ||g||_B* (order -s, exponent q = p/(p-1)):

        L_D = (1/gamma) (E[D(G(z))] - E[D(x)]) + lambda E[(||grad D(x_hat)||_B* / gamma - 1)^2]

    with the paper's heuristics gamma = E||x||_B* and lambda = E||x||_B, estimated on each real
    batch (``weight`` overrides lambda). Multiplying L_D by gamma gives the same Adam updates
    (Adam is invariant to a loss's scale), so with the plain ``wasserstein`` loss this term is
    lambda * gamma * E[(||g||_B* / gamma - 1)^2]. s = 0, p = 2 is WGAN-GP with lambda, gamma
    set from the data. Paper settings: s in [-2, 2], p in {1.3, 2, 10}.

    ``scaling`` (see ``sobolev_filter``): ``thesis`` (default), the norm as Sørby's Eq. 3.9
    writes it, xi in cycles per image and no constant; ``authors``, Adler & Lunz's code,
    (1 + c |xi|^2) with xi in [0, 1] and c = 5.
    """

    name = "banach_gradient_penalty"
    constrains_lipschitz = True

    def __init__(
        self,
        s: float = 0.0,
        p: float = 2.0,
        c: float | None = None,
        weight: float | None = None,
        scaling: str = "thesis",
    ) -> None:
        if p < 1:
            raise ConfigError(f"banach_gradient_penalty needs p >= 1, got p={p}.")
        scaling_constant(scaling, c)  # an unknown scaling, or c with the thesis's, fails here
        self.s, self.p, self.c, self.weight, self.scaling = s, p, c, weight, scaling
        self.q = float("inf") if p == 1 else p / (p - 1)

    def check(self, spec: DataSpec, nets: dict[str, nn.Module]) -> None:
        if self.s != 0 and (spec.kind != "image" or len(spec.shape) != 3):
            raise ConfigError(
                f"banach_gradient_penalty with s={self.s} needs images (it filters over the "
                f"spatial axes), but the data has {spec.kind} samples of shape {spec.shape}. "
                f"Use s=0 for this data."
            )
        warn_batch_norm(self.name, nets)

    def norm(self, x: torch.Tensor) -> torch.Tensor:
        return per_sample_norm(sobolev_filter(x, self.s, self.scaling, self.c), self.p)

    def dual_norm(self, x: torch.Tensor) -> torch.Tensor:
        return per_sample_norm(sobolev_filter(x, -self.s, self.scaling, self.c), self.q)

    def discriminator_penalty(self, D, real, fake):
        with torch.no_grad():
            gamma = self.dual_norm(real).mean()
            weight = self.weight if self.weight is not None else self.norm(real).mean()
        norms = self.dual_norm(input_gradients(D, interpolate(real, fake)))
        return weight * gamma * ((norms / gamma - 1) ** 2).mean()
