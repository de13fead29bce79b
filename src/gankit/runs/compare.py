"""Runs side by side: each run's latest metrics in one table, sorted (``gankit compare``).

A run's numbers come from its ``metrics.jsonl``: the evaluation metrics (``eval/fid``,
``eval/kid`` with ``eval/kid_std``, ...; written by ``gankit evaluate`` and by ``eval.every``),
the validation scores (``val/l1``, ...; ``train.validate_every``, lower is better) and, on the
toy 2-D sets, the mode coverage logged with every sample grid. A run's value of a
metric is its latest one (the highest step that has it).

The table also shows the config keys whose values differ between the runs (the axes of a sweep),
so an ablation reads as one table; :func:`mean_over` averages runs that differ only in one key
(usually ``seed``). A column ``X_std`` is the spread of column ``X``; :func:`format_cell` shows
the two as ``mean ± std``, and CSV keeps them apart.
"""

from __future__ import annotations

import csv
import json
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gankit.config import load_yaml
from gankit.config_upgrade import upgrade_net_keys
from gankit.errors import GankitError, RunFolderError
from gankit.metrics.suite import SET_METRICS
from gankit.training.logger import read_metrics
from gankit.training.run_folder import RunFolder, read_json

# Every other metric is better lower (fid, kid, losses, times).
HIGHER_IS_BETTER = frozenset(
    {"is", "precision", "recall", "density", "coverage", "modes_covered", "high_quality"}
    | {"psnr", "ssim"}
)
TOY_METRICS = ("modes_covered", "high_quality")  # logged with the sample grids of toy runs
PREFERRED = ("fid", "kid", "is", "precision", "recall", "density", "coverage", *TOY_METRICS)
NOT_SETTINGS = frozenset({"name", "out", "data.root"})  # differ between runs by design
NOT_SCORES = frozenset({"num_modes"})  # logged beside the toy scores: the mixture's, not the run's


@dataclass
class RunSummary:
    """What one run folder says about itself."""

    path: Path
    config: dict[str, Any]  # flattened: {"train.steps": 1000, "loss": "hinge", ...}
    environment: dict[str, Any]
    records: list[dict[str, Any]]  # metrics.jsonl
    history: dict[str, list[tuple[int, float]]]  # metric -> [(step, value), ...]

    @property
    def label(self) -> str:
        return f"{self.config.get('method', '?')}/{self.path.name}"

    @property
    def step(self) -> int:
        return max((int(r["step"]) for r in self.records), default=0)

    @property
    def seconds(self) -> float | None:
        """Training time to the last logged step (resumed runs included), not sampling time."""
        times = [r["time"] for r in self.records if "time" in r]
        return float(times[-1]) if times else None

    @property
    def metrics(self) -> dict[str, float]:
        """The latest value of each metric."""
        return {name: points[-1][1] for name, points in self.history.items()}


def summarize(path: str | Path) -> RunSummary:
    """Read a run folder's config, environment and metrics."""
    run = RunFolder.open(path)
    # a translation run saved before its net keys changed is shown in today's keys
    config = upgrade_net_keys(load_yaml(run.config_file))
    if "method" not in config:
        raise RunFolderError(
            f"{str(run.config_file)!r} names no method, so {str(run.path)!r} is not a run that "
            "gankit started (every run writes its whole config first); leave it out."
        )
    environment = read_json(run.env_file) if run.env_file.is_file() else {}
    records = read_metrics(run)
    values: dict[str, dict[int, float]] = {}
    # Toy coverage logged with the samples first: an evaluation at the same step replaces it.
    for evaluated in (False, True):
        for record in records:
            for key, value in record.items():
                name = key.removeprefix("eval/")
                if value is None or name in NOT_SCORES:
                    continue
                if key.startswith(("eval/", "val/")) if evaluated else key in TOY_METRICS:
                    values.setdefault(name, {})[int(record["step"])] = value
    history = {
        name: sorted((s, float(v)) for s, v in points.items()) for name, points in values.items()
    }
    return RunSummary(run.path, flatten(config), environment, records, history)


def summarize_all(paths: Sequence[str | Path]) -> list[RunSummary]:
    if not paths:
        raise RunFolderError("Name at least one run folder, e.g. runs/dcgan/first.")
    return [summarize(p) for p in paths]


def flatten(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat = {}
    for key, value in data.items():
        if isinstance(value, dict) and value:
            flat.update(flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def higher_is_better(metric: str) -> bool:
    return metric.removeprefix("eval/") in HIGHER_IS_BETTER


def default_metric(runs: list[RunSummary]) -> str | None:
    """The metric to sort by when none is named: the first of FID, KID, IS, ... the runs have."""
    present = {name for run in runs for name in run.history}
    ordered = [m for m in PREFERRED if m in present]
    others = sorted(m for m in present if not m.endswith("_std") and m not in PREFERRED)
    return (ordered + others)[0] if ordered or others else None


def settings(runs: list[RunSummary]) -> list[str]:
    """The config keys whose values differ between the runs, in config order."""
    keys = [k for k in runs[0].config] + [
        k for run in runs[1:] for k in run.config if k not in runs[0].config
    ]
    return [
        key
        for key in dict.fromkeys(keys)
        if key not in NOT_SETTINGS and len({_text(run.config.get(key)) for run in runs}) > 1
    ]


@dataclass
class Table:
    """Columns and rows of plain values (str, int, float or None), best row first."""

    columns: list[str]
    rows: list[dict[str, Any]]
    metric: str | None = None  # the column the rows are sorted by

    def write_csv(self, path: str | Path) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "w", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=self.columns)
            writer.writeheader()
            for row in self.rows:
                writer.writerow({c: "" if row.get(c) is None else row[c] for c in self.columns})
        return path


def comparison(runs: list[RunSummary], metric: str | None = None) -> Table:
    """One row per run: the differing settings, the latest metrics, steps and training time."""
    metric = _check_metric(runs, metric)
    metrics, varying = _metric_columns(runs), settings(runs)
    columns = ["run", *varying, *metrics, "steps", "seconds"]
    rows = [
        {"run": run.label}
        | {key: _text(run.config.get(key)) for key in varying}
        | {m: run.metrics.get(m) for m in metrics}
        | {"steps": run.step, "seconds": run.seconds}
        for run in runs
    ]
    return Table(columns, _sorted(rows, metric), metric)


def mean_over(runs: list[RunSummary], key: str, metric: str | None = None) -> Table:
    """Runs that differ only in ``key`` (e.g. seed) as one row: each metric's mean and spread.

    The spread is the sample standard deviation over the runs (``X_std``; empty for one run).
    """
    metric = _check_metric(runs, metric)
    varying = settings(runs)
    if key not in varying:
        raise GankitError(
            f"The runs do not differ in {key!r}, so there is nothing to average over; they "
            f"differ in: {', '.join(varying) or 'nothing'}."
        )
    kept = [k for k in varying if k != key]
    groups: dict[tuple, list[RunSummary]] = {}
    for run in runs:
        groups.setdefault(tuple(_text(run.config.get(k)) for k in kept), []).append(run)
    metrics = [m for m in _metric_columns(runs) if not m.endswith("_std")]
    rows = []
    for values, members in groups.items():
        row: dict[str, Any] = dict(zip(kept, values)) | {"runs": len(members)}
        for m in metrics:
            found = [run.metrics[m] for run in members if m in run.metrics]
            row[m] = statistics.fmean(found) if found else None
            row[f"{m}_std"] = statistics.stdev(found) if len(found) > 1 else None
        rows.append(row)
    columns = [*kept, "runs", *(c for m in metrics for c in (m, f"{m}_std"))]
    return Table(columns, _sorted(rows, metric), metric)


def format_cell(row: dict[str, Any], column: str) -> str:
    """A cell for people: 4 significant digits, ``mean ± std`` when an ``_std`` column exists."""
    value = row.get(column)
    if value is None:
        return "–"
    if isinstance(value, float):
        text = f"{value:.4g}"
        spread = row.get(f"{column}_std")
        return text + (f" ± {spread:.2g}" if isinstance(spread, float) else "")
    return str(value)


def shown_columns(table: Table) -> list[str]:
    """The columns a person reads: the ``_std`` ones are folded into their metric."""
    return [c for c in table.columns if not (c.endswith("_std") and c[:-4] in table.columns)]


def _metric_columns(runs: list[RunSummary]) -> list[str]:
    present = {name for run in runs for name in run.history}
    ordered = [m for m in PREFERRED if m in present]
    ordered += sorted(m for m in present if m not in ordered and not m.endswith("_std"))
    return [c for m in ordered for c in (m, f"{m}_std") if c in present]


def _check_metric(runs: list[RunSummary], metric: str | None) -> str | None:
    if metric is None:
        return default_metric(runs)
    metric = metric.removeprefix("eval/")
    if not any(metric in run.history for run in runs):
        present = sorted({m for run in runs for m in run.history if not m.endswith("_std")})
        how = (
            f"Compute it with `gankit evaluate RUN_DIR --metrics {metric}`."
            if metric in SET_METRICS
            else f"gankit evaluate computes {', '.join(SET_METRICS)}."
        )
        raise GankitError(
            f"No run has metric {metric!r}. They have: {', '.join(present) or 'none yet'}. {how}"
        )
    return metric


def _sorted(rows: list[dict[str, Any]], metric: str | None) -> list[dict[str, Any]]:
    """Best first by ``metric``; rows without it last, in their given order."""
    if metric is None:
        return rows
    sign = -1 if higher_is_better(metric) else 1
    have = [r for r in rows if r.get(metric) is not None]
    return sorted(have, key=lambda r: sign * r[metric]) + [r for r in rows if r not in have]


def _text(value: Any) -> Any:
    """A config value as a table cell: scalars as they are, lists and dicts as JSON."""
    return json.dumps(value) if isinstance(value, (list, dict)) else value
