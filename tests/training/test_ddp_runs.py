"""Real 2-process runs under torchrun (gloo on the CPU): same weights on both ranks, rank 0 alone
writes, a killed run resumes exactly, and a method that bypasses DDP is caught."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

from gankit.runs.launch import load_trained
from gankit.training.distributed import weights_fingerprint

SRC = Path(__file__).resolve().parents[2] / "src"
# A worker that crashes in C++ prints its Python stack (faulthandler) into the test's output.
ENV = {**os.environ, "PYTHONPATH": str(SRC), "OMP_NUM_THREADS": "1", "PYTHONFAULTHANDLER": "1"}

# Wasserstein loss with a gradient penalty (double backward through DDP), two optimizers and
# n_critic = 2 (the generator's update skips the frozen critic's gradient sync).
TOY = [
    "gan",
    "--data",
    "ring8",
    "loss=wasserstein",
    "regularizers=[gradient_penalty]",
    "train.n_critic=2",
    "z_dim=2",
    "generator.hidden=[32,32]",
    "discriminator.hidden=[32,32]",
    "data.batch_size=32",
    "data.options.n_samples=1000",
    "train.log_every=1",
    "train.sample_every=1000000",
    "train.tensorboard=false",
    "train.progress=false",
]


def torchrun(*args, **kwargs):
    """``python -m torch.distributed.run --nproc_per_node=2 -m gankit ARGS`` on a free port."""
    env = ENV
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2"]
    command += ["-m", "gankit", *map(str, args)]
    return subprocess.Popen(command, env=env, **kwargs)


def records(run: Path) -> list[dict]:
    path = run / "metrics.jsonl"
    if not path.exists():
        return []
    lines = []
    for line in path.read_text().splitlines():
        try:
            lines.append(json.loads(line))
        except json.JSONDecodeError:
            break  # a line being written
    return lines


def test_two_processes_end_with_the_same_weights_and_one_set_of_files(tmp_path):
    job = torchrun("train", *TOY, "--steps", "24", "train.checkpoint_every=12",
                   "--out", tmp_path, "--name", "ddp", stdout=subprocess.PIPE, text=True)  # fmt: skip
    out, _ = job.communicate(timeout=300)
    assert job.returncode == 0
    assert out.count("Run finished") == 1  # rank 0 alone reports
    run = tmp_path / "gan" / "ddp"
    state = torch.load(run / "checkpoints" / "last.pt", weights_only=True)
    ranks = state["ranks"]
    assert ranks["world_size"] == 2
    # Each rank fingerprinted its own weights at the checkpoint: equal, and equal to the saved.
    method, _, _ = load_trained(run)
    assert ranks["weights"] == [weights_fingerprint(method.nets)] * 2
    assert not torch.equal(ranks["rng"][0]["torch"], ranks["rng"][1]["torch"])  # own noise
    # 1000 points, 500 per rank: 15 batches of 32 per epoch, 2 per step -> step 24 is epoch 3.
    assert state["data"] == {"epoch": 3, "index": 3}
    assert [r["step"] for r in records(run)] == list(range(1, 25))  # one writer
    env = json.loads((run / "env.json").read_text())
    assert env["distributed"]["world_size"] == 2 and env["distributed"]["backend"] == "gloo"
    assert sorted(p.name for p in (run / "checkpoints").iterdir()) == [
        "last.pt",
        "step_000012.pt",
        "step_000024.pt",
    ]


def worker_pids(parent: int) -> list[int]:
    """The processes whose parent is ``parent`` (torchrun's workers)."""
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # gone meanwhile
        if int(fields[1]) == parent:
            pids.append(int(stat.parent.name))
    return pids


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


@pytest.mark.slow
def test_a_killed_two_process_run_resumes_to_the_same_losses_and_weights(tmp_path):
    victim = torchrun("train", *TOY, "--steps", "100000", "train.checkpoint_every=20",
                      "--out", tmp_path, "--name", "killed")  # fmt: skip
    run = tmp_path / "gan" / "killed"
    deadline = time.time() + 240
    try:
        while time.time() < deadline:  # kill between checkpoints, like a crashed node
            steps = [r["step"] for r in records(run)]
            if run.joinpath("checkpoints", "step_000040.pt").exists() and steps[-1] % 20 > 3:
                break
            time.sleep(0.005)
        else:
            raise AssertionError("the run never reached its second checkpoint")
        workers = worker_pids(victim.pid)
        assert len(workers) == 2
        for pid in workers:  # both ranks die at once, then torchrun
            os.kill(pid, signal.SIGKILL)
    finally:
        victim.kill()
        victim.wait()
    while any(alive(pid) for pid in workers):
        time.sleep(0.01)

    stopped_at = torch.load(run / "checkpoints" / "last.pt", weights_only=True)["step"]
    assert max(r["step"] for r in records(run)) > stopped_at  # logged work was lost
    total = stopped_at + 12
    resumed = torchrun("train", "--resume", run, "--steps", total)
    whole = torchrun("train", *TOY, "--steps", total, "train.checkpoint_every=20",
                     "--out", tmp_path, "--name", "whole")  # fmt: skip
    assert resumed.wait(timeout=300) == 0 and whole.wait(timeout=300) == 0

    def losses(name):
        return [
            {k: v for k, v in r.items() if k != "time"} for r in records(tmp_path / "gan" / name)
        ]

    assert [r["step"] for r in losses("killed")] == list(range(1, total + 1))
    assert losses("killed") == losses("whole")
    a = torch.load(run / "checkpoints" / "last.pt", weights_only=True)
    b = torch.load(tmp_path / "gan" / "whole" / "checkpoints" / "last.pt", weights_only=True)
    assert a["ranks"]["weights"] == b["ranks"]["weights"]
    for net, weights in b["method_state"]["nets"].items():
        for key, value in weights.items():
            assert torch.equal(a["method_state"]["nets"][net][key], value), (net, key)


def faulty_job(method: str, out: Path) -> subprocess.CompletedProcess:
    script = Path(__file__).with_name("ddp_faulty_methods.py")
    env = ENV
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2"]
    return subprocess.run(
        [*command, script, method, out], env=env, capture_output=True, text=True, timeout=300
    )


@pytest.mark.slow
def test_ranks_that_drift_apart_stop_before_the_checkpoint(tmp_path):
    job = faulty_job("bypassing-gan", tmp_path)
    assert job.returncode != 0
    assert job.stderr.count("the processes hold different weights") == 2  # both ranks stop
    assert "through `self.nets` inside train_step" in job.stderr
    assert not (tmp_path / "bypassing-gan" / "faulty" / "checkpoints" / "last.pt").exists()


@pytest.mark.slow
def test_a_nan_on_one_rank_stops_every_rank_at_the_same_step(tmp_path):
    job = faulty_job("rank1-nan-gan", tmp_path)
    assert job.returncode != 0
    assert job.stderr.count("Training diverged at step 5") == 2
    state = torch.load(
        tmp_path / "rank1-nan-gan" / "faulty" / "checkpoints" / "last.pt", weights_only=True
    )
    assert state["step"] == 4  # the last good checkpoint is kept


@pytest.mark.slow
def test_ctrl_c_to_torchrun_checkpoints_on_every_rank_at_one_step(tmp_path):
    job = torchrun("train", *TOY, "--steps", "100000", "train.checkpoint_every=100000",
                   "--out", tmp_path, "--name", "stopped", stderr=subprocess.PIPE, text=True)  # fmt: skip
    run = tmp_path / "gan" / "stopped"
    deadline = time.time() + 240
    while time.time() < deadline and len(records(run)) < 10:
        time.sleep(0.01)
    job.send_signal(signal.SIGINT)  # what a Ctrl-C in the terminal sends torchrun
    _, err = job.communicate(timeout=120)
    assert err.count("a checkpoint was written") == 2
    state = torch.load(run / "checkpoints" / "last.pt", weights_only=True)
    assert state["step"] == records(run)[-1]["step"]  # nothing trained past the checkpoint
    assert len(set(state["ranks"]["weights"])) == 1


@pytest.mark.slow
def test_an_error_on_rank_0_reaches_every_rank(tmp_path):
    (tmp_path / "gan" / "taken").mkdir(parents=True)
    job = torchrun("train", *TOY, "--out", tmp_path, "--name", "taken", stderr=subprocess.PIPE,
                   text=True)  # fmt: skip
    _, err = job.communicate(timeout=300)
    assert job.returncode != 0
    assert "error: Run folder" in err and "error: Rank 0 stopped: Run folder" in err
