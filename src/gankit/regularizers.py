"""Penalties, constraints and network transforms that keep a discriminator well behaved.

Each regularizer is a small object with optional hooks the GAN method calls:

- ``prepare(nets)``: change the networks before their optimizers exist (spectral norm);
- ``discriminator_penalty(D, real, fake)`` / ``generator_penalty(G)``: a term added to the loss;
- ``after_discriminator_step(D)``: a constraint applied after each D update (weight clipping).

A config lists them by name, with options: ``regularizers=[spectral_norm]`` or, in YAML,
``regularizers: [{name: gradient_penalty, weight: 10}]``. Gradient penalties run in float32
even under mixed precision, so AMP never scales their double backward.
"""

from __future__ import annotations

import inspect
import warnings
from typing import Any

import torch
from torch import nn

from gankit.data.base import DataSpec
from gankit.errors import ConfigError, UnknownNameError
from gankit.registry import Registry

REGULARIZERS: Registry = Registry("regularizer")
NET_NAMES = ("generator", "discriminator")


class Regularizer:
    """Base class: every hook does nothing unless a subclass overrides it."""

    name = "regularizer"

    def check(self, spec: DataSpec, nets: dict[str, nn.Module]) -> None:
        """Raise ConfigError (or warn) when the data or nets cannot work with this regularizer."""

    def prepare(self, nets: dict[str, nn.Module]) -> None:
        """Change the networks in place before the optimizers are built."""

    def discriminator_penalty(
        self, D: nn.Module, real: torch.Tensor, fake: torch.Tensor
    ) -> torch.Tensor | None:
        return None

    def generator_penalty(self, G: nn.Module) -> torch.Tensor | None:
        return None

    def after_discriminator_step(self, D: nn.Module) -> None:
        """Constrain D after its optimizer step."""


# ----------------------------------------------------------------------------- helpers


def interpolate(real: torch.Tensor, other: torch.Tensor) -> torch.Tensor:
    """Random points on the segments between paired samples: one alpha ~ U[0, 1] per sample.

    The alpha broadcasts over every non-batch dimension, so each interpolate lies on the line
    between its two samples (Gulrajani et al. 2017, Algorithm 1, line 6).
    """
    alpha = torch.rand((real.shape[0],) + (1,) * (real.dim() - 1), device=real.device)
    return alpha * real + (1 - alpha) * other


def input_gradients(D: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """dD(x)/dx for each sample, kept in the graph so a penalty on it can be backpropagated."""
    x = x.detach().float().requires_grad_(True)
    with torch.autocast(x.device.type, enabled=False):
        out = D(x)
    (grad,) = torch.autograd.grad(out.sum(), x, create_graph=True)
    return grad


def per_sample_norm(x: torch.Tensor, p: float = 2.0) -> torch.Tensor:
    """The p-norm of each sample over all its non-batch dimensions, computed without overflow."""
    flat = x.flatten(1)
    scale = flat.detach().abs().amax(dim=1, keepdim=True) + 1e-12
    return scale.squeeze(1) * torch.linalg.vector_norm(flat / scale, ord=p, dim=1)


def _has_batch_norm(net: nn.Module) -> bool:
    return any(isinstance(m, nn.modules.batchnorm._BatchNorm) for m in net.modules())


def _warn_batch_norm(name: str, nets: dict[str, nn.Module]) -> None:
    if _has_batch_norm(nets["discriminator"]):
        warnings.warn(
            f"{name} with a BatchNorm discriminator: the per-sample penalty is no longer "
            "per-sample (Gulrajani et al. 2017, §4). Prefer discriminator.norm=layer or none.",
            stacklevel=3,
        )


# ----------------------------------------------------------------------------- penalties


@REGULARIZERS.register("gradient_penalty")
class GradientPenalty(Regularizer):
    """WGAN-GP (Gulrajani et al. 2017, Eq. 3): weight * E[(||grad D(x_hat)||_2 - 1)^2].

    x_hat is drawn uniformly on the segment between a real and a generated sample, with one
    alpha per sample; the norm is taken over all of a sample's dimensions at once. Default
    weight lambda = 10 (the paper's value for every experiment).
    """

    name = "gradient_penalty"

    def __init__(self, weight: float = 10.0, target: float = 1.0) -> None:
        self.weight, self.target = weight, target

    def check(self, spec: DataSpec, nets: dict[str, nn.Module]) -> None:
        _warn_batch_norm(self.name, nets)

    def discriminator_penalty(self, D, real, fake):
        norms = per_sample_norm(input_gradients(D, interpolate(real, fake)))
        return self.weight * ((norms - self.target) ** 2).mean()


@REGULARIZERS.register("dragan")
class DRAGANPenalty(Regularizer):
    """DRAGAN (Kodali et al. 2017, Algorithm 1): the gradient penalty around the real data.

    Penalises weight * E[(||grad D(x_hat)||_2 - 1)^2] at points x_hat between a real sample x and
    a perturbed copy x + noise * std(x) * U[0, 1), as in the authors' code (noise = 0.5; the
    paper's c sets the size of these local regions). Default weight lambda = 10.
    """

    name = "dragan"

    def __init__(self, weight: float = 10.0, noise: float = 0.5) -> None:
        self.weight, self.noise = weight, noise

    def check(self, spec: DataSpec, nets: dict[str, nn.Module]) -> None:
        _warn_batch_norm(self.name, nets)

    def discriminator_penalty(self, D, real, fake):
        perturbed = real + self.noise * real.std() * torch.rand_like(real)
        norms = per_sample_norm(input_gradients(D, interpolate(real, perturbed)))
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


def sobolev_filter(x: torch.Tensor, s: float, c: float = 5.0) -> torch.Tensor:
    """F^-1[(1 + c |xi|^2)^(s/2) F x] over the last two (spatial) dimensions.

    Frequencies are measured as in Adler & Lunz's code: |k| / (n // 2) on each axis, so xi runs
    over [0, 1] and ``c`` (5) sets the scale. s > 0 emphasises edges, s < 0 large structures.
    """
    if s == 0:
        return x
    height, width = x.shape[-2:]

    def axis(n: int) -> torch.Tensor:
        k = torch.arange(n, device=x.device, dtype=torch.float32)
        return torch.minimum(k, n - k) / max(n // 2, 1)

    xi2 = axis(height)[:, None] ** 2 + axis(width)[None, :] ** 2
    scale = (1 + c * xi2) ** (s / 2)
    return torch.fft.ifft2(torch.fft.fft2(x.float()) * scale).real


@REGULARIZERS.register("banach_gradient_penalty")
class BanachGradientPenalty(Regularizer):
    """Banach WGAN's penalty in the Sobolev space W^{s,p} (Adler & Lunz 2018, Eq. 8, §3.3).

    The critic must be 1-Lipschitz in the norm ||x||_B = ||F^-1[(1 + c|xi|^2)^(s/2) F x]||_p, so
    the penalty uses the dual norm of its gradient, ||g||_B* (order -s, exponent q = p/(p-1)):

        L_D = (1/gamma) (E[D(G(z))] - E[D(x)]) + lambda E[(||grad D(x_hat)||_B* / gamma - 1)^2]

    with the paper's heuristics gamma = E||x||_B* and lambda = E||x||_B, estimated on each real
    batch (``weight`` overrides lambda). Multiplying L_D by gamma gives the same Adam updates
    (Adam is invariant to a loss's scale), so with the plain ``wasserstein`` loss this term is
    lambda * gamma * E[(||g||_B* / gamma - 1)^2]. s = 0, p = 2 is WGAN-GP with lambda, gamma
    set from the data. Paper settings: s in [-2, 2], p in {1.3, 2, 10}; c = 5.
    """

    name = "banach_gradient_penalty"

    def __init__(self, s: float = 0.0, p: float = 2.0, c: float = 5.0, weight: float | None = None):
        if p < 1:
            raise ConfigError(f"banach_gradient_penalty needs p >= 1, got p={p}.")
        self.s, self.p, self.c, self.weight = s, p, c, weight
        self.q = float("inf") if p == 1 else p / (p - 1)

    def check(self, spec: DataSpec, nets: dict[str, nn.Module]) -> None:
        if self.s != 0 and (spec.kind != "image" or len(spec.shape) != 3):
            raise ConfigError(
                f"banach_gradient_penalty with s={self.s} needs images (it filters over the "
                f"spatial axes), but the data has {spec.kind} samples of shape {spec.shape}. "
                f"Use s=0 for this data."
            )
        _warn_batch_norm(self.name, nets)

    def norm(self, x: torch.Tensor) -> torch.Tensor:
        return per_sample_norm(sobolev_filter(x, self.s, self.c), self.p)

    def dual_norm(self, x: torch.Tensor) -> torch.Tensor:
        return per_sample_norm(sobolev_filter(x, -self.s, self.c), self.q)

    def discriminator_penalty(self, D, real, fake):
        with torch.no_grad():
            gamma = self.dual_norm(real).mean()
            weight = self.weight if self.weight is not None else self.norm(real).mean()
        norms = self.dual_norm(input_gradients(D, interpolate(real, fake)))
        return weight * gamma * ((norms / gamma - 1) ** 2).mean()


class _WeightPenalty(Regularizer):
    def __init__(self, weight: float = 1e-4, net: str = "discriminator") -> None:
        if net not in NET_NAMES:
            raise UnknownNameError("network", net, NET_NAMES)
        self.weight, self.net = weight, net

    def _penalty(self, module: nn.Module) -> torch.Tensor:
        return self.weight * sum(self.measure(p) for p in module.parameters() if p.requires_grad)

    def discriminator_penalty(self, D, real, fake):
        return self._penalty(D) if self.net == "discriminator" else None

    def generator_penalty(self, G):
        return self._penalty(G) if self.net == "generator" else None


@REGULARIZERS.register("l1")
class L1WeightPenalty(_WeightPenalty):
    """weight * sum |w| over the weights of ``net`` (generator or discriminator)."""

    name = "l1"

    @staticmethod
    def measure(p: torch.Tensor) -> torch.Tensor:
        return p.abs().sum()


@REGULARIZERS.register("l2")
class L2WeightPenalty(_WeightPenalty):
    """weight * sum w^2 over the weights of ``net`` (generator or discriminator)."""

    name = "l2"

    @staticmethod
    def measure(p: torch.Tensor) -> torch.Tensor:
        return (p**2).sum()


# ----------------------------------------------------------------------------- constraints


@REGULARIZERS.register("weight_clipping")
class WeightClipping(Regularizer):
    """Clip every critic weight to [-clip, clip] after each update (Arjovsky et al. 2017, Alg. 1).

    The paper's c = 0.01 (with RMSprop, lr 5e-5, n_critic = 5): a crude way to keep the critic
    Lipschitz, which the authors call "clearly terrible" but simple.
    """

    name = "weight_clipping"

    def __init__(self, clip: float = 0.01) -> None:
        self.clip = clip

    @torch.no_grad()
    def after_discriminator_step(self, D: nn.Module) -> None:
        for p in D.parameters():
            p.clamp_(-self.clip, self.clip)


@REGULARIZERS.register("spectral_norm")
class SpectralNorm(Regularizer):
    """Spectral normalisation (Miyato et al. 2018, Eq. 8): every layer's W becomes W / sigma(W).

    sigma(W), the largest singular value, is estimated by one power iteration per forward pass
    (the paper's setting), through ``torch.nn.utils.parametrizations.spectral_norm``. Applied to
    every convolution, transposed convolution, linear and embedding layer of ``net`` (D).
    """

    name = "spectral_norm"
    LAYERS = (nn.Conv2d, nn.ConvTranspose2d, nn.Linear, nn.Embedding)

    def __init__(self, net: str = "discriminator", power_iterations: int = 1) -> None:
        if net not in NET_NAMES:
            raise UnknownNameError("network", net, NET_NAMES)
        self.net, self.power_iterations = net, power_iterations

    def prepare(self, nets: dict[str, nn.Module]) -> None:
        for module in list(nets[self.net].modules()):
            if isinstance(module, self.LAYERS):
                nn.utils.parametrizations.spectral_norm(
                    module, n_power_iterations=self.power_iterations
                )


def build_regularizers(items: list[Any]) -> list[Regularizer]:
    """Regularizers from config items: names, or mappings with a ``name`` and options."""
    built = []
    for item in items:
        if isinstance(item, str):
            name, options = item, {}
        elif isinstance(item, dict) and "name" in item:
            options = dict(item)
            name = options.pop("name")
        else:
            raise ConfigError(
                f"Cannot read regularizer {item!r}: give a name (spectral_norm) or a mapping "
                f"with a name ({{name: gradient_penalty, weight: 10}})."
            )
        cls = REGULARIZERS.get(name)
        accepted = list(inspect.signature(cls).parameters)
        for key in options:
            if key not in accepted:
                raise UnknownNameError(f"option of regularizer {name!r}", key, accepted)
        built.append(cls(**options))
    return built
