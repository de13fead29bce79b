"""The wheel users install: licence, type information."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_wheel_carries_the_licence_and_py_typed(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
         "--wheel-dir", str(tmp_path), str(REPO)],
        check=True, cwd=tmp_path,
    )  # fmt: skip
    (wheel,) = tmp_path.glob("gankit-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "gankit/py.typed" in names
    assert {
        "gankit/configs/dcgan-mnist.yaml",
        "gankit/configs/experiments/pix2pix-l1-100.yaml",
    } <= set(names)
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    metadata = next(n for n in names if n.endswith(".dist-info/METADATA"))
    text = zipfile.ZipFile(wheel).read(metadata).decode()
    assert "License-Expression: MIT" in text


@pytest.mark.slow
def test_the_installed_wheel_trains_samples_evaluates_and_exports_outside_the_checkout(tmp_path):
    wheels, target, work = tmp_path / "wheels", tmp_path / "site", tmp_path / "elsewhere"
    work.mkdir()
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
         "--wheel-dir", str(wheels), str(REPO)],
        check=True,
    )  # fmt: skip
    (wheel,) = wheels.glob("gankit-*.whl")
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(target),
         str(wheel)],
        check=True,
    )  # fmt: skip
    environment = {**os.environ, "PYTHONPATH": str(target)}
    from_wheel = (
        "import gankit, sys; assert gankit.__file__.startswith(sys.argv[1]), gankit.__file__; "
    )

    def python(code: str, *args: str) -> subprocess.CompletedProcess:
        """``code`` in a new process in ``work``, with gankit from the installed wheel."""
        return subprocess.run(
            [sys.executable, "-c", from_wheel + code, str(target), *args],
            cwd=work, env=environment, capture_output=True, text=True,
        )  # fmt: skip

    def cli(*command: str) -> None:
        done = python("from gankit.cli import main; main(sys.argv[2:])", *command)
        assert done.returncode == 0, (command, done.stderr)

    cli("train", "--config", "dcgan-digits", "--steps", "1", "--name", "wheel",
        "generator.width=8", "discriminator.width=8", "train.progress=false")  # fmt: skip
    run = work / "runs" / "dcgan" / "wheel"
    assert (run / "checkpoints" / "last.pt").is_file()
    environment["GANKIT_CACHE"] = str(tmp_path / "cache")  # the digits classifier, trained here
    cli("sample", str(run), "-n", "8", "--format", "npz", "--out", "samples.npz")
    cli("evaluate", str(run), "--features", "classifier", "--n", "64", "--metrics", "fid")
    cli("export", str(run), "--out", "export")
    assert (work / "samples.npz").is_file() and (run / "eval" / "1.json").is_file()
    loaded = python("print(tuple(gankit.load('export').sample(2, seed=0).shape))")
    assert loaded.returncode == 0 and loaded.stdout.strip() == "(2, 1, 32, 32)", loaded.stderr
    # a generator class of the user's own beside the stock discriminator, trained from Python;
    # then sampled, evaluated and exported by the CLI in new processes, found by its import path
    (work / "user_parts.py").write_text(
        "import math\nfrom torch import nn\n\n\nclass UserGenerator(nn.Module):\n"
        "    def __init__(self, z_dim, spec, hidden=8):\n        super().__init__()\n"
        "        self.shape = spec.shape\n"
        "        self.body = nn.Sequential(nn.Linear(z_dim, hidden), nn.ReLU(),\n"
        "                                  nn.Linear(hidden, math.prod(spec.shape)), nn.Tanh())\n\n"
        "    def forward(self, z):\n        return self.body(z.flatten(1)).view(-1, *self.shape)\n"
    )
    trained = python(
        "import user_parts; run = gankit.train(config='dcgan-digits', name='own', steps=1, "
        "generator=user_parts.UserGenerator, overrides=['discriminator.width=8', "
        "'train.progress=false']); print(type(run.generator).__name__)"
    )
    assert trained.returncode == 0 and trained.stdout.strip() == "UserGenerator", trained.stderr
    run = work / "runs" / "dcgan" / "own"
    cli("sample", str(run), "-n", "8", "--out", "own.png")
    cli("evaluate", str(run), "--features", "classifier", "--n", "64", "--metrics", "fid")
    cli("export", str(run), "--out", "own-export")
    assert (work / "own.png").is_file() and (run / "eval" / "1.json").is_file()
    loaded = python(  # the export alone, the run folder gone: the class comes from its import path
        "import shutil; shutil.rmtree('runs/dcgan/own'); run = gankit.load('own-export'); "
        "print(type(run.generator).__name__, tuple(run.sample(2, seed=0).shape))"
    )
    assert loaded.returncode == 0, loaded.stderr
    assert loaded.stdout.strip() == "UserGenerator (2, 1, 32, 32)"
