"""The :class:`Method` contract, re-exported where method authors look for it; it lives in
:mod:`gankit.core.method` so that the trainer can depend on it without importing ``methods/``."""

from gankit.core.method import Encoder, Latent, Method, Translator

__all__ = ["Encoder", "Latent", "Method", "Translator"]
