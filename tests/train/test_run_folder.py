import pytest

from gankit.errors import RunFolderError
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


def test_remove_if_empty_keeps_written_runs(tmp_path):
    run, _ = RunFolder.create(tmp_path, "gan", "e")
    run.remove_if_empty()
    assert not run.path.exists()
    run, _ = RunFolder.create(tmp_path, "gan", "f")
    run.config_file.write_text("method: gan\n")
    run.remove_if_empty()
    assert run.path.exists()
