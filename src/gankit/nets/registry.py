"""Network registries. A family name (``mlp``, ``dcgan``) picks a generator and a discriminator."""

from __future__ import annotations

import inspect
from typing import Any

from torch import nn

from gankit.data.base import DataSpec
from gankit.errors import UnknownNameError
from gankit.registry import Registry

# Generators are built as ``cls(z_dim, spec, **options)``; discriminators as ``cls(spec, **options)``.
GENERATORS: Registry = Registry("generator")
DISCRIMINATORS: Registry = Registry("discriminator")


def build_generator(name: str, z_dim: int, spec: DataSpec, options: dict[str, Any]) -> nn.Module:
    cls = GENERATORS.get(name)
    check_options(cls, options, f"generator {name!r}", skip=("z_dim", "spec"))
    return cls(z_dim, spec, **options)


def build_discriminator(name: str, spec: DataSpec, options: dict[str, Any]) -> nn.Module:
    cls = DISCRIMINATORS.get(name)
    check_options(cls, options, f"discriminator {name!r}", skip=("spec",))
    return cls(spec, **options)


def check_options(cls: type, options: dict[str, Any], what: str, skip: tuple[str, ...]) -> None:
    """Reject an option the constructor does not take, suggesting the one probably meant."""
    accepted = [p for p in inspect.signature(cls).parameters if p not in skip]
    for key in options:
        if key not in accepted:
            raise UnknownNameError(f"option of {what}", key, accepted)
