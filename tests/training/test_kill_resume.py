"""Acceptance: N steps, SIGKILL, resume to 2N == 2N steps in one go (losses and weights)."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import torch

TOY = [
    "gan",
    "--data",
    "ring8",
    "z_dim=2",
    "generator.hidden=[32,32]",
    "discriminator.hidden=[32,32]",
    "data.batch_size=64",
    "data.options.n_samples=2000",
    "train.log_every=1",
    "train.checkpoint_every=20",
    "train.sample_every=1000000",
    "train.tensorboard=false",
    "train.progress=false",
]


def gankit(*args, **kwargs):
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2] / "src")}
    return subprocess.Popen([sys.executable, "-m", "gankit", *args], env=env, **kwargs)


def logged_steps(metrics: Path) -> list[dict]:
    if not metrics.exists():
        return []
    records = []
    for line in metrics.read_text().splitlines():
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:
            break  # a line being written
    return records


def test_killed_run_resumes_to_the_same_losses_and_weights(tmp_path):
    out = str(tmp_path)
    victim = gankit("train", *TOY, "--steps", "1000000", "--out", out, "--name", "killed")
    run = tmp_path / "gan" / "killed"
    deadline = time.time() + 120
    try:
        # Kill between checkpoints: after one was written and a few more steps were logged.
        while time.time() < deadline:
            steps = [r["step"] for r in logged_steps(run / "metrics.jsonl")]
            if (
                (run / "checkpoints" / "last.pt").exists()
                and steps
                and steps[-1] >= 45
                and steps[-1] % 20 > 3
            ):
                break
            time.sleep(0.005)
        else:
            raise AssertionError("the run never reached its second checkpoint")
        victim.send_signal(signal.SIGKILL)
    finally:
        victim.kill()
        victim.wait()
    assert victim.returncode == -signal.SIGKILL

    stopped_at = torch.load(run / "checkpoints" / "last.pt", weights_only=True)["step"]
    lost = max(r["step"] for r in logged_steps(run / "metrics.jsonl"))
    assert lost > stopped_at  # some logged work was really lost with the process
    total = stopped_at + 30

    assert gankit("train", "--resume", str(run), "--steps", str(total)).wait() == 0
    assert gankit("train", *TOY, "--steps", str(total), "--out", out, "--name", "whole").wait() == 0

    def losses(name):
        return [
            {k: v for k, v in r.items() if k != "time"}
            for r in logged_steps(tmp_path / "gan" / name / "metrics.jsonl")
        ]

    resumed, whole = losses("killed"), losses("whole")
    assert [r["step"] for r in resumed] == list(range(1, total + 1))
    assert resumed == whole
    a = torch.load(run / "checkpoints" / "last.pt", weights_only=True)
    b = torch.load(tmp_path / "gan" / "whole" / "checkpoints" / "last.pt", weights_only=True)
    for net, weights in b["method_state"]["nets"].items():
        for key, value in weights.items():
            assert torch.equal(a["method_state"]["nets"][net][key], value), (net, key)
