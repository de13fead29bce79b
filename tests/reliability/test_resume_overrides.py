"""A resume is honest: what it may not change is refused, what it changes takes effect and is
recorded, and a config.yaml edited by hand is never silently ignored (issue 21, item 2)."""

import json

import pytest
import torch
import yaml

from gankit.training.logger import read_metrics
from gankit.training.run_folder import RunFolder
from gankit.training.trainer import Trainer

pytestmark = pytest.mark.usefixtures("one_thread")


def files_of(run):
    """Every file of a run with its bytes, TensorBoard's event files aside (they are appended)."""
    return {
        str(p.relative_to(run)): p.read_bytes()
        for p in sorted(run.rglob("*"))
        if p.is_file() and "tensorboard" not in p.parts
    }


@pytest.fixture
def trained(cli, tiny_dcgan, tmp_path):
    """A finished 6-step run: its folder."""
    assert cli("train", "dcgan", "--name", "r", "--steps", 6, *tiny_dcgan) == 0
    return tmp_path / "runs" / "dcgan" / "r"


def test_an_override_that_changes_the_network_is_refused_in_one_line(refused, trained):
    before = files_of(trained)
    message = refused("train", "--resume", trained, "--steps", 8, "generator.width=16")
    assert message.startswith(
        f"generator.width=16 would change what run {trained} trains (it was started with "
        f"generator.width=8)"
    )
    assert message.endswith("Start a new run for it, or resume without it.")
    assert files_of(trained) == before  # nothing written, no lock left behind


@pytest.mark.parametrize("override", ["loss=hinge", "seed=3", "data.name=ring8",
                                      "optim.generator.betas=[0.0, 0.9]", "train.n_critic=2"])  # fmt: skip
def test_other_changes_outside_the_allow_list_are_refused(refused, trained, override):
    key = override.split("=")[0]
    assert refused("train", "--resume", trained, override).startswith(f"{key}=")


def test_values_the_run_already_has_are_no_change(cli, trained, tiny_dcgan):
    """A sweep resumes its runs with all their settings again: that is no change at all."""
    assert cli("train", "--resume", trained, "--steps", 6, *tiny_dcgan) == 0
    assert not (trained / "config_history.jsonl").exists()


def test_a_learning_rate_override_reaches_the_optimizer_the_log_and_the_schedule(
    cli, tiny_dcgan, tmp_path
):
    schedule = ["train.lr_decay=linear", "train.log_every=1", "train.checkpoint_every=100"]
    assert cli("train", "dcgan", "--name", "lr", "--steps", 4, *tiny_dcgan, *schedule) == 0
    run = tmp_path / "runs" / "dcgan" / "lr"
    started = yaml.safe_load((run / "config.yaml").read_text())
    assert cli("train", "--resume", run, "--steps", 8, "optim.generator.lr=0.001") == 0

    # The schedule decays linearly to 0 at the (new) last step, from the new base rate.
    records = {r["step"]: r for r in read_metrics(RunFolder(run))}
    for step in (5, 6, 7, 8):
        factor = 1 - step / 8
        assert records[step]["lr_generator"] == pytest.approx(1e-3 * factor)
        assert records[step]["lr_discriminator"] == pytest.approx(2e-4 * factor)
    state = torch.load(run / "checkpoints" / "last.pt", weights_only=True)
    assert state["schedulers"]["generator"]["base_lrs"] == [1e-3]
    assert state["method_state"]["optimizers"]["generator"]["param_groups"][0]["initial_lr"] == 1e-3
    assert state["config"]["optim"]["generator"]["lr"] == 1e-3

    # config.yaml is the config the run trains with now; the history keeps the old values.
    now = yaml.safe_load((run / "config.yaml").read_text())
    assert now["optim"]["generator"]["lr"] == 1e-3 and now["train"]["steps"] == 8
    lines = (run / "config_history.jsonl").read_text().splitlines()
    assert len(lines) == 1
    event = json.loads(lines[0])
    assert event["step"] == 4 and event["changes"] == {
        "train.steps": {"from": 4, "to": 8},
        "optim.generator.lr": {"from": 2e-4, "to": 1e-3},
    }
    for key, change in event["changes"].items():  # undone, the changes give the start config
        section, name = key.rsplit(".", 1)
        node = now
        for part in section.split("."):
            node = node[part]
        node[name] = change["from"]
    assert now == started


def test_steps_below_the_step_reached_are_refused(refused, trained):
    before = files_of(trained)
    message = refused("train", "--resume", trained, "--steps", 3)
    assert message.startswith(f"train.steps=3 is below step 6, which run {trained} has reached")
    assert files_of(trained) == before


def test_steps_below_the_step_reached_are_refused_before_the_data_is_read(refused, trained,
                                                                          monkeypatch):  # fmt: skip
    def unread(cfg):
        raise AssertionError("the data was read")

    monkeypatch.setattr("gankit.runs.launch.build_dataset", unread)
    message = refused("train", "--resume", trained, "--steps", 3)
    assert message.startswith("train.steps=3 is below step 6")


def test_an_edited_config_yaml_is_refused_with_the_override_to_use(refused, trained):
    config_file = trained / "config.yaml"
    data = yaml.safe_load(config_file.read_text())
    data["train"]["steps"] = 9
    config_file.write_text(yaml.safe_dump(data, sort_keys=False))
    before = files_of(trained)
    message = refused("train", "--resume", trained)
    assert message == (
        f"{config_file} was edited (train.steps: 6 in the run, 9 in the file), and a resume does "
        f"not read it. Put train.steps: 6 back, then resume with `gankit train --resume "
        f"{trained} train.steps=9`."
    )
    assert files_of(trained) == before


def test_an_edit_that_no_resume_may_make_points_to_a_new_run(refused, trained):
    config_file = trained / "config.yaml"
    config_file.write_text(config_file.read_text().replace("width: 8", "width: 16", 1))
    message = refused("train", "--resume", trained)
    assert "(generator.width: 8 in the run, 16 in the file)" in message
    assert message.endswith(f"`gankit train --config {config_file} --name NEW generator.width=16`.")


def test_a_config_yaml_that_no_longer_parses_is_refused_in_one_line(refused, trained):
    (trained / "config.yaml").write_text("train: [steps: 6\n")
    message = refused("train", "--resume", trained)
    assert "was edited and no longer reads as the run's config" in message


def test_a_resume_stopped_before_its_first_checkpoint_is_no_edit(cli, trained, monkeypatch):
    """config.yaml got the new rate, last.pt still has the old: the history says which is which."""

    def dies_at_once(self):
        raise KeyboardInterrupt

    with monkeypatch.context() as patch:
        patch.setattr(Trainer, "fit", dies_at_once)
        assert cli("train", "--resume", trained, "--steps", 8, "optim.generator.lr=0.001") == 130
    assert torch.load(trained / "checkpoints" / "last.pt", weights_only=True)["step"] == 6
    assert cli("train", "--resume", trained, "--steps", 7) == 0  # back to the checkpoint's rate
    events = [json.loads(line) for line in (trained / "config_history.jsonl").open()]
    assert [e["changes"]["optim.generator.lr"] for e in events] == [
        {"from": 2e-4, "to": 1e-3},
        {"from": 1e-3, "to": 2e-4},
    ]
    assert yaml.safe_load((trained / "config.yaml").read_text())["optim"]["generator"]["lr"] == 2e-4
    assert cli("train", "--resume", trained, "--steps", 8) == 0  # and the run goes on as recorded
