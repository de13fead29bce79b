"""Disk and permission faults: a failed checkpoint write keeps the previous one and says so in
one line; an output location that cannot be written is refused before training."""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest
import torch

from gankit.errors import CheckpointError
from gankit.training.checkpoint import save_atomic


@pytest.fixture
def small_disk(tmp_path):
    """A 2 MB tmpfs, where the test may mount one (root on Linux); skipped elsewhere."""
    if shutil.which("mount") is None:
        pytest.skip("no mount command here; the injected test runs")
    mount = tmp_path / f"disk-{uuid.uuid4().hex[:6]}"
    mount.mkdir()
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)],
                          capture_output=True, text=True)  # fmt: skip
    if made.returncode != 0:
        pytest.skip(
            f"cannot mount a small tmpfs here ({made.stderr.strip()}); the injected test runs"
        )
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=False)


def fill(folder: Path, leave: int) -> Path:
    """A file that takes all but ``leave`` bytes of ``folder``'s file system."""
    stats = os.statvfs(folder)
    filler = folder / "filler"
    with open(filler, "wb") as handle, contextlib.suppress(OSError):
        handle.write(b"\0" * max(0, stats.f_bavail * stats.f_frsize - leave))
    return filler


def test_a_full_disk_keeps_the_last_checkpoint_and_resume_continues(
    refused, cli, small_disk, tiny_dcgan
):
    overrides = [o for o in tiny_dcgan if not o.startswith("out=")] + [f"out={small_disk}"]
    assert (
        cli(
            "train", "dcgan", "--name", "full", "--steps", 1, "train.keep_checkpoints=0", *overrides
        )
        == 0
    )
    run = small_disk / "dcgan" / "full"
    before = (run / "checkpoints" / "last.pt").read_bytes()
    filler = fill(small_disk, leave=4096)
    line = refused("train", "--resume", run, "--steps", 2)
    # whichever write meets the full disk first (the config history, a log line, the checkpoint)
    assert line.startswith(f"Could not write to {run}: No space left on device")
    assert "Its last checkpoint is intact" in line and f"--resume {run}" in line
    assert (run / "checkpoints" / "last.pt").read_bytes() == before
    assert not list((run / "checkpoints").glob(".*.tmp"))
    filler.unlink()
    assert cli("train", "--resume", run, "--steps", 2) == 0
    assert torch.load(run / "checkpoints" / "last.pt", weights_only=True)["step"] == 2


def test_a_failed_write_is_one_error_and_leaves_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "last.pt"
    save_atomic({"step": 1}, path)
    real_open = open

    def failing_open(file, mode="r", *args, **kwargs):
        if str(file).endswith(".tmp") and "w" in mode:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_open(file, mode, *args, **kwargs)

    monkeypatch.setattr("builtins.open", failing_open)
    with pytest.raises(
        CheckpointError, match=r"No space left on device \(the previous last.pt is intact\)"
    ):
        save_atomic({"step": 2}, path)
    monkeypatch.undo()
    assert torch.load(path, weights_only=True)["step"] == 1
    assert [p.name for p in tmp_path.iterdir()] == ["last.pt"]


def test_an_output_path_under_a_file_is_refused_before_training(refused, tmp_path, tiny_dcgan):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    line = refused("train", "dcgan", "--out", blocker / "runs", "--steps", 1, *tiny_dcgan[:-1])
    assert f"{str(blocker)!r} is a file, not a folder" in line


def test_an_unwritable_output_folder_is_refused_before_training(
    refused, tmp_path, tiny_dcgan, monkeypatch
):
    out = tmp_path / "locked"
    out.mkdir()
    real_access = os.access
    # root may write anywhere, so the permission answer is what the test controls
    monkeypatch.setattr(
        os, "access", lambda p, mode: False if Path(p) == out else real_access(p, mode)
    )
    line = refused("train", "dcgan", "--out", out, "--steps", 1, *tiny_dcgan[:-1])
    assert f"{str(out)!r} is not writable by this user" in line
    assert not any(out.iterdir())
