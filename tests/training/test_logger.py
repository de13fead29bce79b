"""The progress line without a terminal: step, speed, elapsed time, ETA and losses."""

import re

import pytest

from gankit.training import logger
from gankit.training.logger import ProgressBar, clock


@pytest.mark.parametrize(
    "seconds, shown", [(0, "0s"), (59.4, "59s"), (61, "1m01s"), (3723, "1h02m03s")]
)
def test_clock(seconds, shown):
    assert clock(seconds) == shown


def test_without_a_terminal_a_line_every_interval_with_elapsed_and_eta(monkeypatch, capsys):
    times = iter([100.0, 105.0, 110.0, 120.0])  # the start, then each update: 2 s per step
    monkeypatch.setattr(logger.time, "perf_counter", lambda: next(times))
    bar = ProgressBar(total=20, start=0, enabled=True, every=5)
    bar.update(3, {"d_loss": 1.0})  # not on the interval: nothing
    bar.update(5, {"d_loss": 0.5, "g_loss": 2.0})
    bar.update(10, {"d_loss": 0.25})
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 2  # steps 5 and 10
    assert re.fullmatch(
        r"step 5/20  0\.5 step/s  elapsed 10s  ETA 30s  d_loss 0\.5  g_loss 2", lines[0]
    )
    assert lines[1].startswith("step 10/20  0.5 step/s  elapsed 20s  ETA 20s")


def test_without_tensorboard_the_run_logs_to_jsonl_with_one_note(tmp_path, monkeypatch, capsys):
    from gankit.training.run_folder import RunFolder

    real = logger.importlib.util.find_spec
    monkeypatch.setattr(
        logger.importlib.util,
        "find_spec",
        lambda name, *a: None if name == "tensorboard" else real(name, *a),
    )
    monkeypatch.setattr(logger, "_noted", [])
    run = RunFolder(tmp_path / "run")
    run.path.mkdir()
    for step in (1, 2):  # a run, then its resume
        log = logger.RunLogger(run, step - 1, tensorboard=True)
        log.log(step, {"d_loss": 0.5})
        log.close()
    assert capsys.readouterr().err.count("tensorboard is not installed") == 1
    assert run.metrics_file.read_text().count('"d_loss": 0.5') == 2
    assert not run.tensorboard.exists()
