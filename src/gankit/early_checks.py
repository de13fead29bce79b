"""Checks of a command line's config values before torch and the methods are imported.

Importing torch takes over a second on a 2-core machine, and the method classes that know a
config's every key import it. The values a user gives for the sections every method shares
(``data``, ``train``, ``eval``, each ``optim.NAME``, ``seed``, ``name``), and the keys a resume
would change, can be judged without them, so a bad one is answered at once, with the same line
the full check (:func:`gankit.runs.launch.resolve_config`, :func:`gankit.runs.launch.resume`)
gives. These checks are a subset of the full ones, never stricter: keys they do not know (a
method's own sections, a typo) are left for the full check, which runs next.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from gankit.config import (
    DataConfig,
    EvalConfig,
    OptimizerConfig,
    Override,
    RunConfig,
    TrainConfig,
    apply_overrides,
    differences,
    from_dict,
    load_yaml,
    merge,
    to_dict,
)
from gankit.config_checks import check_resume_changes, check_run_name, check_values
from gankit.config_upgrade import upgrade_net_keys
from gankit.errors import ConfigError
from gankit.recipes import find_recipe

SHARED_SECTIONS = {"data": DataConfig, "train": TrainConfig, "eval": EvalConfig}


def check_new_run(config_file: str | Path | None, overrides: Sequence[Override]) -> None:
    """Refuse the first bad value that ``config_file`` (a path or recipe name) and ``overrides``
    give the shared sections, the seed or the run name."""
    given = load_yaml(find_recipe(config_file)) if config_file else {}
    check_given(apply_overrides(given, list(overrides)))


def check_resume(path: str | Path, overrides: Sequence[Override]) -> None:
    """Refuse an override a resume of the run at ``path`` may not make, or a bad value.

    The run's config is read from its config.yaml, which gankit keeps equal to the checkpoint's
    (the checkpoint needs torch and is read later; a config.yaml edited by hand is refused then).
    """
    run = _run_folder(Path(path))
    if run is not None:
        try:
            saved = upgrade_net_keys(load_yaml(run / "config.yaml"))  # as the full check reads it
        except ConfigError:
            saved = None  # the full check says how the file was damaged
        if saved is not None:
            after = apply_overrides(copy.deepcopy(saved), list(overrides))
            # keys the run's config lacks are the full check's to name (a typo, a new key)
            changed = differences(saved, after)
            check_resume_changes(
                {key: change for key, change in changed.items() if _has(saved, key)}, str(run)
            )
    check_given(apply_overrides({}, list(overrides)))


def check_given(given: dict[str, Any]) -> None:
    """Check the values ``given`` (a file's data with overrides applied) sets in the sections
    every method shares, each against the rule :func:`gankit.config_checks.check_values` has."""
    for key, section_class in SHARED_SECTIONS.items():
        if isinstance(given.get(key), dict):
            check_values(_section(section_class, given[key], f"{key}."), f"{key}.")
    optimizers = given.get("optim")
    if isinstance(optimizers, dict):
        for name, entry in optimizers.items():
            if isinstance(entry, dict):
                prefix = f"optim.{name}."
                check_values(_section(OptimizerConfig, entry, prefix), prefix)
    if "seed" in given:
        check_values(from_dict(RunConfig, {"seed": given["seed"]}))
    if isinstance(given.get("name"), str):
        check_run_name(given["name"])


def _section(section_class: type, data: dict[str, Any], prefix: str) -> Any:
    """``section_class`` built from the keys of ``data`` it knows (the rest are not ours)."""
    known = {f.name for f in dataclasses.fields(section_class)}
    ours = {key: value for key, value in data.items() if key in known}
    return from_dict(section_class, merge(to_dict(section_class()), ours), prefix)


def _run_folder(path: Path) -> Path | None:
    """The run folder of ``path`` (a run folder, or a checkpoint in RUN/checkpoints/)."""
    run = path.parent.parent if path.is_file() else path
    return run if (run / "config.yaml").is_file() else None


def _has(data: dict[str, Any], key: str) -> bool:
    node: Any = data
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return True
