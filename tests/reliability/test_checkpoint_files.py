"""Checkpoint files a user may meet: someone else's pickle, a truncated file, and a write killed
half-way."""

import os
import subprocess
import sys

import pytest
import torch

pytestmark = pytest.mark.usefixtures("one_thread")


class Payload:
    """Unpickling this creates ``path``: the test's proof that no code ran."""

    def __init__(self, path):
        self.path = str(path)

    def __reduce__(self):
        return (open, (self.path, "w"))


def test_a_malicious_checkpoint_is_refused_in_one_line(refused, tmp_path):
    run = tmp_path / "runs" / "dcgan" / "evil"
    (run / "checkpoints").mkdir(parents=True)
    (run / "config.yaml").write_text("method: dcgan\n")
    marker = tmp_path / "pwned"
    last = run / "checkpoints" / "last.pt"
    torch.save({"format": "gankit-checkpoint", "version": 1, "x": Payload(marker)}, last)
    for target in (run, last):
        message = refused("train", "--resume", target)
        assert message == (
            f"{str(last)!r} is not a gankit checkpoint (it holds objects other than tensors and "
            f"plain data); gankit never unpickles such files."
        )
    assert refused("sample", run).startswith(f"{str(last)!r} is not a gankit checkpoint")
    assert not marker.exists()


def dead_process_id() -> int:
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                              capture_output=True, text=True, check=True)  # fmt: skip
    return int(finished.stdout)


def test_a_write_killed_half_way_is_cleaned_at_the_next_start(cli, tiny_dcgan, tmp_path):
    assert cli("train", "dcgan", "--name", "k", "--steps", 1, *tiny_dcgan) == 0
    checkpoints = tmp_path / "runs" / "dcgan" / "k" / "checkpoints"
    stale = checkpoints / f".last.pt.{dead_process_id()}.tmp"
    stale.write_bytes(os.urandom(1024))  # what kill -9 during save_atomic leaves
    assert cli("train", "--resume", checkpoints.parent, "--steps", 2) == 0
    assert not stale.exists()
    assert torch.load(checkpoints / "last.pt", weights_only=True)["step"] == 2


def test_a_truncated_checkpoint_is_refused_naming_the_older_ones(cli, refused, tiny_dcgan,
                                                                 tmp_path):  # fmt: skip
    assert cli("train", "dcgan", "--name", "c", "--steps", 4, *tiny_dcgan,
               "train.checkpoint_every=2") == 0  # fmt: skip
    run = tmp_path / "runs" / "dcgan" / "c"
    last = run / "checkpoints" / "last.pt"
    last.write_bytes(last.read_bytes()[:100])
    before = {path: path.read_bytes() for path in run.rglob("*") if path.is_file()}
    message = refused("train", "--resume", run)
    assert "corrupt or truncated" in message and "step_000002.pt" in message
    assert {path: path.read_bytes() for path in run.rglob("*") if path.is_file()} == before
    # the older checkpoint it names resumes
    assert cli("train", "--resume", run / "checkpoints" / "step_000002.pt", "--steps", 3) == 0
