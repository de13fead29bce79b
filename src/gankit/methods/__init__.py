"""GAN methods, one module each, found by name."""

from gankit.core.method import Method
from gankit.methods import (  # noqa: F401  (registers the methods)
    banach_wgan,
    bayesgan,
    began,
    bigan,
    cgan,
    cyclegan,
    dcgan,
    dragan,
    gan,
    gradient_layer,
    infogan,
    lapgan,
    lsgan,
    pix2pix,
    sngan,
    stargan,
    wgan,
)
from gankit.methods.registry import METHODS

__all__ = ["METHODS", "Method"]
