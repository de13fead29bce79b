"""The dataset registry and ``build_dataset``, which turns a DataConfig into a dataset."""

from __future__ import annotations

import inspect
from pathlib import Path

from gankit.config import DataConfig
from gankit.data.base import GanDataset
from gankit.errors import ConfigError, DataError
from gankit.registry import Registry, check_options

# Each entry is a builder ``fn(cfg: DataConfig, location: str | None = None, **options)``.
# ``location`` is what follows the colon in names like ``folder:PATH``.
DATASETS: Registry = Registry("dataset")


def build_dataset(cfg: DataConfig) -> GanDataset:
    """The dataset a config names: ``NAME``, ``NAME:LOCATION``, or a path to an image folder."""
    name, location = split_name(cfg.name)
    if name not in DATASETS and ("/" in name or name.startswith(".")):
        raise DataError(
            f"Dataset {name!r} is neither a registered dataset nor an existing folder. Check the "
            f"path, or pick one of: {', '.join(DATASETS.names())}."
        )
    builder = DATASETS.get(name)
    parameters = inspect.signature(builder).parameters
    check_options(builder, cfg.options, f"dataset {name!r}", skip=("cfg", "location"))
    if location is not None and "location" not in parameters:
        raise ConfigError(f"Dataset {name!r} takes no location; use data.name={name}.")
    kwargs = dict(cfg.options)
    if "location" in parameters:
        kwargs["location"] = location
    return builder(cfg, **kwargs)


def split_name(name: str) -> tuple[str, str | None]:
    """``"folder:/a/b"`` -> ``("folder", "/a/b")``; an existing directory -> ``("folder", it)``."""
    head, sep, tail = name.partition(":")
    if sep and head in DATASETS:
        return head, tail
    if name not in DATASETS and Path(name).expanduser().is_dir():
        return "folder", name
    return name, None
