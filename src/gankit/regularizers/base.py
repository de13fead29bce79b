"""The regularizer base class, its registry, and the helpers the gradient penalties share."""

from __future__ import annotations

import warnings

import torch
from torch import nn

from gankit.core.spec import DataSpec
from gankit.registry import Registry

REGULARIZERS: Registry = Registry("regularizer")
NET_NAMES = ("generator", "discriminator")


class Regularizer:
    """Base class: every hook does nothing unless a subclass overrides it."""

    name = "regularizer"
    constrains_lipschitz = False  # True for clipping, gradient penalties, spectral norm

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

    def pixel_penalty(self, outputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor | None:
        """A term the generator of a paired method minimises: ``outputs`` (N, C, H, W) against
        ``targets`` (N, k, C, H, W), k valid targets per input."""
        return None


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


def warn_batch_norm(name: str, nets: dict[str, nn.Module]) -> None:
    """Warn that a per-sample gradient penalty on a BatchNorm discriminator mixes samples."""
    if any(isinstance(m, nn.modules.batchnorm._BatchNorm) for m in nets["discriminator"].modules()):
        warnings.warn(
            f"{name} with a BatchNorm discriminator: the per-sample penalty is no longer "
            "per-sample (Gulrajani et al. 2017, §4). Prefer discriminator.norm=layer or none.",
            stacklevel=3,
        )
