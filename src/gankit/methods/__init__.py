"""GAN methods, one module each, found by name."""

from gankit.core.method import Method
from gankit.methods import (  # noqa: F401  (registers the methods)
    bayesgan,
    bigan,
    cgan,
    cyclegan,
    gan,
    gradient_layer,
    infogan,
    lapgan,
    pix2pix,
    presets,
    stargan,
)
from gankit.methods.registry import METHODS

__all__ = ["METHODS", "Method"]
