"""Where the metrics keep what they compute once, and the fingerprints that name it.

Everything lives under one cache root: ``$GANKIT_CACHE`` when set, else ``~/.cache/gankit``
(the default data root too, so one folder holds gankit's downloads). Inside it, ``weights/``
holds the InceptionV3 file, ``classifiers/`` the domain classifiers and ``reference_stats/``
the real-image feature statistics.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import torch

from gankit.data.download import file_digest

CACHE_ENV_VAR = "GANKIT_CACHE"


def cache_root() -> Path:
    """``$GANKIT_CACHE`` if set, else ``~/.cache/gankit``."""
    configured = os.environ.get(CACHE_ENV_VAR)
    if configured:
        return Path(configured).expanduser()
    return Path.home() / ".cache" / "gankit"


def cache_folder(name: str) -> Path:
    """``<cache root>/<name>``; created by whoever writes to it."""
    return cache_root() / name


def file_sha256(path: str | Path) -> str:
    """The hexadecimal SHA-256 of the file at ``path``."""
    return file_digest(path, "sha256")


def state_dict_sha256(state: dict[str, torch.Tensor]) -> str:
    """A SHA-256 of a state dict's names, dtypes, shapes and values, independent of file format.

    Two saves of the same weights give the same digest, so it can name the weights in a metric's
    protocol whatever file they were read from.
    """
    digest = hashlib.sha256()
    for key in sorted(state):
        tensor = state[key].detach().to("cpu").contiguous().reshape(-1)
        digest.update(f"{key}|{tensor.dtype}|{tuple(state[key].shape)}|".encode())
        digest.update(tensor.view(torch.uint8).numpy().tobytes() if tensor.numel() else b"")
    return digest.hexdigest()
