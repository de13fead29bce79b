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

import time
from pathlib import Path
from typing import Any

from gankit.errors import RunFolderError
from gankit.train.checkpoint import save_atomic


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

        Without a name, a fresh time-stamped one is picked. Returns the folder and its name.
        """
        parent = Path(out) / method
        if name is None:
            name = time.strftime("%Y%m%d-%H%M%S")
            candidate, n = name, 1
            while (parent / candidate).exists():
                n += 1
                candidate = f"{name}-{n}"
            name = candidate
        folder = cls(parent / name)
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

    def remove_if_empty(self) -> None:
        """Remove a folder that :meth:`create` made but nothing was written to."""
        if all(not any(sub.iterdir()) for sub in self.path.iterdir() if sub.is_dir()) and not any(
            p.is_file() for p in self.path.iterdir()
        ):
            for sub in self.path.iterdir():
                sub.rmdir()
            self.path.rmdir()

    def sample_path(self, step: int) -> Path:
        return self.samples / f"step_{step:06d}.png"

    def last_checkpoint(self) -> Path:
        return self.checkpoints / "last.pt"

    def best_checkpoint(self) -> Path:
        return self.checkpoints / "best.pt"

    def numbered_checkpoints(self) -> list[Path]:
        return sorted(self.checkpoints.glob("step_*.pt"))

    def save_checkpoint(self, state: dict[str, Any], step: int, numbered: bool, keep: int) -> Path:
        """Write ``last.pt`` (and ``step_NNNNNN.pt`` when ``numbered``), pruning to ``keep``."""
        if numbered:
            save_atomic(state, self.checkpoints / f"step_{step:06d}.pt")
            for old in self.numbered_checkpoints()[:-keep] if keep > 0 else []:
                old.unlink()
        save_atomic(state, self.last_checkpoint())
        return self.last_checkpoint()
