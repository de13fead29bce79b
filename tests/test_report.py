"""gankit report: one self-contained page with each run's pieces and, for several, a comparison.

tests/test_report_browser.py opens the same page in headless Chromium.
"""

import base64
import io
import json
import re
from html.parser import HTMLParser

import pytest
from PIL import Image

from gankit.runs.evaluate import evaluate_run
from gankit.runs.launch import resolve_config, start

TOY = ["data.name=ring8", "z_dim=2", "generator.hidden=[16]", "discriminator.hidden=[16]",
       "data.options.n_samples=512", "train.steps=12", "train.log_every=3",
       "train.sample_every=4", "train.progress=false", "train.tensorboard=false"]  # fmt: skip


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    """Two tiny toy runs that differ in their loss; the second also evaluated (toy2d)."""
    out = tmp_path_factory.mktemp("runs")
    first = start(resolve_config("gan", None, [*TOY, "loss=hinge", "name=hinge", f"out={out}"]))
    second = start(
        resolve_config("gan", None, [*TOY, "loss=minimax", "name=minimax", f"out={out}"])
    )
    evaluate_run(second.path, ["toy2d"], progress=False)
    return [first.path, second.path]


class Page(HTMLParser):
    """The parts of the page the tests look at: images, tables (cells with data-value), text."""

    def __init__(self, text):
        super().__init__()
        self.images, self.tables, self.links, self.text = [], {}, [], []
        self._table = None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "img":
            self.images.append(attrs["src"])
        if tag in ("link", "a", "script") and (attrs.get("href") or attrs.get("src")):
            self.links.append(attrs.get("href") or attrs.get("src"))
        if tag == "table" and attrs.get("id"):
            self._table = self.tables.setdefault(attrs["id"], {"head": [], "rows": []})
        if self._table is not None and tag == "th":
            self._table["head"].append("")
        if self._table is not None and tag == "tr" and self._table["head"]:
            self._table["rows"].append([])
        if self._table is not None and tag == "td":
            self._table["rows"][-1].append(attrs.get("data-value"))

    def handle_endtag(self, tag):
        if tag == "table":
            self._table = None

    def handle_data(self, data):
        if self._table is not None and self._table["head"] and not self._table["rows"]:
            self._table["head"][-1] += data
        self.text.append(data)


def decoded(src):
    assert src.startswith("data:image/png;base64,")
    return Image.open(io.BytesIO(base64.b64decode(src.split(",", 1)[1])))


def latest(run, key):
    values = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    return [r[key] for r in values if key in r][-1]


def test_the_page_holds_each_run_and_a_comparison_with_nothing_outside_it(two_runs, tmp_path, cli):
    out = tmp_path / "report.html"
    assert cli("report", *two_runs, "--out", out) == 0
    text = out.read_text()
    page = Page(text)
    assert all(link.startswith("data:") for link in page.links)  # self-contained
    assert "http" not in text
    # Per run: the last grid and 3 earlier ones, loss curves, metrics over steps; plus the
    # overlaid curves of both runs.
    assert len(page.images) == 2 * (4 + 1 + 1) + 1
    assert all(decoded(src).size[0] > 100 for src in page.images)
    table = page.tables["comparison-table"]
    assert table["head"] == ["run", "loss", "modes_covered", "high_quality", "steps", "seconds"]
    cells = {row[0]: row for row in table["rows"]}
    for run in two_runs:
        row = cells[f"gan/{run.name}"]
        assert float(row[2]) == latest(
            run, "eval/modes_covered" if run.name == "minimax" else "modes_covered"
        )
        assert row[4] == "12" and float(row[5]) == latest(run, "time")
    words = " ".join(page.text)
    assert "last grid, step 12" in words and "step 0" in words and "step 8" in words
    assert "loss: minimax" in words and '"torch"' not in words and "torch" in words  # config, env
    assert "Protocol at step 12" in words and "2500 generated" in words  # from eval/12.json
    assert re.search(r"12 steps in [0-9.]+ s \([0-9.]+ steps/s\)", words)


def test_one_run_has_no_comparison(two_runs, tmp_path, cli):
    out = tmp_path / "one.html"
    assert cli("report", two_runs[0], "--out", out) == 0
    page = Page(out.read_text())
    assert "comparison-table" not in page.tables and "eval-hinge" in page.tables
    assert page.text.count("gankit report: gan/hinge") == 2  # title and heading
