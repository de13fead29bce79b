"""Methods that are a recipe: DCGAN, LSGAN, SNGAN, DRAGAN, WGAN, WGAN-GP, Banach WGAN, BEGAN.

Each of these papers is the GAN game of :class:`gankit.methods.gan.GAN` with its own nets, loss,
regularizers and training settings, and nothing else. So each is defined once, as data: the
recipe ``gankit/configs/<name>.yaml`` (its leading comment cites the paper and says where every
setting comes from) is the method's default config, and ``gankit train lsgan`` is
``gankit train --config lsgan``. The method registered under the name is a subclass of
:class:`GAN` made here, whose config class is GAN's with the recipe's values as defaults, so a
run's config.yaml, ``gankit config lsgan`` and the typed checks behave as for any method.

A GAN variant of your own needs no registration to be used: a YAML file with ``method: gan``
and its settings is a recipe (``gankit train --config my-variant.yaml``).
"""

from __future__ import annotations

import copy
import dataclasses
import typing
from typing import Any

from gankit.config import from_dict, load_yaml, merge, to_dict
from gankit.methods.gan import GAN, GanConfig
from gankit.methods.registry import METHODS
from gankit.recipes import describe_recipe, find_recipe

# Method name -> the class name it is known by (in reprs and error messages).
PRESETS: dict[str, str] = {
    "dcgan": "DCGAN",
    "lsgan": "LSGAN",
    "sngan": "SNGAN",
    "dragan": "DRAGAN",
    "wgan": "WGAN",
    "wgan-gp": "WGANGP",
    "banach-wgan": "BanachWGAN",
    "began": "BEGAN",
}


def recipe_comment(name: str) -> str:
    """The leading comment of recipe ``name``, as paragraphs (a ``#`` line alone separates
    them)."""
    lines = []
    for line in find_recipe(name).read_text().splitlines():
        if not line.startswith("#"):
            break
        lines.append(line[1:].strip())
    return "\n".join(lines).strip()


def preset_config(name: str, base: type[GanConfig] = GanConfig) -> type[GanConfig]:
    """``base`` with recipe ``name``'s values as its defaults, a dataclass of the same fields in
    the same order (so a saved config reads the same)."""
    values = load_yaml(find_recipe(name))
    if values.get("method") != name:
        raise ValueError(f"recipe {name!r} is for method {values.get('method')!r}, not {name!r}")
    defaults = from_dict(base, merge(to_dict(base()), values))  # checked and typed here, once
    hints = typing.get_type_hints(base)

    def default(key: str) -> Any:
        return dataclasses.field(default_factory=lambda: copy.deepcopy(getattr(defaults, key)))

    return dataclasses.make_dataclass(
        f"{PRESETS[name]}Config",
        [(key, hints[key], default(key)) for key in values],
        bases=(base,),
        namespace={
            "__doc__": f"Config of ``{name}``: the values of recipe {name}.yaml.",
            "__module__": __name__,
        },
    )


def preset_method(name: str, base: type[GAN] = GAN) -> type[GAN]:
    """The method class of preset ``name``: ``base`` with :func:`preset_config` as its config
    class and the recipe's comment as its docstring."""
    config_class = preset_config(name, base.config_class)
    return type(
        PRESETS[name],
        (base,),
        {"config_class": config_class, "__doc__": recipe_comment(name), "__module__": __name__},
    )


for _name in PRESETS:
    METHODS.register(_name, describe_recipe(_name))(preset_method(_name))
