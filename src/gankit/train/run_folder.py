"""The folder a run lives in: ``runs/<method>/<name>/``.

::

    config.yaml        the fully resolved config
    env.json           versions, device, git commit, command line
    checkpoints/       last.pt, plus step_NNNNNN.pt every checkpoint_every steps (newest K kept),
                       and best.pt, the best validation score (train.validate_every)
    samples/           step_NNNNNN.png, a grid from the same fixed noise every sample_every steps
    metrics.jsonl      one JSON object per logging step
    losses.png         the loss curves
    tensorboard/       TensorBoard event files
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path
from typing import Any

from gankit.config import check_run_name
from gankit.errors import RunFolderError
from gankit.train.checkpoint import remove_stale_temporaries, save_atomic


class RunFolder:
    """Paths and file-level operations of one run; it never decides what to write or when."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    config_file = property(lambda self: self.path / "config.yaml")
    env_file = property(lambda self: self.path / "env.json")
    checkpoints = property(lambda self: self.path / "checkpoints")
    samples = property(lambda self: self.path / "samples")
    metrics_file = property(lambda self: self.path / "metrics.jsonl")
    losses_plot = property(lambda self: self.path / "losses.png")
    tensorboard = property(lambda self: self.path / "tensorboard")

    @classmethod
    def create(cls, out: str | Path, method: str, name: str | None) -> tuple[RunFolder, str]:
        """A new, empty run folder; an explicit ``name`` that exists is refused, never reused.

        Without a name, a fresh time-stamped one is picked. Returns the folder and its name. The
        folder is always inside ``out``: a name must be one plain folder name.
        """
        parent = Path(out) / method
        if name is not None:
            check_run_name(name)
        else:
            name = time.strftime("%Y%m%d-%H%M%S")
            candidate, n = name, 1
            while (parent / candidate).exists():
                n += 1
                candidate = f"{name}-{n}"
            name = candidate
        folder = cls(parent / name)
        root, inside = os.path.abspath(out), os.path.abspath(folder.path)
        if os.path.dirname(os.path.dirname(inside)) != root:  # e.g. a method name with a '/'
            raise RunFolderError(f"Run folder {inside!r} would not be OUT/METHOD/NAME in {root!r}.")
        if folder.path.exists():
            raise RunFolderError(
                f"Run folder {str(folder.path)!r} already exists, and gankit never overwrites a "
                f"run. Continue it with `gankit train --resume {folder.path}`, or pick another "
                f"--name."
            )
        folder.path.mkdir(parents=True)
        for sub in (folder.checkpoints, folder.samples):
            sub.mkdir()
        return folder, name

    @classmethod
    def open(cls, path: str | Path) -> RunFolder:
        folder = cls(path)
        if not folder.config_file.is_file():
            raise RunFolderError(
                f"{str(folder.path)!r} is not a gankit run folder (it has no config.yaml). "
                f"Runs live in runs/<method>/<name>/."
            )
        return folder

    def has_checkpoint(self) -> bool:
        """Whether any checkpoint (last, numbered or best) was written: the run can resume."""
        return any(self.checkpoints.glob("*.pt"))

    def discard_unless_checkpointed(self) -> bool:
        """Delete a run that :meth:`create` made and that failed before its first checkpoint.

        Nothing in it can be resumed, and left in place its name would block a fresh start
        (``create`` never reuses a folder). Only for the folder this process just created.
        Returns whether it was deleted.
        """
        if not self.path.is_dir() or self.has_checkpoint():
            return False
        shutil.rmtree(self.path, ignore_errors=True)
        return True

    def remove_stale_temporaries(self) -> list[Path]:
        """Delete half-written checkpoint files left by a process that was killed mid-write."""
        return remove_stale_temporaries(self.checkpoints) if self.checkpoints.is_dir() else []

    def sample_path(self, step: int) -> Path:
        return self.samples / f"step_{step:06d}.png"

    def last_checkpoint(self) -> Path:
        return self.checkpoints / "last.pt"

    def best_checkpoint(self) -> Path:
        return self.checkpoints / "best.pt"

    def numbered_checkpoints(self) -> list[Path]:
        return sorted(self.checkpoints.glob("step_*.pt"))

    def save_checkpoint(self, state: dict[str, Any], step: int, numbered: bool, keep: int) -> Path:
        """Write ``last.pt`` (and ``step_NNNNNN.pt`` when ``numbered``), pruning to ``keep``.

        ``keep=0`` writes no numbered checkpoints at all.
        """
        if numbered and keep > 0:
            save_atomic(state, self.checkpoints / f"step_{step:06d}.pt")
            for old in self.numbered_checkpoints()[:-keep]:
                old.unlink()
        save_atomic(state, self.last_checkpoint())
        return self.last_checkpoint()
