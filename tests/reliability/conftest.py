"""Shared helper of the reliability tests: a refusal is exit code 2 and one line on stderr."""

from __future__ import annotations

import pytest


@pytest.fixture
def refused(cli, capsys):
    """Run the CLI, expect a refusal, and return its one line (without ``error: ``)."""

    def run(*args: object) -> str:
        capsys.readouterr()  # drop what earlier calls printed
        code = cli(*args)
        err = capsys.readouterr().err
        assert code == 2, err
        assert "Traceback" not in err
        lines = err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), err
        return lines[0].removeprefix("error: ")

    return run
