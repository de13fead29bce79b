"""Checkpoints: written atomically, read without unpickling code, RNG state included.

A checkpoint holds only tensors, numbers, strings, lists and dicts, so it loads with
``torch.load(weights_only=True)``: opening a checkpoint from someone else cannot run their code.
A write in progress lives in ``.NAME.PID.tmp`` beside its target; one left by a killed process is
removed by :func:`remove_stale_temporaries` when the run starts again.
"""

from __future__ import annotations

import io
import os
import pickle
import random
import re
import warnings
from pathlib import Path
from typing import Any, cast

import numpy as np
import torch

from gankit.errors import CheckpointError

FORMAT = "gankit-checkpoint"
VERSION = 1
TEMPORARY_SUFFIX = ".tmp"
_TEMPORARY = re.compile(r"^\..+\.(\d+)\.tmp$")  # .last.pt.12345.tmp: the writer's process id


def save_atomic(state: dict[str, Any], path: Path) -> None:
    """Write ``state`` to ``path`` so that a crash at any moment leaves the old file or the new.

    Temp file in the same folder, flushed and fsync'ed, then renamed over the target; the folder
    is fsync'ed so the rename itself survives a power cut. A write that fails (a full disk, a
    folder made read-only) raises :class:`CheckpointError` in one line; the previous file is
    untouched and the temporary one removed.
    """
    path = Path(path)
    temporary = path.with_name(f".{path.name}.{os.getpid()}{TEMPORARY_SUFFIX}")
    serialized = io.BytesIO()  # torch's writer reports a full disk as an opaque RuntimeError
    torch.save(state, serialized)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(temporary, "wb") as handle:
            handle.write(serialized.getbuffer())
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except OSError as exc:
        kept = f"the previous {path.name} is intact" if path.exists() else "nothing was written"
        raise CheckpointError(
            f"Could not write {path}: {exc.strerror or exc} ({kept}). Free some space or fix the "
            f"folder's permissions, then continue with `gankit train --resume {path.parent.parent}`."
        ) from None
    finally:
        temporary.unlink(missing_ok=True)
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def remove_stale_temporaries(folder: Path) -> list[Path]:
    """Delete the temporary files of writes that never finished (their process is gone).

    A ``kill -9`` during :func:`save_atomic` leaves the old checkpoint intact but its temporary
    file behind. A file whose process still runs is left alone: that write may yet finish. A file
    with this process's own id was left by an earlier process that had the same id (this one is
    not writing yet). Returns the files removed.
    """
    removed = []
    for candidate in Path(folder).glob(f".*{TEMPORARY_SUFFIX}"):
        match = _TEMPORARY.match(candidate.name)
        if not match or not candidate.is_file():
            continue
        pid = int(match.group(1))
        if pid == os.getpid() or not process_alive(pid):
            candidate.unlink(missing_ok=True)
            removed.append(candidate)
    return removed


def process_alive(pid: int) -> bool:
    """Whether process ``pid`` runs on this machine (a zombie, killed but not yet reaped by its
    parent, does not count)."""
    if os.name != "posix":  # os.kill(pid, 0) would signal the process on Windows
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    try:  # Linux: the state after the command name in /proc/PID/stat; Z is a zombie
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def load_checkpoint(path: Path, map_location: str | torch.device = "cpu") -> dict[str, Any]:
    """Read a gankit checkpoint safely; a truncated or foreign file raises CheckpointError.

    A file that needs unpickling (code, classes, anything besides tensors and plain data) is
    refused in one line; torch's own explanation suggests loading it unsafely.
    """
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"Checkpoint {str(path)!r} does not exist.")
    try:
        with warnings.catch_warnings():  # torch warns about pickle protocols of foreign files
            warnings.filterwarnings("ignore", message="Detected pickle protocol")
            state = torch.load(path, map_location=map_location, weights_only=True)
    except pickle.UnpicklingError as exc:
        if not str(exc).startswith("Weights only load failed"):
            raise _unreadable(path, exc) from exc
        raise CheckpointError(
            f"{str(path)!r} is not a gankit checkpoint (it holds objects other than tensors and "
            f"plain data); gankit never unpickles such files."
        ) from exc
    except Exception as exc:  # torch raises many types for a damaged file
        raise _unreadable(path, exc) from exc
    if not isinstance(state, dict) or state.get("format") != FORMAT:
        raise CheckpointError(f"{str(path)!r} is not a gankit checkpoint.")
    if state.get("version", 0) > VERSION:
        raise CheckpointError(
            f"Checkpoint {str(path)!r} was written by a newer gankit (format {state['version']}); "
            f"upgrade gankit to read it."
        )
    return state


def _unreadable(path: Path, exc: Exception) -> CheckpointError:
    """A damaged file, with the other checkpoints beside it to resume from instead."""
    others = sorted(p.name for p in path.parent.glob("*.pt") if p != path)
    hint = (
        f" Other checkpoints in {str(path.parent)!r}: {', '.join(others)}; resume from one "
        f"with `gankit train --resume {path.parent / others[-1]}`."
        if others
        else ""
    )
    detail = (str(exc).splitlines() or [""])[0][:200]
    return CheckpointError(
        f"Checkpoint {str(path)!r} is corrupt or truncated and cannot be read "
        f"({type(exc).__name__}: {detail}).{hint}"
    )


def capture_rng() -> dict[str, Any]:
    """Every random state a training step can touch: Python, NumPy, torch CPU and CUDA."""
    version, internal, gauss = random.getstate()
    # the legacy tuple, get_state's default (its stubs allow the dict form too)
    numpy_state = cast("tuple[str, np.ndarray, int, int, float]", np.random.get_state())
    name, keys, position, has_gauss, cached = numpy_state
    return {
        "python": [version, list(internal), gauss],
        "numpy": {
            "name": name,
            "keys": torch.from_numpy(keys.astype(np.int64)),
            "position": int(position),
            "has_gauss": int(has_gauss),
            "cached_gaussian": float(cached),
        },
        "torch": torch.get_rng_state(),
        "cuda": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else [],
    }


def restore_rng(state: dict[str, Any]) -> None:
    version, internal, gauss = state["python"]
    random.setstate((version, tuple(internal), gauss))
    numpy_state = state["numpy"]
    np.random.set_state(
        (
            numpy_state["name"],
            numpy_state["keys"].numpy().astype(np.uint32),
            numpy_state["position"],
            numpy_state["has_gauss"],
            numpy_state["cached_gaussian"],
        )
    )
    torch.set_rng_state(state["torch"].cpu())
    if state["cuda"] and torch.cuda.is_available():
        torch.cuda.set_rng_state_all([s.cpu() for s in state["cuda"]])
