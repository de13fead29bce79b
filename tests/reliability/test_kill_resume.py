"""kill -9 at five random moments, each followed by ``--resume``: the run ends as the one that
was never interrupted (every logged loss and every weight), and what was on disk at each kill
still loads."""

import json
import os
import random
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
FOREVER = "1000000"


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


def checkpoint_step(run: Path) -> int:
    last = run / "checkpoints" / "last.pt"
    return torch.load(last, weights_only=True)["step"] if last.exists() else 0


def kill_after(victim: subprocess.Popen, run: Path, step: int, delay: float) -> None:
    """SIGKILL ``victim`` ``delay`` seconds after its log first reaches ``step`` (with a
    checkpoint on disk, so there is something to resume from)."""
    deadline = time.time() + 300
    try:
        while time.time() < deadline:
            steps = [r["step"] for r in logged_steps(run / "metrics.jsonl")]
            if steps and steps[-1] >= step and (run / "checkpoints" / "last.pt").exists():
                time.sleep(delay)
                break
            time.sleep(0.002)
        else:
            raise AssertionError(f"the run never reached step {step}")
        victim.send_signal(signal.SIGKILL)
    finally:
        victim.kill()
        victim.wait()
    assert victim.returncode == -signal.SIGKILL


def test_five_kills_at_random_moments_resume_to_the_uninterrupted_run(tmp_path):
    rng = random.Random(21)
    out = str(tmp_path)
    run = tmp_path / "gan" / "killed"
    victim = gankit("train", *TOY, "--steps", FOREVER, "--out", out, "--name", "killed")
    lost_work = 0
    for _ in range(5):
        # somewhere in the next two checkpoint intervals, at a random instant within a step
        kill_after(victim, run, checkpoint_step(run) + rng.randint(1, 40), rng.uniform(0, 0.02))
        stopped_at = checkpoint_step(run)  # last.pt is whole and loads
        lost_work += max(r["step"] for r in logged_steps(run / "metrics.jsonl")) > stopped_at
        victim = gankit("train", "--resume", str(run), "--steps", FOREVER)
    kill_after(victim, run, checkpoint_step(run) + 1, 0.0)
    assert lost_work  # some kills really lost logged steps with the process
    total = checkpoint_step(run) + 30

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
    assert not list((run / "checkpoints").glob(".*.tmp"))  # half-written files were cleared
