"""Generators, discriminators and their shared layers, found by name."""

from gankit.nets import began, bigan, dcgan, infogan, mlp, resnet  # noqa: F401  (registers the nets)
from gankit.nets.registry import (
    DISCRIMINATORS,
    GENERATORS,
    build_discriminator,
    build_generator,
)

__all__ = ["DISCRIMINATORS", "GENERATORS", "build_discriminator", "build_generator"]
