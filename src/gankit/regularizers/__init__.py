"""Penalties, constraints and network transforms that keep a discriminator well behaved.

Each regularizer is a small object with optional hooks the GAN method calls:

- ``prepare(nets)``: change the networks before their optimizers exist (spectral norm);
- ``discriminator_penalty(D, real, fake)`` / ``generator_penalty(G)``: a term added to the loss;
- ``after_discriminator_step(D)``: a constraint applied after each D update (weight clipping);
- ``pixel_penalty(outputs, targets)``: a term on a paired method's outputs against its targets
  (pix2pix-like methods only).

``constrains_lipschitz`` marks the regularizers that keep a Wasserstein critic Lipschitz.

A config lists them by name, with options: ``regularizers=[spectral_norm]`` or, in YAML,
``regularizers: [{name: gradient_penalty, weight: 10}]``. Gradient penalties run in float32
even under mixed precision, so AMP never scales their double backward.

Modules: ``base`` (the class, the registry, shared helpers), ``gradient`` (WGAN-GP, DRAGAN, R1),
``banach`` (Banach WGAN's Sobolev penalty), ``weights`` (weight penalties, clipping, spectral
norm), ``pixel`` (pixel L1/L2 of paired methods).
"""

from __future__ import annotations

from typing import Any

from gankit.errors import ConfigError, UnknownNameError
from gankit.registry import check_options
from gankit.regularizers.banach import BanachGradientPenalty, sobolev_filter
from gankit.regularizers.base import (
    NET_NAMES,
    REGULARIZERS,
    Regularizer,
    input_gradients,
    interpolate,
    per_sample_norm,
)
from gankit.regularizers.gradient import DRAGANPenalty, GradientPenalty, R1Penalty
from gankit.regularizers.pixel import PixelL1Penalty, PixelL2Penalty
from gankit.regularizers.spectral import SpectralNorm
from gankit.regularizers.weights import L1WeightPenalty, L2WeightPenalty, WeightClipping

__all__ = [
    "NET_NAMES",
    "REGULARIZERS",
    "BanachGradientPenalty",
    "DRAGANPenalty",
    "GradientPenalty",
    "L1WeightPenalty",
    "L2WeightPenalty",
    "PixelL1Penalty",
    "PixelL2Penalty",
    "R1Penalty",
    "Regularizer",
    "SpectralNorm",
    "WeightClipping",
    "build_regularizers",
    "input_gradients",
    "interpolate",
    "per_sample_norm",
    "sobolev_filter",
]

# Names that once meant a weight penalty: now ambiguous with the pixel penalties of paired data.
RENAMED = {"l1": ("weight_l1", "pixel_l1"), "l2": ("weight_l2", "pixel_l2")}


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
        if name in RENAMED:
            weights, pixels = RENAMED[name]
            raise UnknownNameError(
                "regularizer",
                name,
                REGULARIZERS.names(),
                hint=f"{name!r} was renamed: use {weights!r} for the penalty on a network's "
                f"weights, or {pixels!r} for the pixel distance of a paired method's outputs "
                f"to their targets.",
            )
        cls = REGULARIZERS.get(name)
        check_options(cls, options, f"regularizer {name!r}")
        built.append(cls(**options))
    return built
