"""The "bring your own networks" page (docs/own-networks.md) works as written: its module and
its Python example run in a fresh process, and the run it trains samples from the CLI in
another."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

PAGE = Path(__file__).resolve().parents[1] / "docs" / "own-networks.md"


def code_blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", PAGE.read_text(), flags=re.S)


@pytest.mark.slow  # two fresh processes, each importing torch
def test_the_own_networks_page_runs_as_written(tmp_path):
    module, example, own_class = code_blocks("python")
    (tmp_path / "my_nets.py").write_text(module)
    environment = {**os.environ, "PYTHONPATH": str(tmp_path), "OMP_NUM_THREADS": "1"}

    def python(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, *args], cwd=tmp_path, env=environment,
            capture_output=True, text=True, timeout=300,
        )  # fmt: skip

    trained = python("-c", example)
    assert trained.returncode == 0, trained.stderr
    assert trained.stdout.strip().endswith("['my_nets'] (500, 2)")
    sample = next(line for line in code_blocks("bash")[1].splitlines() if "sample" in line)
    sampled = python("-m", "gankit", *sample.split()[1:])  # without "gankit"
    assert sampled.returncode == 0, sampled.stderr
    assert (tmp_path / "runs" / "gan" / "mine" / "samples").is_dir()
    own = python("-c", own_class)
    assert own.returncode == 0, own.stderr
    assert own.stdout.strip().endswith("my_nets:MyGenerator mlp")
