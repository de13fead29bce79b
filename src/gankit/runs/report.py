"""One self-contained HTML page about runs (``gankit report``): open it from disk, no server.

For each run: what it is and how long it trained, its last sample grid and a selection over
training, loss curves, the evaluation metrics over steps (with the protocol of the latest
evaluation), the config and the environment. For several runs, a comparison first: the table of
:mod:`gankit.runs.compare` (sortable by clicking a header) and the curves of all runs overlaid.
Images and plots are inlined as PNG data URIs, so the page is one file that can be mailed.
"""

from __future__ import annotations

import base64
import html
import io
import json
import time
from pathlib import Path
from typing import Any

from gankit.runs import compare
from gankit.runs.compare import RunSummary, Table
from gankit.runs.evaluate import summary_lines
from gankit.runs.report_page import PAGE
from gankit.training.run_folder import read_json

Series = dict[str, list[tuple[int, float]]]  # label -> [(step, value), ...]


def write_report(
    paths: list[str | Path], out: str | Path, metric: str | None = None, samples: int = 4
) -> Path:
    """Write the report of the runs at ``paths`` to ``out``; returns ``out``."""
    runs = compare.summarize_all(paths)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render(runs, metric, samples), encoding="utf-8")
    return out


def render(runs: list[RunSummary], metric: str | None = None, samples: int = 4) -> str:
    """The page's HTML: a comparison when there are several runs, then one section per run."""
    body = []
    if len(runs) > 1:
        body.append(comparison_section(runs, metric))
    body += [run_section(run, i, samples) for i, run in enumerate(runs)]
    title = "gankit report: " + (runs[0].label if len(runs) == 1 else f"{len(runs)} runs")
    made = f"Made {time.strftime('%Y-%m-%d %H:%M')} by gankit report from {len(runs)} run(s)."
    return PAGE.substitute(title=_e(title), made=_e(made), body="\n".join(body))


# ----------------------------------------------------------------------------- comparison


def comparison_section(runs: list[RunSummary], metric: str | None) -> str:
    table = compare.comparison(runs, metric)
    curves = {key: {run.label: _curve(run, key) for run in runs} for key in _loss_keys(runs)}
    curves |= {
        name: {run.label: run.history.get(name, []) for run in runs}
        for name in table.columns
        if any(name in run.history for run in runs) and not name.endswith("_std")
    }
    order = f"sorted by {table.metric}" if table.metric else "in the order given"
    return (
        '<section id="comparison"><h2>Comparison</h2>'
        f"<p>Latest value of each metric, {order}; click a header to sort. "
        "Training time excludes the time before the first step.</p>"
        f"{table_html(table, 'comparison-table')}"
        f"<h3>Curves, all runs</h3>{_image(plot(curves), 'curves of all runs')}</section>"
    )


def table_html(table: Table, table_id: str) -> str:
    """A sortable table: each cell shows the formatted value and keeps the exact one in
    ``data-value``; the best value of each metric column is marked."""
    columns = compare.shown_columns(table)
    best = {c: _best(table, c) for c in columns if _is_metric(table, c)}
    head = "".join(f"<th>{_e(c)}</th>" for c in columns)
    rows = []
    for row in table.rows:
        cells = []
        for c in columns:
            value = row.get(c)
            classes = (
                ' class="best"' if c in best and value is not None and value == best[c] else ""
            )
            exact = "" if value is None else _e(repr(value) if isinstance(value, float) else value)
            cells.append(
                f'<td data-value="{exact}"{classes}>{_e(compare.format_cell(row, c))}</td>'
            )
        rows.append(f"<tr>{''.join(cells)}</tr>")
    return (
        f'<div class="wide"><table id="{table_id}" class="sortable"><thead><tr>{head}</tr>'
        f"</thead><tbody>{''.join(rows)}</tbody></table></div>"
    )


# ----------------------------------------------------------------------------- one run


def run_section(run: RunSummary, index: int, samples: int) -> str:
    parts = [f'<section class="run" id="run-{index}"><h2>{_e(run.label)}</h2>', _facts(run)]
    parts.append(_samples(run, samples))
    # One panel per loss: a GAN's losses differ in scale (pix2pix's G loss carries 100 x L1).
    losses = {key: {key: _curve(run, key)} for key in _loss_keys([run])}
    if losses:
        parts.append(f"<h3>Losses</h3>{_image(plot(losses), 'loss curves')}")
    parts.append(_evaluation(run))
    config = (run.path / "config.yaml").read_text()
    parts.append(f"<details><summary>Config</summary><pre>{_e(config)}</pre></details>")
    parts.append(f"<details><summary>Environment</summary>{_key_values(run.environment)}</details>")
    return "".join(parts) + "</section>"


def _facts(run: RunSummary) -> str:
    seconds = run.seconds
    speed = f" ({run.step / seconds:.3g} steps/s)" if seconds else ""
    trained = f"{seconds:.1f} s" if seconds is not None else "unknown time"
    facts = {
        "folder": str(run.path),
        "method": run.config.get("method"),
        "data": run.config.get("data.name"),
        "trained": f"{run.step} steps in {trained}{speed}",
        "device": run.environment.get("device"),
        "processes": run.environment.get("distributed", {}).get("world_size", 1),
    }
    return _key_values(facts)


def _samples(run: RunSummary, count: int) -> str:
    grids = sorted((run.path / "samples").glob("step_*.png"))
    if not grids:
        return "<h3>Samples</h3><p>No sample grid was written yet.</p>"
    last = grids[-1]
    picks = sorted({round(i * (len(grids) - 1) / max(count - 1, 1)) for i in range(count)})
    selected = [grids[i] for i in picks if grids[i] != last]
    figures = "".join(_figure(path, "sample") for path in selected)
    return f"<h3>Samples</h3><div class='last'>{_figure(last, 'last')}</div>" + (
        f"<h4>During training</h4><div class='grids'>{figures}</div>" if figures else ""
    )


def _evaluation(run: RunSummary) -> str:
    if not run.history:
        return "<h3>Evaluation</h3><p>No metric yet: `gankit evaluate RUN_DIR` computes them.</p>"
    names = [n for n in run.history if not n.endswith("_std")]
    steps = sorted({step for points in run.history.values() for step, _ in points})
    rows: dict[int, dict[str, Any]] = {step: {"step": step} for step in steps}
    for name, points in run.history.items():
        for step, value in points:
            rows[step][name] = value
    table = Table(["step", *run.history], list(rows.values()))
    series = {name: {name: run.history[name]} for name in names}
    curves = _image(plot(series), "metrics over steps") if len(steps) > 1 else ""
    return f"<h3>Evaluation</h3>{table_html(table, f'eval-{run.path.name}')}{curves}" + (
        _protocol(run)
    )


def _protocol(run: RunSummary) -> str:
    """How the latest evaluation was made, from ``eval/<step>.json`` (gankit evaluate)."""
    documents = sorted((run.path / "eval").glob("*.json"), key=lambda p: int(p.stem))
    if not documents:
        return ""
    document = read_json(documents[-1])
    lines = "\n".join(summary_lines(document.get("metrics", {})))
    return f"<p>Protocol at step {document.get('step')}:</p><pre>{_e(lines)}</pre>"


# ----------------------------------------------------------------------------- pieces


def plot(panels: dict[str, Series]) -> bytes:
    """One panel per title, one line per series, against step; a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    columns = min(len(panels), 2)
    rows = -(-len(panels) // columns)
    figure, axes = plt.subplots(rows, columns, figsize=(6 * columns, 3 * rows), squeeze=False)
    for ax, (title, series) in zip(axes.flat, panels.items()):
        for label, points in series.items():
            if points:
                ax.plot(
                    *zip(*points),
                    label=label,
                    linewidth=1,
                    marker="." if len(points) < 20 else None,
                )
        ax.set_title(title, fontsize="medium")
        ax.set_xlabel("step")
        ax.grid(alpha=0.3)
        ax.legend(fontsize="x-small")
    for ax in list(axes.flat)[len(panels) :]:
        ax.axis("off")
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=90)
    plt.close(figure)
    return buffer.getvalue()


def _curve(run: RunSummary, key: str) -> list[tuple[int, float]]:
    return [(int(r["step"]), float(r[key])) for r in run.records if key in r and r[key] is not None]


def _loss_keys(runs: list[RunSummary]) -> list[str]:
    return sorted({k for run in runs for r in run.records for k in r if k.endswith("loss")})


def _best(table: Table, column: str) -> float | None:
    values = [row[column] for row in table.rows if isinstance(row.get(column), (int, float))]
    if not values:
        return None
    return max(values) if compare.higher_is_better(column) else min(values)


def _is_metric(table: Table, column: str) -> bool:
    return column not in ("run", "steps", "seconds", "runs", "step") and any(
        isinstance(row.get(column), float) for row in table.rows
    )


# The longer side of a sample grid on the page, in CSS pixels: small grids are scaled up (with
# crisp pixels), and tall ones (pix2pix's input | output | target columns) stay on the screen.
FIGURE_SIZES = {"last": 384, "sample": 192}


def _figure(path: Path, kind: str) -> str:
    from PIL import Image

    step = int(path.stem.removeprefix("step_"))
    caption = f"last grid, step {step}" if kind == "last" else f"step {step}"
    png = path.read_bytes()
    with Image.open(io.BytesIO(png)) as image:
        width, height = image.size
    scale = FIGURE_SIZES[kind] / max(width, height)
    size = (round(width * scale), round(height * scale))
    return (
        f'<figure class="{kind}">{_image(png, f"samples at step {step}", size)}'
        f"<figcaption>{_e(caption)}</figcaption></figure>"
    )


def _image(png: bytes, alt: str, size: tuple[int, int] | None = None) -> str:
    data = base64.b64encode(png).decode("ascii")
    dimensions = f' width="{size[0]}" height="{size[1]}"' if size else ""
    return f'<img alt="{_e(alt)}"{dimensions} src="data:image/png;base64,{data}">'


def _key_values(values: dict[str, Any]) -> str:
    rows = "".join(
        f"<tr><th>{_e(k)}</th><td>{_e(_plain(v))}</td></tr>"
        for k, v in values.items()
        if v is not None
    )
    return f'<table class="facts">{rows}</table>'


def _plain(value: Any) -> str:
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return " ".join(value)
    return json.dumps(value) if isinstance(value, (dict, list)) else str(value)


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)
