"""GAN methods, one module each, found by name."""

from gankit.methods import dcgan, gan  # noqa: F401  (registers the methods)
from gankit.methods.base import Method
from gankit.methods.registry import METHODS

__all__ = ["METHODS", "Method"]
