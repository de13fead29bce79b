import os
import pickle
import random
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pytest
import torch

from gankit.errors import CheckpointError
from gankit.training.checkpoint import (
    FORMAT,
    capture_rng,
    load_checkpoint,
    process_alive,
    remove_stale_temporaries,
    restore_rng,
    save_atomic,
)


def test_save_and_load_round_trip(tmp_path):
    state = {"format": FORMAT, "version": 1, "weights": torch.arange(3.0), "step": 7}
    save_atomic(state, tmp_path / "a" / "c.pt")
    loaded = load_checkpoint(tmp_path / "a" / "c.pt")
    assert loaded["step"] == 7 and torch.equal(loaded["weights"], torch.arange(3.0))
    assert [p.name for p in (tmp_path / "a").iterdir()] == ["c.pt"]  # no temp files left


class FailsToSave:
    def __reduce__(self):
        raise RuntimeError("disk full")


def test_failed_write_keeps_the_old_file(tmp_path):
    path = tmp_path / "c.pt"
    save_atomic({"format": FORMAT, "step": 1}, path)
    with pytest.raises(RuntimeError, match="disk full"):
        save_atomic({"format": FORMAT, "bad": FailsToSave()}, path)
    assert load_checkpoint(path)["step"] == 1
    assert [p.name for p in tmp_path.iterdir()] == ["c.pt"]


def test_truncated_file_names_the_alternatives(tmp_path):
    for name in ("step_000010.pt", "last.pt"):
        save_atomic({"format": FORMAT, "step": 10}, tmp_path / name)
    (tmp_path / "last.pt").write_bytes((tmp_path / "last.pt").read_bytes()[:50])
    with pytest.raises(CheckpointError, match="corrupt or truncated.*step_000010.pt"):
        load_checkpoint(tmp_path / "last.pt")


def test_code_in_a_checkpoint_is_never_run(tmp_path):
    marker = tmp_path / "pwned"

    class Evil:
        def __reduce__(self):
            return (open, (str(marker), "w"))

    torch.save({"format": FORMAT, "x": Evil()}, tmp_path / "evil.pt")
    with open(tmp_path / "raw.pt", "wb") as handle:  # a bare pickle, protocol 4: torch warns
        pickle.dump({"x": Evil()}, handle, protocol=4)
    for name in ("evil.pt", "raw.pt"):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            with pytest.raises(CheckpointError) as refused:
                load_checkpoint(tmp_path / name)
        assert str(refused.value) == (
            f"{str(tmp_path / name)!r} is not a gankit checkpoint (it holds objects other than "
            f"tensors and plain data); gankit never unpickles such files."
        )
    assert not marker.exists()


def test_stale_temporaries_are_removed_and_live_ones_kept(tmp_path):
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                              capture_output=True, text=True, check=True)  # fmt: skip
    dead, alive = int(finished.stdout), os.getppid()
    (tmp_path / f".last.pt.{dead}.tmp").write_bytes(b"half")
    (tmp_path / f".step_000010.pt.{os.getpid()}.tmp").write_bytes(b"half")  # an earlier us
    (tmp_path / f".last.pt.{alive}.tmp").write_bytes(b"being written")
    (tmp_path / "notes.tmp").write_text("not ours")
    removed = remove_stale_temporaries(tmp_path)
    assert len(removed) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == [f".last.pt.{alive}.tmp", "notes.tmp"]


def test_foreign_file_is_refused(tmp_path):
    torch.save({"something": 1}, tmp_path / "other.pt")
    with pytest.raises(CheckpointError, match="not a gankit checkpoint"):
        load_checkpoint(tmp_path / "other.pt")
    with pytest.raises(CheckpointError, match="does not exist"):
        load_checkpoint(tmp_path / "missing.pt")


def test_rng_state_round_trips_through_a_checkpoint(tmp_path):
    random.seed(1), np.random.seed(2), torch.manual_seed(3)
    np.random.randn()  # leave a cached Gaussian in NumPy's state
    save_atomic({"format": FORMAT, "rng": capture_rng()}, tmp_path / "r.pt")
    expected = (random.random(), np.random.randn(3).tolist(), torch.rand(3).tolist())
    random.seed(9), np.random.seed(9), torch.manual_seed(9)
    restore_rng(load_checkpoint(tmp_path / "r.pt")["rng"])
    assert (random.random(), np.random.randn(3).tolist(), torch.rand(3).tolist()) == expected


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="zombies are read from Linux's /proc")
def test_a_zombie_process_is_not_alive():
    child = subprocess.Popen([sys.executable, "-c", "pass"])  # not reaped until wait()
    try:
        deadline = time.time() + 30
        stat = Path(f"/proc/{child.pid}/stat")
        while stat.read_text().rsplit(")", 1)[1].split()[0] != "Z" and time.time() < deadline:
            time.sleep(0.01)
        assert not process_alive(child.pid)
    finally:
        child.wait()
    assert not process_alive(child.pid) and process_alive(os.getpid())
