"""Grids of runs, trained one after another, then compared (``gankit sweep``).

``gankit sweep gan --grid loss=hinge,wasserstein seed=0,1,2`` plans six runs named
``<sweep>-loss=hinge-seed=0`` and so on, in ``runs/gan/``. Each is a ``gankit train`` command in
a fresh process, so ``--dry-run`` prints exactly what would run. A setting with one value
(``train.steps=500``) is passed to every run. Starting the same sweep again (same ``--name``)
resumes the runs that exist with the same settings, which finishes the unfinished ones (or
lengthens all, given more steps) and leaves finished ones as they are. Afterwards the runs are
compared (:mod:`gankit.runs.compare`) and the table saved as CSV.
"""

from __future__ import annotations

import itertools
import re
import shlex
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from gankit.config import Override
from gankit.errors import ConfigError, GankitError
from gankit.runs.launch import resolve_config


@dataclass
class Axis:
    """One config key and the values a sweep gives it."""

    key: str
    values: list[str]


@dataclass
class PlannedRun:
    name: str
    path: Path
    arguments: list[str]  # for `gankit ...`
    settings: list[str]  # the grid's key=value settings of this run

    @property
    def command(self) -> str:
        return shlex.join(["gankit", *self.arguments])


def parse_axis(text: str) -> Axis:
    """``key=v1,v2,...``; commas inside brackets belong to a value (``regularizers=[r1,l2],[]``)."""
    key, sep, values = text.partition("=")
    if not sep or not key or not values:
        raise ConfigError(
            f"Cannot read grid setting {text!r}: write it as key=value1,value2, e.g. seed=0,1,2."
        )
    parts, depth, current = [], 0, ""
    for char in values:
        depth += {"[": 1, "{": 1, "]": -1, "}": -1}.get(char, 0)
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    if any(not p.strip() for p in parts):
        raise ConfigError(f"Grid setting {text!r} has an empty value; drop the extra comma.")
    return Axis(key.strip(), [p.strip() for p in parts])


def plan(
    method: str,
    axes: list[Axis],
    sweep: str,
    out: str = "runs",
    config_file: str | None = None,
    flags: Sequence[str] = (),
) -> list[PlannedRun]:
    """Every combination of the axes' values, as a run with a name and a command.

    ``flags`` are `gankit train` options every run gets, e.g. ``["--data", "ring8"]``.
    """
    keys = [a.key for a in axes]
    if len(set(keys)) != len(keys):
        raise ConfigError(f"A key appears twice in the grid: {', '.join(keys)}.")
    varying = [a for a in axes if len(a.values) > 1]
    fixed = [f"{a.key}={a.values[0]}" for a in axes if len(a.values) == 1]
    runs = []
    for values in itertools.product(*(a.values for a in varying)):
        settings = [f"{a.key}={v}" for a, v in zip(varying, values)]
        name = "-".join([sweep, *(_safe(s) for s in settings)])
        path = Path(out) / method / name
        if path.exists():
            arguments = ["train", "--resume", str(path)]
        else:
            arguments = ["train", method, "--name", name, "--out", out]
            arguments += ["--config", config_file] if config_file else []
        arguments += [*flags, *fixed, *settings]
        runs.append(PlannedRun(name, path, arguments, [*fixed, *settings]))
    return runs


def check_plan(
    runs: list[PlannedRun],
    method: str,
    config_file: str | None = None,
    given: Sequence[Override] = (),
    out: str = "runs",
) -> None:
    """Resolve the config of every run the sweep would start, as `gankit train` does first, so
    an unknown method or key, a bad value or name stops the sweep before any run (also with
    ``--dry-run``). ``given`` are the flags every run gets, as (key, value) pairs."""
    for run in runs:
        if run.path.exists():
            continue  # resumed: its config was checked when it started
        try:
            resolve_config(method, config_file, [*given, ("name", run.name), ("out", out),
                                                 *run.settings])  # fmt: skip
        except GankitError as error:
            raise ConfigError(f"Run {run.name} of the sweep: {error}") from None


def run_all(runs: list[PlannedRun], echo: Callable[[str], None] = print) -> list[PlannedRun]:
    """Run each planned command in turn (a failure does not stop the others); returns failures."""
    failed = []
    for i, run in enumerate(runs, 1):
        echo(f"[{i}/{len(runs)}] {run.command}")
        started = time.perf_counter()
        code = subprocess.run([sys.executable, "-m", "gankit", *run.arguments]).returncode
        if code != 0:
            failed.append(run)
            echo(f"[{i}/{len(runs)}] failed with exit code {code}")
        else:
            echo(f"[{i}/{len(runs)}] done in {time.perf_counter() - started:.0f} s")
    return failed


def default_name() -> str:
    return time.strftime("sweep-%Y%m%d-%H%M%S")


def check_finished(runs: list[PlannedRun], failed: list[PlannedRun]) -> None:
    """Raise (after the comparison was shown) when some runs failed."""
    if failed:
        names = ", ".join(run.name for run in failed)
        raise GankitError(
            f"{len(failed)} of {len(runs)} runs failed: {names}. Their errors are above; run the "
            f"same sweep again to resume them once fixed."
        )


def _safe(setting: str) -> str:
    """A setting as part of a folder name: no slashes, spaces or shell-special characters."""
    return re.sub(r"[^A-Za-z0-9=._,+\-\[\]]", "_", setting)
