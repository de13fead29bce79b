"""The report in a real headless Chromium: it loads without console messages, its comparison
table holds the runs' numbers after the page's script ran, and it renders to a screenshot.

Chromium's own flags do the work (--dump-dom, --screenshot, --enable-logging): no driver
package. `.ci/run` installs Chromium, so CI runs this; elsewhere it skips with the reason.
"""

import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image
from test_report import TOY, Page, latest

from gankit.runs.launch import resolve_config, start
from gankit.runs.report import write_report

pytestmark = pytest.mark.browser

CHROMIUM = next(
    (found for name in ("chromium", "chromium-browser") if (found := shutil.which(name))), None
)


@pytest.fixture
def chromium(tmp_path):
    """Run Chromium headless on a file: returns (stdout, stderr)."""
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed (apt-get install chromium); .ci/run installs it")

    def run(page: Path, *flags: str) -> tuple[str, str]:
        command = [
            CHROMIUM,
            "--headless",
            "--no-sandbox",  # CI runs as root
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--enable-logging=stderr",
            "--v=0",
            *flags,
            page.resolve().as_uri(),
        ]
        done = subprocess.run(command, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr[-2000:]
        return done.stdout, done.stderr

    return run


def test_the_report_loads_cleanly_and_its_table_holds_the_numbers(tmp_path, chromium):
    # Wide modes (sigma 0.3): the seeds cover different numbers of them within 12 steps.
    common = [*TOY, "data.options.sigma=0.3", f"out={tmp_path}"]
    runs = [
        start(resolve_config("gan", None, [*common, f"seed={s}", f"name=s{s}"])) for s in (1, 2, 3)
    ]
    report = write_report([run.path for run in runs], tmp_path / "report.html")

    dom, log = chromium(report, "--dump-dom")
    console = [line for line in log.splitlines() if ":CONSOLE" in line]
    assert console == []  # no error, warning or message of any kind
    page = Page(dom)
    table = page.tables["comparison-table"]
    assert table["head"] == ["run", "seed", "modes_covered", "high_quality", "steps", "seconds"]
    shown = {row[0]: row for row in table["rows"]}
    assert sorted(shown) == ["gan/s1", "gan/s2", "gan/s3"]
    for run in runs:
        cells = shown[f"gan/{run.path.name}"]
        assert cells[1] == run.path.name[1:]  # the seed, the setting that differs
        assert float(cells[2]) == latest(run.path, "modes_covered")
        assert float(cells[3]) == latest(run.path, "high_quality")
        assert cells[4] == "12" and float(cells[5]) == latest(run.path, "time")
    covered = [float(row[2]) for row in table["rows"]]
    assert covered == sorted(covered, reverse=True) and len(set(covered)) > 1  # best first
    assert len(page.images) == 3 * 6 + 1

    shot = tmp_path / "report.png"
    chromium(report, f"--screenshot={shot}", "--window-size=1280,2400", "--hide-scrollbars")
    with Image.open(shot) as image:
        assert image.size == (1280, 2400)
        colours = image.convert("RGB").resize((64, 120)).getcolors(64 * 120)
        assert len(colours) > 50  # rendered tables, plots and samples, not a blank page
