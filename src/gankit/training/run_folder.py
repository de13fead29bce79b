"""The folder a run lives in: ``runs/<method>/<name>/``.

::

    config.yaml        the fully resolved config the run trains with now
    config_history.jsonl  one line per resume that changed it: {"step", "time", "changes":
                       {key: {"from", "to"}}}; undone in reverse, they give the starting config
    train.lock         while a process trains the run: that process's id and host
    env.json           versions, device, git commit, command line
    checkpoints/       last.pt, plus step_NNNNNN.pt every checkpoint_every steps (newest K kept),
                       and best.pt, the best validation score (train.validate_every)
    samples/           step_NNNNNN.png, a grid from the same fixed noise every sample_every steps
    metrics.jsonl      one JSON object per logging step
    losses.png         the loss curves
    tensorboard/       TensorBoard event files
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import sys
import threading
import time
from pathlib import Path
from typing import Any

from gankit.config_checks import check_run_name
from gankit.errors import RunFolderError
from gankit.training.checkpoint import process_alive, remove_stale_temporaries, save_atomic


def read_json(path: Path) -> Any:
    """A JSON file that gankit wrote into a run (an evaluation, env.json), or one line saying
    which file is broken."""
    try:
        return json.loads(Path(path).read_text())
    except ValueError as error:
        raise RunFolderError(
            f"{path} is not valid JSON ({error}): delete it or restore it from a copy."
        ) from None


class RunFolder:
    """Paths and file-level operations of one run; it never decides what to write or when."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    config_file = property(lambda self: self.path / "config.yaml")
    config_history_file = property(lambda self: self.path / "config_history.jsonl")
    lock_file = property(lambda self: self.path / "train.lock")
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
        check_writable(Path(out))
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
        folder.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            folder.path.mkdir()
        except FileExistsError:  # another start took the name a moment ago
            raise RunFolderError(
                f"Run folder {str(folder.path)!r} was just created by another process; pick "
                f"another --name."
            ) from None
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

    def lock(self) -> RunLock:
        """The run's lock, taken on entering a ``with`` block: one process trains it at a time."""
        return RunLock(self)

    def config_history(self) -> list[dict[str, Any]]:
        """The config changes of earlier resumes, oldest first (see the module docstring)."""
        if not self.config_history_file.is_file():
            return []
        events = []
        for line in self.config_history_file.read_text().splitlines():
            try:
                events.append(json.loads(line))
            except json.JSONDecodeError:  # a line whose write was cut short: it never happened
                continue
        return events

    def record_config_change(self, step: int, changes: dict[str, tuple[Any, Any]]) -> None:
        """Append one resume's changes (``key: (before, after)``) to config_history.jsonl."""
        event = {
            "step": step,
            "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "changes": {key: {"from": old, "to": new} for key, (old, new) in changes.items()},
        }
        history, line = self.config_history_file, json.dumps(event) + "\n"
        if history.is_file() and history.read_bytes()[-1:] not in (b"", b"\n"):
            line = "\n" + line  # after a line cut short by a kill: start a line of its own
        with open(history, "a") as handle:
            handle.write(line)

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


def check_writable(folder: Path) -> None:
    """Refuse, before any training, an output folder that cannot be written: one that is a file,
    lies under a file, or (or whose nearest existing parent) this user may not write to."""
    existing = Path(os.path.abspath(folder))
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir():
        raise RunFolderError(
            f"Cannot write runs to {str(folder)!r}: {str(existing)!r} is a file, not a folder. "
            f"Choose another --out."
        )
    if not os.access(existing, os.W_OK | os.X_OK):
        raise RunFolderError(
            f"Cannot write runs to {str(folder)!r}: {str(existing)!r} is not writable by this "
            f"user. Choose another --out, or fix its permissions."
        )


class RunLock:
    """One writer per run: ``train.lock`` holds the id and host of the process training it.

    The file is created with ``O_CREAT | O_EXCL``, so of two processes only one gets it; a second
    ``train --resume``, or a resume racing the ``train`` that created the run, is refused in one
    line. It is removed when training ends, by an error, Ctrl-C or SIGTERM too (the default
    SIGTERM action, which would skip that, is replaced while the lock is held). A lock whose
    process no longer runs on this host (SIGKILL, a crash) is stale: it is taken over, with a
    note. Under torchrun, rank 0 alone takes it.
    """

    def __init__(self, run: RunFolder) -> None:
        self.run, self.path = run, run.lock_file
        self.text = json.dumps(
            {
                "pid": os.getpid(),
                "host": socket.gethostname(),
                "since": time.strftime("%Y-%m-%d %H:%M:%S"),
            }
        )
        self.previous_sigterm: Any = None

    def __enter__(self) -> RunLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()

    def acquire(self) -> None:
        for _ in range(3):  # another process may take a stale lock over at the same moment
            try:
                descriptor = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                self._take_over_if_stale()
                continue
            with os.fdopen(descriptor, "w") as handle:
                handle.write(self.text + "\n")
            self._release_on_sigterm()
            return
        raise RunFolderError(
            f"Run {str(self.run.path)!r} is being locked and unlocked by other processes; "
            f"one process at a time may train a run. Try again once they are done."
        )

    def release(self) -> None:
        """Remove the lock if it is still this process's (a failed start may have deleted it)."""
        self._restore_sigterm()
        try:
            if self.path.read_text().strip() == self.text:
                self.path.unlink()
        except FileNotFoundError:
            pass

    def _take_over_if_stale(self) -> None:
        """Remove a lock left by a process that is gone (with a note); refuse a live one."""
        try:
            text = self.path.read_text().strip()
        except FileNotFoundError:  # released in between: try again
            return
        run, lock = str(self.run.path), str(self.path)
        try:
            holder = json.loads(text)
            pid, host, since = int(holder["pid"]), str(holder["host"]), holder.get("since", "?")
        except (ValueError, KeyError, TypeError):
            raise RunFolderError(
                f"Run {run!r} is locked by {lock!r}, which gankit cannot read; if no process "
                f"trains the run any more, delete that file and try again."
            ) from None
        if host != socket.gethostname():
            raise RunFolderError(
                f"Run {run!r} is being trained by process {pid} on host {host} (since {since}), "
                f"and one process at a time may train a run. If that process no longer runs, "
                f"delete {lock!r} and try again."
            )
        if process_alive(pid):
            raise RunFolderError(
                f"Run {run!r} is being trained by process {pid} (since {since}), and one process "
                f"at a time may train a run. Wait for it to finish or stop it (Ctrl-C writes a "
                f"checkpoint), then resume."
            )
        aside = self.path.with_name(f".{self.path.name}.{os.getpid()}.stale")
        try:
            os.rename(self.path, aside)
        except FileNotFoundError:  # another process took it over first
            return
        if aside.read_text().strip() != text:  # a fresh lock, made since it was read: restore it
            with contextlib.suppress(FileExistsError):
                os.link(aside, self.path)
        else:
            print(
                f"Note: took over the lock of run {run!r} from process {pid}, which stopped "
                f"without removing it (since {since}).",
                file=sys.stderr,
                flush=True,
            )
        aside.unlink()

    def _release_on_sigterm(self) -> None:
        """Turn SIGTERM (a batch system's time limit, ``kill``) into an exit that runs the
        ``finally`` blocks, so the lock goes too; a handler set by the caller is left alone."""
        if threading.current_thread() is not threading.main_thread():
            return
        if signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL:
            return

        def exit_on_sigterm(signum: int, frame: Any) -> None:
            raise SystemExit(128 + signum)

        self.previous_sigterm = signal.signal(signal.SIGTERM, exit_on_sigterm)

    def _restore_sigterm(self) -> None:
        if self.previous_sigterm is not None:
            signal.signal(signal.SIGTERM, self.previous_sigterm)
            self.previous_sigterm = None
