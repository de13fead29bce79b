import pytest

from gankit.errors import ConfigError, RunFolderError
from gankit.train.run_folder import RunFolder


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
