"""Every registry, for `gankit list`: importing this registers all built-in pieces."""

from __future__ import annotations

import inspect

from gankit.data import DATASETS
from gankit.losses import LOSSES
from gankit.methods import METHODS
from gankit.metrics import METRICS
from gankit.nets import DISCRIMINATORS, GENERATORS
from gankit.nets.patchgan import PATCH_DISCRIMINATORS
from gankit.nets.translation import TRANSLATORS
from gankit.registry import Registry
from gankit.regularizers import REGULARIZERS


def catalog() -> list[tuple[str, Registry]]:
    return [
        ("Methods", METHODS),
        ("Datasets", DATASETS),
        ("Generators", GENERATORS),
        ("Discriminators", DISCRIMINATORS),
        ("Image-to-image generators (pix2pix, cyclegan, stargan)", TRANSLATORS),
        ("Image-to-image discriminators", PATCH_DISCRIMINATORS),
        ("Losses", LOSSES),
        ("Regularizers", REGULARIZERS),
        ("Metrics", METRICS),
    ]


def options(registry: Registry, name: str) -> str:
    """``key=default, ...`` of a loss or regularizer (its constructor's keywords), else ''."""
    if registry not in (LOSSES, REGULARIZERS):
        return ""
    parameters = inspect.signature(registry.get(name)).parameters.values()
    return ", ".join(f"{p.name}={p.default!r}" for p in parameters if p.default is not p.empty)
