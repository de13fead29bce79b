"""Shared helper of the reliability tests: a refusal is exit code 2 and one line on stderr."""

from __future__ import annotations

import pytest

PREAMBLE = ("Training ", "Resuming ", "train.fast on ")


@pytest.fixture
def refused(cli, capsys):
    """Run the CLI, expect a refusal, and return its one line (without ``error: ``)."""

    def run(*args: object) -> str:
        capsys.readouterr()  # drop what earlier calls printed
        code = cli(*args)
        err = capsys.readouterr().err
        assert code == 2, err
        assert "Traceback" not in err
        # what a start says before training (run folder, data, device; train.fast) may precede
        # a fault found during training; the fault itself is one line
        lines = [line for line in err.strip().splitlines() if not line.startswith(PREAMBLE)]
        assert len(lines) == 1 and lines[0].startswith("error: "), err
        return lines[0].removeprefix("error: ")

    return run
