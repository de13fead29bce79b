"""Train, measure and tabulate every run of an experiment: what ``gankit reproduce`` does.

Layout, under ``out`` (default ``runs/reproduce``)::

    NAME/BUDGET/METHOD/RUN-seedS/   a gankit run folder (resumable with gankit train --resume)
        reproduce.json              the measurements of its checkpoints, by step
        reproduce/                  the measure's figures of the last checkpoint
    NAME/BUDGET/results.json        every number, with the device, date and command
    NAME/BUDGET/results.md          the table: mean ± sd over seeds, published figure, target
    NAME/BUDGET/results.png         the headline metric of every seed of every run

Run it again and it continues where it stopped: a finished run is measured only once, a run
killed mid-way resumes from its last checkpoint (exactly, as ``gankit train --resume``), a
longer budget extends the runs it has. Each run keeps a numbered checkpoint at three quarters of
its length, so the table can say whether it converged: a run (over its seeds) is converged when
its metric moved less over the last quarter of training than its spread over seeds.
"""

from __future__ import annotations

import fnmatch
import json
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from gankit.config import differences, from_saved, to_dict
from gankit.config_checks import RESUMABLE
from gankit.errors import GankitError
from gankit.methods import METHODS
from gankit.recipes import find_recipe
from gankit.runs.launch import resolve_config, resume, start
from gankit.runs.reproduce.experiments import EXPERIMENTS, Budget, Experiment, RunSpec
from gankit.runs.reproduce.measures import FLOORS, MEASURES, percent_scale
from gankit.training.checkpoint import load_checkpoint
from gankit.training.environment import device_name
from gankit.training.run_folder import RunFolder

# Keys that may differ between a run on disk and the run an experiment asks for: what a resume
# may change, what train.fast writes into the config, and where the data and the run live.
IGNORED = (
    *RESUMABLE,
    "train.fast",
    "train.amp",
    "optim.*.fused",
    "out",
    "name",
    "data.root",
    "data.download",
)
DEFAULT_OUT = "runs/reproduce"


@dataclass
class Measured:
    """One seed of one run: where it is and what was measured at its end and at 3/4."""

    run: str
    seed: int
    path: Path
    step: int
    end: dict[str, float]
    three_quarters: dict[str, float] | None
    figures: list[str] = field(default_factory=list)


def run_overrides(spec: RunSpec, budget: Budget, seed: int, data_dir: str | None) -> list[str]:
    """The overrides that make one seed of ``spec`` at ``budget`` from its recipe."""
    overrides = [
        *spec.overrides,
        *budget.overrides,
        f"train.steps={budget.steps}",
        f"train.checkpoint_every={max(1, budget.steps // 4)}",
        f"seed={seed}",
        "train.fast=true",
        "train.tensorboard=false",
    ]
    if data_dir:
        overrides += [f"data.root={data_dir}", "data.download=false"]
    return overrides


def reproduce(
    experiment: str | Experiment,
    budget: str = "quick",
    seeds: int | None = None,
    out: str | Path = DEFAULT_OUT,
    data_dir: str | None = None,
    progress: bool = True,
    echo: Callable[[str], None] = print,
    runs: Sequence[str] | None = None,
) -> Path:
    """Train (or resume), measure and tabulate every run of ``experiment`` (a registered name,
    or an :class:`Experiment` of your own); returns the folder holding results.md, results.json
    and results.png."""
    if isinstance(experiment, str):
        experiment = EXPERIMENTS.get(experiment)
    name = experiment.name
    if runs:
        known = [spec.name for spec in experiment.runs]
        unknown = [run for run in runs if run not in known]
        if unknown:
            raise GankitError(
                f"{name} has no run {', '.join(map(repr, unknown))}; its runs: {', '.join(known)}."
            )
        experiment = replace(experiment, runs=tuple(s for s in experiment.runs if s.name in runs))
    chosen = experiment.budget(budget)
    seeds = chosen.seeds if seeds is None else seeds
    if seeds < 1:
        raise GankitError(f"--seeds must be at least 1, got {seeds}.")
    folder = Path(out) / name / budget
    measured: list[Measured] = []
    for spec in experiment.runs:
        for seed in range(seeds):
            path, data = _train(experiment, spec, chosen, seed, folder, data_dir, progress, echo)
            measured.append(_measure(experiment, spec, chosen, seed, path, echo))
    floor = _floor(experiment, chosen, data, folder, echo) if experiment.floor else None
    command = f"gankit reproduce {name} --{budget} --seeds {seeds}"
    if runs:
        command += f" --runs {','.join(runs)}"
    if data_dir:
        command += f" --data-dir {data_dir}"
    document = summarize(experiment, budget, chosen, seeds, measured, floor, command)
    (folder / "results.json").write_text(json.dumps(document, indent=2) + "\n")
    (folder / "results.md").write_text(table(experiment, document))
    plot(experiment, document, folder / "results.png")
    return folder


def _train(
    experiment: Experiment,
    spec: RunSpec,
    budget: Budget,
    seed: int,
    folder: Path,
    data_dir: str | None,
    progress: bool,
    echo: Callable[[str], None],
):
    """Start, resume or reuse one seed of one run; returns its folder and data config."""
    overrides = [*run_overrides(spec, budget, seed, data_dir), f"train.progress={progress}"]
    name = f"{spec.name}-seed{seed}"
    cfg = resolve_config(
        None, find_recipe(spec.recipe), [*overrides, f"out={folder}", f"name={name}"]
    )
    path = folder / cfg.method / name
    label = f"{experiment.name}/{spec.name} seed {seed}"
    if path.is_dir() and not RunFolder(path).has_checkpoint():
        _clear_unstarted(RunFolder(path), echo)
    if not path.is_dir():
        echo(f"training {label}: {budget.steps} steps -> {path}")
        start(cfg)
        return path, cfg.data
    state = load_checkpoint(RunFolder.open(path).last_checkpoint())
    config_class = METHODS.get(state["method"]).config_class
    before = to_dict(from_saved(config_class, state["config"]))
    changed = [
        key
        for key in differences(before, to_dict(cfg))
        if not any(fnmatch.fnmatchcase(key, pattern) for pattern in IGNORED)
    ]
    if changed:
        raise GankitError(
            f"{path} was trained with other settings than {label} asks for ({', '.join(changed)}): "
            f"move it away, or give reproduce another --out."
        )
    step = int(state["step"])
    if step < budget.steps:
        echo(f"resuming {label} at step {step} of {budget.steps}")
        resume(path, [f"train.steps={budget.steps}", f"train.progress={progress}"])
    return path, cfg.data


def _clear_unstarted(run: Any, echo: Callable[[str], None]) -> None:
    """Remove a run folder with no checkpoint (a start killed before its first one), unless a
    live process is training it."""
    with run.lock():
        pass  # a stale lock is taken over and released; a live one is refused in one line
    echo(f"{run.path} has no checkpoint (a start that was killed): starting it again")
    run.discard_unless_checkpointed()


def _measure(
    experiment: Experiment,
    spec: RunSpec,
    budget: Budget,
    seed: int,
    path: Path,
    echo: Callable[[str], None],
) -> Measured:
    """The experiment's measure at the run's last checkpoint and at 3/4 of it (cached)."""

    run = RunFolder.open(path)
    cache_file = path / "reproduce.json"
    cache = json.loads(cache_file.read_text()) if cache_file.is_file() else {}
    key = f"{experiment.measure}:{budget.samples}"
    done = cache.setdefault(key, {})
    measure = MEASURES.get(experiment.measure)
    last = run.last_checkpoint()
    step = int(load_checkpoint(last)["step"])
    figures = path / "reproduce"
    if str(step) not in done:
        echo(f"measuring {experiment.name}/{spec.name} seed {seed} at step {step}")
        done[str(step)] = measure(last, budget.samples, figures)
        cache_file.write_text(json.dumps(cache, indent=2) + "\n")
    numbered = {int(p.stem.split("_")[1]): p for p in run.numbered_checkpoints()}
    # the latest numbered checkpoint at or before 3/4 of the run (every quarter is numbered)
    quarter = max((s for s in numbered if s <= step - step // 4), default=-1)
    if str(quarter) not in done and quarter in numbered:
        echo(f"measuring {experiment.name}/{spec.name} seed {seed} at step {quarter}")
        done[str(quarter)] = measure(numbered[quarter], budget.samples, None)
        cache_file.write_text(json.dumps(cache, indent=2) + "\n")
    pictures = sorted(str(p) for p in figures.glob("*.png")) if figures.is_dir() else []
    return Measured(spec.name, seed, path, step, done[str(step)], done.get(str(quarter)), pictures)


def _floor(experiment, budget, data, folder: Path, echo) -> dict[str, Any]:
    """The experiment's measure of real data (cached in the budget's folder)."""
    cache_file = folder / "floor.json"
    key = f"{experiment.floor}:{data.name}:{budget.samples}"
    cache = json.loads(cache_file.read_text()) if cache_file.is_file() else {}
    if key not in cache:
        echo(f"measuring the floor: {experiment.floor} on real {data.name} images")
        cache[key] = FLOORS.get(experiment.floor)(data, budget.samples)
        cache_file.write_text(json.dumps(cache, indent=2) + "\n")
    return cache[key]


def mean_sd(values: list[float]) -> tuple[float, float | None]:
    """Mean and sample standard deviation (n - 1; None for one value)."""
    mean = sum(values) / len(values)
    if len(values) < 2:
        return mean, None
    return mean, math.sqrt(sum((v - mean) ** 2 for v in values) / (len(values) - 1))


def summarize(
    experiment: Experiment,
    budget_name: str,
    budget: Budget,
    seeds: int,
    measured: list[Measured],
    floor: dict[str, Any] | None,
    command: str,
) -> dict[str, Any]:
    """Every number of the experiment, per run: each seed's values, mean ± sd, convergence."""
    metric = experiment.metric
    floor_value = floor.get(metric) if floor else None
    target = experiment.target_for(floor_value)
    rows = []
    for spec in experiment.runs:
        mine = [m for m in measured if m.run == spec.name]
        keys = [k for k in mine[0].end if isinstance(mine[0].end[k], (int, float))]
        stats = {k: mean_sd([float(m.end[k]) for m in mine]) for k in keys}
        mean, sd = stats[metric]
        earlier = [m.three_quarters[metric] for m in mine if m.three_quarters]
        moved = None
        if len(earlier) == len(mine):
            moved = sum(abs(m.end[metric] - m.three_quarters[metric]) for m in mine) / len(mine)  # type: ignore[index]
        rows.append(
            {
                "run": spec.name,
                "recipe": spec.recipe,
                "overrides": list(spec.overrides),
                "seeds": {m.seed: m.end for m in mine},
                "steps": sorted({m.step for m in mine}),
                "at_three_quarters": {m.seed: m.three_quarters for m in mine},
                "mean": {k: v[0] for k, v in stats.items()},
                "sd": {k: v[1] for k, v in stats.items()},
                "moved_last_quarter": moved,
                "converged": None if moved is None or sd is None else moved <= sd,
                "meets_target": experiment.meets(mean, target),
                "figures": mine[0].figures,
                "folders": [str(m.path) for m in mine],
            }
        )
    return {
        "experiment": experiment.name,
        "claim": experiment.claim,
        "metric": metric,
        "better": experiment.better,
        "published": experiment.published,
        "target": target,
        "floor": floor,
        "budget": budget_name,
        "budget_detail": budget.describe(),
        "seeds": list(range(seeds)),
        "device": device_name("cpu"),
        "date": time.strftime("%Y-%m-%d %H:%M %Z"),
        "command": command,
        "rows": rows,
    }


def _decimals(value: float) -> int:
    """Two decimals, or three significant digits below 1 (a test L1 of 0.0475, not 0.05)."""
    if value == 0 or not math.isfinite(value) or abs(value) >= 1:
        return 2
    return max(2, 2 - math.floor(math.log10(abs(value))))


def _number(value: float | None, metric: str) -> str:
    if value is None:
        return "–"
    scale = percent_scale(metric)
    if scale is not None:
        return f"{scale * value:.1f} %"
    return f"{value:.{_decimals(value)}f}"


def _spread(mean: float, sd: float | None, metric: str) -> str:
    if sd is None:
        return _number(mean, metric)
    scale = percent_scale(metric)
    if scale is not None:
        return f"{scale * mean:.1f} ± {scale * sd:.1f} %"
    decimals = _decimals(mean)
    return f"{mean:.{decimals}f} ± {sd:.{decimals}f}"


def table(experiment: Experiment, document: dict[str, Any]) -> str:
    """results.md: the claim, how it was run, and one row per run (plus the floor)."""
    metric = document["metric"]
    lines = [
        f"# {document['experiment']}",
        "",
        document["claim"] + ".",
        "",
        f"- command: `{document['command']}`",
        f"- budget: {document['budget']} ({document['budget_detail']}); seeds "
        f"{', '.join(map(str, document['seeds']))}",
        f"- device: {document['device']}; {document['date']}",
        f"- published: {document['published']}",
        f"- target: {_number(document['target'], metric) if document['target'] is not None else 'none'}"
        f" ({document['better']} is better)",
        "",
    ]
    others = [k for k in document["rows"][0]["mean"] if k != metric]
    header = ["run", "steps", f"{metric} per seed", "mean ± sd", "at 3/4 (mean)", "converged",
              "meets target", *others]  # fmt: skip
    lines += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in document["rows"]:
        per_seed = ", ".join(_number(v[metric], metric) for v in row["seeds"].values())
        quarter = [v[metric] for v in row["at_three_quarters"].values() if v]
        cells = [
            row["run"],
            "/".join(map(str, row["steps"])),
            per_seed,
            f"**{_spread(row['mean'][metric], row['sd'][metric], metric)}**",
            _number(sum(quarter) / len(quarter), metric) if quarter else "–",
            {None: "–", True: "yes", False: "no"}[row["converged"]],
            {None: "–", True: "yes", False: "no"}[row["meets_target"]],
            *(_spread(row["mean"][k], row["sd"][k], k) for k in others),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    if document["floor"]:
        floor = document["floor"]
        cells = [f"floor: {floor['label']}", "", "", _number(floor[metric], metric), "", "", ""]
        lines.append("| " + " | ".join(cells + [""] * len(others)) + " |")
    lines += [
        "",
        "Converged: the metric moved less between 3/4 of training and the end (mean over seeds) "
        "than its sd over seeds; '–' where a run has no checkpoint at 3/4 or one seed.",
        "",
    ]
    for row in document["rows"]:
        for figure in row["figures"]:
            lines.append(f"- {row['run']}, seed 0: `{figure}`")
    return "\n".join(lines) + "\n"


def plot(experiment: Experiment, document: dict[str, Any], path: Path) -> None:
    """The headline metric of every seed of every run, its mean, the target and the floor."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    metric = document["metric"]
    figure, ax = plt.subplots(figsize=(1.6 + 1.2 * len(document["rows"]), 3.2))
    for i, row in enumerate(document["rows"]):
        values = [v[metric] for v in row["seeds"].values()]
        ax.scatter([i] * len(values), values, color="tab:blue", s=18, zorder=3)
        ax.hlines(row["mean"][metric], i - 0.25, i + 0.25, color="black", linewidth=1.5)
    if document["target"] is not None:
        ax.axhline(
            document["target"], color="tab:green", linestyle="--", linewidth=1, label="target"
        )
    if document["floor"]:
        ax.axhline(
            document["floor"][metric], color="grey", linestyle=":", linewidth=1, label="real data"
        )
    ax.set_xticks(range(len(document["rows"])), [row["run"] for row in document["rows"]])
    ax.set_xlim(-0.6, len(document["rows"]) - 0.4)
    ax.set_ylabel(metric)
    ax.set_title(
        f"{document['experiment']} ({document['budget']}, {len(document['seeds'])} seeds)",
        fontsize=9,
    )
    if document["target"] is not None or document["floor"]:
        ax.legend(fontsize="small")
    ax.grid(alpha=0.3, axis="y")
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)


def listing() -> list[dict[str, str]]:
    """Every experiment: name, claim, metric, published figure and both budgets."""
    entries = []
    for name in EXPERIMENTS.names():
        experiment = EXPERIMENTS.get(name)
        entries.append(
            {
                "name": name,
                "claim": experiment.claim,
                "runs": ", ".join(spec.name for spec in experiment.runs),
                "metric": f"{experiment.metric} ({experiment.better} is better)",
                "published": experiment.published,
                "quick": experiment.quick.describe(),
                "full": experiment.full.describe(),
            }
        )
    return entries
