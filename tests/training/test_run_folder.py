import json
import os
import socket
import subprocess
import sys

import pytest

from gankit.errors import ConfigError, RunFolderError
from gankit.training.run_folder import RunFolder


def test_create_refuses_an_existing_name(tmp_path):
    RunFolder.create(tmp_path, "dcgan", "x")
    with pytest.raises(RunFolderError, match="already exists.*--resume"):
        RunFolder.create(tmp_path, "dcgan", "x")


def test_unnamed_runs_never_collide(tmp_path):
    names = {RunFolder.create(tmp_path, "gan", None)[1] for _ in range(3)}
    assert len(names) == 3


def test_numbered_checkpoints_are_pruned_to_keep(tmp_path):
    run, _ = RunFolder.create(tmp_path, "gan", "k")
    for step in (10, 20, 30, 40):
        run.save_checkpoint({"format": "gankit-checkpoint", "step": step}, step, True, keep=2)
    assert [p.name for p in run.numbered_checkpoints()] == ["step_000030.pt", "step_000040.pt"]
    assert run.last_checkpoint().exists()


def test_open_requires_a_run(tmp_path):
    with pytest.raises(RunFolderError, match="not a gankit run folder"):
        RunFolder.open(tmp_path)


def test_a_run_without_a_checkpoint_is_discarded_and_one_with_a_checkpoint_kept(tmp_path):
    run, _ = RunFolder.create(tmp_path, "gan", "e")
    run.config_file.write_text("method: gan\n")  # written at start, before any checkpoint
    (run.samples / "step_000000.png").write_bytes(b"png")
    assert run.discard_unless_checkpointed() and not run.path.exists()
    RunFolder.create(tmp_path, "gan", "e")  # the name is free again
    run, _ = RunFolder.create(tmp_path, "gan", "f")
    run.save_checkpoint({"format": "gankit-checkpoint", "step": 1}, 1, False, keep=3)
    assert not run.discard_unless_checkpointed() and run.last_checkpoint().exists()


def test_keep_zero_writes_no_numbered_checkpoints(tmp_path):
    run, _ = RunFolder.create(tmp_path, "gan", "k0")
    for step in (10, 20):
        run.save_checkpoint({"format": "gankit-checkpoint", "step": step}, step, True, keep=0)
    assert run.numbered_checkpoints() == [] and run.last_checkpoint().exists()


@pytest.mark.parametrize("name", ["../escape", "a/b", "a\\b", "..", ".", ""])
def test_create_refuses_names_that_are_not_one_folder(tmp_path, name):
    with pytest.raises(ConfigError, match="not a plain folder name"):
        RunFolder.create(tmp_path / "runs", "gan", name)
    assert list(tmp_path.iterdir()) == []


def test_the_lock_is_one_holder_at_a_time_and_goes_with_it(tmp_path):
    run, _ = RunFolder.create(tmp_path, "gan", "l")
    with run.lock():
        holder = json.loads(run.lock_file.read_text())
        assert holder["pid"] == os.getpid() and holder["host"] == socket.gethostname()
        with pytest.raises(RunFolderError, match=f"being trained by process {os.getpid()}"):
            run.lock().acquire()
        assert run.lock_file.exists()  # the refused one did not remove the holder's lock
    assert not run.lock_file.exists()
    with run.lock():  # free again
        pass


def test_a_stale_lock_is_taken_over_and_a_foreign_or_unreadable_one_refused(tmp_path, capsys):
    run, _ = RunFolder.create(tmp_path, "gan", "s")
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                              capture_output=True, text=True, check=True)  # fmt: skip
    dead = int(finished.stdout)
    run.lock_file.write_text(json.dumps({"pid": dead, "host": socket.gethostname()}))
    with run.lock():
        assert json.loads(run.lock_file.read_text())["pid"] == os.getpid()
    assert f"from process {dead}, which stopped without removing it" in capsys.readouterr().err
    assert sorted(p.name for p in run.path.iterdir()) == ["checkpoints", "samples"]
    run.lock_file.write_text(json.dumps({"pid": dead, "host": "elsewhere.example"}))
    with pytest.raises(RunFolderError, match="on host elsewhere.example .* delete"):
        run.lock().acquire()
    run.lock_file.write_text("")  # killed between creating the file and writing it
    with pytest.raises(RunFolderError, match="which gankit cannot read"):
        run.lock().acquire()


def test_release_leaves_a_lock_that_is_not_its_own(tmp_path):
    run, _ = RunFolder.create(tmp_path, "gan", "o")
    lock = run.lock()
    lock.acquire()
    run.lock_file.write_text('{"pid": 1, "host": "another"}\n')  # e.g. deleted and retaken
    lock.release()
    assert run.lock_file.exists()


def test_config_history_round_trips_and_survives_a_line_cut_short(tmp_path):
    run, _ = RunFolder.create(tmp_path, "gan", "h")
    assert run.config_history() == []
    run.record_config_change(4, {"train.steps": (4, 8)})
    with open(run.config_history_file, "a") as handle:
        handle.write('{"step": 8, "chan')  # a kill in the middle of a write
    run.record_config_change(8, {"optim.generator.lr": (2e-4, 1e-3)})
    events = run.config_history()
    assert [e["step"] for e in events] == [4, 8]
    assert events[0]["changes"] == {"train.steps": {"from": 4, "to": 8}}
    assert events[1]["changes"] == {"optim.generator.lr": {"from": 2e-4, "to": 1e-3}}
