"""The :class:`Method` contract, re-exported where method authors look for it; it lives in
:mod:`gankit.core.method` so that the trainer can depend on it without importing ``methods/``."""

from gankit.core.method import (
    Classifier,
    ConditionalSampler,
    Encoder,
    Latent,
    Method,
    Translator,
    Traversable,
    Validating,
)

__all__ = [
    "Classifier",
    "ConditionalSampler",
    "Encoder",
    "Latent",
    "Method",
    "Translator",
    "Traversable",
    "Validating",
]
