import random

import numpy as np
import pytest
import torch

from gankit.errors import CheckpointError
from gankit.train.checkpoint import (
    FORMAT,
    capture_rng,
    load_checkpoint,
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
    class Evil:
        def __reduce__(self):
            return (print, ("pwned",))

    torch.save({"format": FORMAT, "x": Evil()}, tmp_path / "evil.pt")
    with pytest.raises(CheckpointError):
        load_checkpoint(tmp_path / "evil.pt")


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
