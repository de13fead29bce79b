"""Recipes by name: ``cgan-mnist`` is ``gankit/configs/cgan-mnist.yaml``, shipped in the wheel
(``configs/`` at the top of the checkout links to it).

A recipe is a YAML config whose first comment lines say what it is and where its settings come
from. ``--config`` takes a path or one of these names.
"""

from __future__ import annotations

import re
from pathlib import Path

from gankit.errors import ConfigError

RECIPES = Path(__file__).resolve().parent / "configs"


def recipe_names() -> list[str]:
    """Every recipe by name (``experiments/...`` for the ones under configs/experiments)."""
    if not RECIPES.is_dir():
        return []
    return sorted(str(p.relative_to(RECIPES).with_suffix("")) for p in RECIPES.rglob("*.yaml"))


def find_recipe(name_or_path: str | Path) -> Path:
    """The YAML file of a recipe name, or ``name_or_path`` itself when it is a file."""
    path = Path(name_or_path)
    if path.is_file():
        return path
    candidate = RECIPES / f"{name_or_path}.yaml"
    if candidate.is_file():
        return candidate
    raise ConfigError(
        f"Config file {str(name_or_path)!r} does not exist, and no recipe has that name. "
        f"Recipes: {', '.join(recipe_names())}."
    )


def describe_recipe(name: str) -> str:
    """The first sentence of a recipe's leading comment."""
    lines = []
    for line in find_recipe(name).read_text().splitlines():
        if not line.startswith("#"):
            break
        lines.append(line.lstrip("#").strip())
    text = " ".join(lines)
    end = re.search(r"(?<!\bal)(?<!e\.g)(?<!\bEq)(?<!\bSec)\.\s", text)  # not "et al. "
    return text if end is None else text[: end.start() + 1]
