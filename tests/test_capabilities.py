"""The optional capabilities of methods, declared as protocols and checked with isinstance."""

import pytest

from gankit.core.method import (
    Classifier,
    ConditionalSampler,
    Encoder,
    Translator,
    Traversable,
    Validating,
)
from gankit.methods import METHODS

EXPECTED = {
    "cgan": {ConditionalSampler},
    "infogan": {Traversable, Encoder},
    "bigan": {Encoder},
    "bayesgan": {Classifier},
    "ssgan": {Classifier},
    "pix2pix": {Translator, Validating},
    "cyclegan": {Translator},
    "stargan": {Translator},
    "dcgan": set(),
    "wgan-gp": set(),
}
CAPABILITIES = (Classifier, ConditionalSampler, Encoder, Translator, Traversable, Validating)


@pytest.mark.parametrize("method", EXPECTED)
def test_each_method_declares_exactly_its_capabilities(method):
    cls = METHODS.get(method)
    has = {c for c in CAPABILITIES if all(callable(getattr(cls, m, None)) for m in _methods(c))}
    assert has == EXPECTED[method]


def _methods(protocol):
    return [name for name, value in vars(protocol).items() if callable(value) and not
            name.startswith("_")]  # fmt: skip
