"""One small registry class, used for every kind of pluggable piece.

Borrowed from timm's ``register_model`` / ``create_model``: a piece registers itself under a
name with a decorator, and is found again by that name (with a typo suggestion when it is not).
Every registry also takes an import path, ``module:qualname`` (``my_pkg.nets:Generator``), in
place of a name: the object is imported from there, so a class or factory of your own works
without registering it, and a run that recorded the path finds it again in another process.
"""

from __future__ import annotations

import importlib
import inspect
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from typing import Any, ClassVar, Generic, TypeVar

from gankit.errors import ConfigError, UnknownNameError

T = TypeVar("T")


class Registry(Generic[T]):
    """Names -> objects (classes or factory functions), each with a one-line description."""

    every: ClassVar[list[Registry]] = []  # gankit's own registries, to find who registered a name

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._entries: dict[str, T] = {}
        self._descriptions: dict[str, str] = {}
        # Only registries that gankit's modules define are searched by registering_modules, not
        # ones a user or a test makes for itself.
        if sys._getframe(1).f_globals.get("__name__", "").startswith("gankit."):
            Registry.every.append(self)

    def register(self, name: str, description: str | None = None) -> Callable[[T], T]:
        """Decorator: register the decorated object under ``name``.

        The description defaults to the first paragraph of the object's docstring.
        """

        def decorate(obj: T) -> T:
            if name in self._entries and not _same_definition(self._entries[name], obj):
                raise ValueError(
                    f"{self.kind} {name!r} is registered twice: it is already "
                    f"{_where(self._entries[name])}, so {_where(obj)} needs another name"
                )
            self._entries[name] = obj
            self._descriptions[name] = _summary(description or getattr(obj, "__doc__", None))
            return obj

        return decorate

    def get(self, name: str) -> T:
        """The object registered under ``name``, or imported from ``name`` when it is an import
        path (``module:qualname``); an unknown name lists the valid ones."""
        if name in self._entries:
            return self._entries[name]
        if is_import_path(name):
            return import_object(name, self.kind, self._entries)
        raise UnknownNameError(self.kind, name, self._entries)

    def describe(self, name: str) -> str:
        obj = self.get(name)
        if name not in self._descriptions:  # an import path
            return _summary(getattr(obj, "__doc__", None))
        return self._descriptions[name]

    def names(self) -> list[str]:
        return sorted(self._entries)

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())

    def __len__(self) -> int:
        return len(self._entries)


IMPORT_PATH = re.compile(r"[A-Za-z_][\w.]*:[A-Za-z_][\w.]*")


def is_import_path(name: object) -> bool:
    """Whether ``name`` reads as ``module:qualname`` (identifiers and dots on each side of one
    colon) rather than a registry name; ``C:\\data`` and ``folder:/a/b`` do not."""
    return isinstance(name, str) and IMPORT_PATH.fullmatch(name) is not None


def import_path(obj: Any, what: str) -> str:
    """``module:qualname`` of a class or function, to record in a config and import again;
    refused for what cannot be imported by name (a lambda, a class defined in a function)."""
    module, qualname = getattr(obj, "__module__", None), getattr(obj, "__qualname__", None)
    if not callable(obj) or not module or not qualname or "<" in qualname:
        raise ConfigError(
            f"{what} {type(obj).__name__} {getattr(obj, '__qualname__', '')!r} cannot be "
            "recorded by its import path: give a class or function "
            "defined at the top level of a module (not a lambda, an instance, or a class "
            "defined inside a function)."
        )
    return f"{module}:{qualname}"


def import_object(path: str, kind: str, registered: Iterable[str] = ()) -> Any:
    """The object at import path ``module:qualname``, imported; one clear line when it is not
    there. When no such module exists at all, the path was more likely a mistyped name of
    ``registered``: the line lists those, with the closest."""
    module_name, _, qualname = path.partition(":")
    way_out = (
        "Put it on the Python path (pip install your package, or set PYTHONPATH), or register "
        "the piece under a name and load it with --import."
    )
    try:
        obj: Any = importlib.import_module(module_name)
    except ImportError as error:
        missing = isinstance(error, ModuleNotFoundError) and error.name == module_name.split(".")[0]
        if registered and missing:
            hint = f"Read as an import path: cannot import module {module_name!r}. {way_out}"
            raise UnknownNameError(kind, path, registered, hint=hint) from None
        raise ConfigError(
            f"{kind} {path!r}: cannot import module {module_name!r} ({error}). {way_out}"
        ) from None
    for part in qualname.split("."):
        if not hasattr(obj, part):
            hint = (
                " The run was trained with a class of a script, which another process cannot "
                "import: move it into a module."
                if module_name == "__main__"
                else ""
            )
            raise ConfigError(f"{kind} {path!r}: module {module_name!r} has no {qualname!r}.{hint}")
        obj = getattr(obj, part)
    if not callable(obj):
        raise ConfigError(f"{kind} {path!r} is not a class or function, so it cannot build one.")
    return obj


def _summary(doc: str | None) -> str:
    """The first paragraph of a docstring, on one line."""
    return " ".join((doc or "").strip().split("\n\n")[0].split())


def _where(obj: object) -> str:
    module = getattr(obj, "__module__", None) or type(obj).__module__
    qualname = getattr(obj, "__qualname__", None) or type(obj).__qualname__
    return f"{module}:{qualname}"


def _same_definition(old: object, new: object) -> bool:
    """The same object, or the same definition run again (a notebook cell, a reloaded module),
    which replaces the old one."""
    if old is new:
        return True
    named = hasattr(old, "__qualname__") and hasattr(new, "__qualname__")
    return named and _where(old) == _where(new)


def check_options(
    builder: Callable[..., Any], options: dict[str, Any], what: str, skip: tuple[str, ...] = ()
) -> None:
    """Reject an option ``builder`` (a class or factory) does not take, suggesting the one
    probably meant; ``skip`` names the parameters gankit fills itself (``spec``, ``cfg``, ...)."""
    accepted = [p for p in inspect.signature(builder).parameters if p not in skip]
    for key in options:
        if key not in accepted:
            raise UnknownNameError(f"option of {what}", key, accepted)


def registering_modules(names: Iterable[str]) -> dict[str, str]:
    """For each of ``names`` registered in one of gankit's registries, the module that
    registered it (the object's ``__module__``), as ``{name: module}``."""
    found = {}
    for name in names:
        for registry in Registry.every:
            if name in registry:
                module = getattr(registry.get(name), "__module__", None)
                if module:
                    found[name] = module
    return found
