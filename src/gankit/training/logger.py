"""Where a run's numbers go: metrics.jsonl, TensorBoard, the loss plot and a progress bar."""

from __future__ import annotations

import importlib.util
import json
import sys
import time
from typing import Any

import numpy as np
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from gankit.training.run_folder import RunFolder


def _tensorboard_installed() -> bool:
    """Whether the optional tensorboard package is there; a note (once) when it is not."""
    if importlib.util.find_spec("tensorboard") is not None:
        return True
    if not _noted:
        _noted.append(True)
        print(
            "note: tensorboard is not installed, so the run logs to metrics.jsonl only "
            "(pip install 'gankit[tensorboard]', or set train.tensorboard=false to silence this).",
            file=sys.stderr,
        )
    return False


_noted: list[bool] = []


class RunLogger:
    """Appends one JSON line per logged step; mirrors scalars and images to TensorBoard.

    On resume, lines after the checkpoint's step (written by the run that died) are dropped, so
    the log reads as if the run had never stopped.
    """

    def __init__(self, run: RunFolder, start_step: int, tensorboard: bool) -> None:
        self.run = run
        self._drop_lines_after(start_step)
        self._file = open(run.metrics_file, "a")  # noqa: SIM115  (kept open for the whole run)
        self._writer = None
        if tensorboard and _tensorboard_installed():
            from torch.utils.tensorboard import SummaryWriter  # imports tensorboard: optional

            self._writer = SummaryWriter(
                str(run.tensorboard), purge_step=start_step if start_step else None
            )

    def _drop_lines_after(self, step: int) -> None:
        if not self.run.metrics_file.exists():
            return
        kept = [
            line
            for line in self.run.metrics_file.read_text().splitlines()
            if line.strip() and (line_step := _step_of(line)) is not None and line_step <= step
        ]
        self.run.metrics_file.write_text("".join(line + "\n" for line in kept))

    def log(self, step: int, values: dict[str, float]) -> None:
        self._file.write(json.dumps({"step": step, **values}) + "\n")
        self._file.flush()
        if self._writer is not None:
            for key, value in values.items():
                self._writer.add_scalar(key, value, step)

    def image(self, tag: str, pixels: np.ndarray, step: int) -> None:
        if self._writer is not None:
            self._writer.add_image(
                tag, pixels, step, dataformats="HW" if pixels.ndim == 2 else "HWC"
            )

    def records(self) -> list[dict[str, Any]]:
        return read_metrics(self.run)

    def plot(self, title: str) -> None:
        from gankit.viz.plots import plot_losses  # matplotlib, only when a plot is drawn

        plot_losses(self.records(), self.run.losses_plot, title=title)

    def close(self) -> None:
        self._file.close()
        if self._writer is not None:
            self._writer.close()


def read_metrics(run: RunFolder) -> list[dict[str, Any]]:
    """The run's logged records; a line that is not a JSON record (cut short when the run was
    killed while writing it) is left out with a note, as a resume drops it."""
    if not run.metrics_file.exists():
        return []
    records, broken = [], []
    for number, line in enumerate(run.metrics_file.read_text().splitlines(), 1):
        if not line.strip():
            continue
        record = _record_of(line)
        if record is not None:
            records.append(record)
        else:
            broken.append(number)
    if broken:
        lines = ", ".join(map(str, broken[:5]))
        print(f"note: {run.metrics_file} line {lines} is not a JSON record (a run killed while "
              "writing it?); left out", file=sys.stderr)  # fmt: skip
    return records


def _record_of(line: str) -> dict[str, Any] | None:
    """A logged line's record, or None for a line cut short by a crash."""
    try:
        record = json.loads(line)
    except ValueError:
        return None
    return record if isinstance(record, dict) else None


def _step_of(line: str) -> int | None:
    record = _record_of(line)
    try:
        return int(record["step"]) if record is not None else None
    except (ValueError, KeyError, TypeError):
        return None  # a record without a step


def clock(seconds: float) -> str:
    """``seconds`` as ``1h02m03s``, ``2m03s`` or ``3s``."""
    whole = int(round(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes:02d}m{secs:02d}s"
    return f"{minutes}m{secs:02d}s" if minutes else f"{secs}s"


class ProgressBar:
    """A live bar with step count, steps/s and the latest losses; plain lines when not a TTY."""

    def __init__(self, total: int, start: int, enabled: bool, every: int) -> None:
        self.console = Console(file=sys.stderr)
        self.live = enabled and self.console.is_terminal
        self.enabled, self.every, self.total = enabled, every, total
        self._start_time, self._start_step = time.perf_counter(), start
        if self.live:
            self._bar = Progress(
                TextColumn("[bold]train"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[speed]}"),
                TimeRemainingColumn(),
                TextColumn("{task.fields[losses]}"),
                console=self.console,
            )
            self._task = self._bar.add_task(
                "train", total=total, completed=start, speed="", losses=""
            )
            self._bar.start()

    def update(self, step: int, values: dict[str, float] | None) -> None:
        if not self.enabled:
            return
        elapsed = time.perf_counter() - self._start_time
        speed = f"{(step - self._start_step) / elapsed:.1f} step/s" if elapsed > 0 else ""
        losses = "  ".join(f"{k} {v:.4g}" for k, v in (values or {}).items() if k.endswith("loss"))
        if self.live:
            fields: dict[str, Any] = (
                {"speed": speed} if values is None else {"speed": speed, "losses": losses}
            )
            self._bar.update(self._task, completed=step, **fields)
        elif values is not None and (step % self.every == 0 or step == self.total):
            done = step - self._start_step
            remaining = elapsed / done * (self.total - step) if done > 0 else 0.0
            timing = f"elapsed {clock(elapsed)}  ETA {clock(remaining)}"
            print(
                f"step {step}/{self.total}  {speed}  {timing}  {losses}",
                file=sys.stderr,
                flush=True,
            )

    def close(self) -> None:
        if self.live:
            self._bar.stop()
