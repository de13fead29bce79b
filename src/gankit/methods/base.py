"""The :class:`Method` contract, re-exported where method authors look for it; it lives in
:mod:`gankit.core.method` so that the trainer can depend on it without importing ``methods/``."""

from gankit.core.method import Latent, Method, Translator

__all__ = ["Latent", "Method", "Translator"]
