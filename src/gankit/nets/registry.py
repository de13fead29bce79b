"""Network registries. A family name (``mlp``, ``dcgan``) picks a generator and a discriminator."""

from __future__ import annotations

from typing import Any

from torch import nn

from gankit.core.spec import DataSpec
from gankit.registry import Registry, check_options

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
