"""Registrations from outside gankit: modules a user imports, and installed plugins.

A user's own networks, losses, methods or data sets are registered by importing the module
that decorates them (``@GENERATORS.register("my-g")``). gankit imports such modules

- named with ``gankit --import MODULE COMMAND ...`` (any command, repeatable) or in a recipe's
  ``imports:`` list;
- advertised by installed packages in the ``gankit.plugins`` entry-point group, e.g. in a
  plugin's ``pyproject.toml``: ``[project.entry-points."gankit.plugins"] mine = "my_pkg.nets"``.

Every run records the modules it was built with (its config's ``imports``: those named so,
and every module outside gankit that registered a piece the config names, e.g. after a plain
``import my_nets`` in a script), and loading the run imports them again, so ``gankit sample``
and ``gankit.load`` work in a new process without being told.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from importlib.metadata import entry_points
from typing import Any

from gankit.errors import ConfigError
from gankit.registry import registering_modules

ENTRY_POINT_GROUP = "gankit.plugins"

imported: list[str] = []  # modules imported through this module, in order, each once
_entry_points_loaded = False


def import_modules(names: list[str] | tuple[str, ...], source: str = "--import") -> None:
    """Import each named module (once), remembering it so that new runs record it."""
    for name in names:
        if name in imported:
            continue
        try:
            importlib.import_module(name)
        except ImportError as exc:
            raise ConfigError(
                f"Cannot import module {name!r} (named by {source}): {exc}. Make it importable "
                "(install its package, or add its folder to PYTHONPATH) or drop it."
            ) from None
        imported.append(name)


def load_entry_points() -> None:
    """Import every module of the ``gankit.plugins`` entry-point group, once per process."""
    global _entry_points_loaded
    if _entry_points_loaded:
        return
    _entry_points_loaded = True
    for point in entry_points(group=ENTRY_POINT_GROUP):
        try:
            point.load()
        except Exception as exc:  # a broken plugin must not stop gankit: say which one
            raise ConfigError(
                f"The installed gankit plugin {point.name!r} ({point.value}) failed to load: "
                f"{type(exc).__name__}: {exc}. Fix or uninstall its package."
            ) from None


def modules_used_by(config: dict[str, Any]) -> list[str]:
    """The modules outside gankit that registered a piece ``config`` names (any string value
    that is a registered name: its method, nets, loss, data set, ...), for the run to record.

    A piece registered in ``__main__`` (a script or a notebook) cannot be imported by another
    process; a note says so, once per name.
    """
    modules = []
    for name, module in registering_modules(set(_strings(config))).items():
        if module == "__main__":
            if name not in _noted:
                _noted.add(name)
                print(
                    f"note: {name!r} is registered in your script or notebook (__main__), which "
                    "another process cannot import: to sample or resume this run later, move "
                    "the registration into a module (docs/own-networks.md).",
                    file=sys.stderr,
                )
        elif module != "gankit" and not module.startswith("gankit."):
            modules.append(module)
    return sorted(set(modules))


_noted: set[str] = set()


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)
