"""Where downloadable datasets live: ``--data-dir``, then ``$GANKIT_DATA``, then a cache.

Each dataset keeps its files in its own subfolder of a data root (``<root>/mnist/``). The roots
are tried in this order: ``data.root`` (the CLI's ``--data-dir``), the ``GANKIT_DATA``
environment variable, then ``~/.cache/gankit``. Reading takes the first root whose subfolder
holds every needed file; downloading writes to the first root that is set.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

DATA_ENV_VAR = "GANKIT_DATA"
CACHE_SUBPATH = (".cache", "gankit")


def candidate_roots(root: str | Path | None = None) -> list[Path]:
    """The data roots in the order they are searched; unset ones (None, empty) are left out."""
    roots = []
    if root:
        roots.append(Path(root).expanduser())
    if os.environ.get(DATA_ENV_VAR):
        roots.append(Path(os.environ[DATA_ENV_VAR]).expanduser())
    roots.append(Path.home().joinpath(*CACHE_SUBPATH))
    return roots


def find_data_folder(root: str | Path | None, subfolder: str, files: Sequence[str]) -> Path | None:
    """The first ``<candidate root>/<subfolder>`` that holds every one of ``files``, or None."""
    for candidate in candidate_roots(root):
        folder = candidate / subfolder
        if all((folder / name).is_file() for name in files):
            return folder
    return None


def download_folder(root: str | Path | None, subfolder: str) -> Path:
    """Where a dataset is downloaded to: ``<first candidate root>/<subfolder>``."""
    return candidate_roots(root)[0] / subfolder
