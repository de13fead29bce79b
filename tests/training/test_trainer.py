import json
import os
import signal

import pytest
import torch

from gankit.data import build_dataset
from gankit.errors import TrainingDiverged, TrainingInterrupted
from gankit.methods import METHODS
from gankit.methods.gan import GAN
from gankit.runs.launch import resolve_config, resume, start
from gankit.training.logger import read_metrics
from gankit.training.run_folder import RunFolder
from gankit.training.trainer import Trainer


def without_time(records):
    return [{k: v for k, v in r.items() if k != "time"} for r in records]


def run(overrides, name="r"):
    return start(resolve_config("dcgan", None, [*overrides, f"name={name}"]))


def test_run_folder_holds_everything(tiny_dcgan):
    folder = run(
        [
            *tiny_dcgan,
            "train.steps=12",
            "train.log_every=2",
            "train.sample_every=5",
            "train.checkpoint_every=4",
            "train.keep_checkpoints=2",
        ]
    )
    assert folder.path.name == "r" and folder.path.parent.name == "dcgan"
    assert resolve_config(None, folder.config_file).train.steps == 12
    env = json.loads(folder.env_file.read_text())
    assert {"torch", "python", "device", "git_commit"} <= set(env)
    names = sorted(p.name for p in folder.checkpoints.iterdir())
    assert names == ["last.pt", "step_000008.pt", "step_000012.pt"]  # newest 2 kept
    samples = sorted(p.name for p in folder.samples.iterdir())
    assert samples == ["step_000000.png", "step_000005.png", "step_000010.png", "step_000012.png"]
    records = read_metrics(folder)
    assert [r["step"] for r in records if "g_loss" in r] == [2, 4, 6, 8, 10, 12]
    assert folder.losses_plot.stat().st_size > 1000
    assert any(folder.tensorboard.glob("events.out.tfevents.*"))


def test_checkpoint_loads_without_unpickling_code(tiny_dcgan):
    folder = run([*tiny_dcgan, "train.steps=2"])
    state = torch.load(folder.last_checkpoint(), weights_only=True)
    assert state["step"] == 2 and state["method"] == "dcgan"
    assert "generator" in state["method_state"]["nets"]


def test_same_seed_same_run(tiny_dcgan):
    a = run([*tiny_dcgan, "train.steps=6", "train.log_every=1"], "a")
    b = run([*tiny_dcgan, "train.steps=6", "train.log_every=1"], "b")
    assert without_time(read_metrics(a)) == without_time(read_metrics(b))
    c = run([*tiny_dcgan, "train.steps=6", "train.log_every=1", "seed=1"], "c")
    assert without_time(read_metrics(a)) != without_time(read_metrics(c))


@pytest.mark.parametrize(
    "options",
    [[], ["train.fast=true"], ["regularizers=[spectral_norm]"]],
    ids=["fp32", "fast", "spectral-norm-per-update"],
)
def test_resume_continues_exactly(tiny_dcgan, options):
    common = [*tiny_dcgan, *options, "train.log_every=1", "train.checkpoint_every=100"]
    whole = run([*common, "train.steps=10"], "whole")
    half = run([*common, "train.steps=5"], "half")
    resume(half.path, ["train.steps=10"])
    assert without_time(read_metrics(half)) == without_time(read_metrics(whole))
    a = torch.load(whole.last_checkpoint(), weights_only=True)["method_state"]
    b = torch.load(half.last_checkpoint(), weights_only=True)["method_state"]
    for net in a["nets"]:
        for key in a["nets"][net]:
            assert torch.equal(a["nets"][net][key], b["nets"][net][key]), (net, key)
    assert resolve_config(None, half.config_file).train.steps == 10


def test_nan_stops_the_run_and_keeps_the_last_good_checkpoint(tiny_dcgan, monkeypatch):
    original = GAN.train_step
    calls = {"n": 0}

    def poisoned(self, batch, update_generator):
        logs = original(self, batch, update_generator)
        calls["n"] += 1
        if calls["n"] >= 7:
            logs["g_loss"] = torch.tensor(float("nan"))
        return logs

    monkeypatch.setattr(GAN, "train_step", poisoned)
    with pytest.raises(TrainingDiverged) as caught:
        run([*tiny_dcgan, "train.steps=20", "train.log_every=1", "train.checkpoint_every=5"])
    message = str(caught.value)
    assert "step 7" in message and "step 5" in message and "--resume" in message
    folder = tiny_dcgan[-1].split("=", 1)[1] + "/dcgan/r"
    state = torch.load(f"{folder}/checkpoints/last.pt", weights_only=True)
    assert state["step"] == 5


def test_ctrl_c_checkpoints_and_resume_finishes(tiny_dcgan, monkeypatch):
    original = GAN.train_step
    calls = {"n": 0}

    def interrupting(self, batch, update_generator):
        calls["n"] += 1
        if calls["n"] == 3:
            os.kill(os.getpid(), signal.SIGINT)
        return original(self, batch, update_generator)

    monkeypatch.setattr(GAN, "train_step", interrupting)
    with pytest.raises(TrainingInterrupted, match="gankit train --resume"):
        run([*tiny_dcgan, "train.steps=8", "train.checkpoint_every=100"])
    folder = tiny_dcgan[-1].split("=", 1)[1] + "/dcgan/r"
    assert torch.load(f"{folder}/checkpoints/last.pt", weights_only=True)["step"] == 3
    resume(folder)
    assert torch.load(f"{folder}/checkpoints/last.pt", weights_only=True)["step"] == 8


def test_n_critic_takes_that_many_batches_per_step(tiny_dcgan, monkeypatch):
    flags = []
    original = GAN.train_step

    def recording(self, batch, update_generator):
        flags.append(update_generator)
        return original(self, batch, update_generator)

    monkeypatch.setattr(GAN, "train_step", recording)
    run([*tiny_dcgan, "train.steps=2", "train.n_critic=3"])
    assert flags == [False, False, True, False, False, True]


def test_linear_decay_reaches_zero_and_ema_is_saved(tiny_dcgan):
    folder = run(
        [
            *tiny_dcgan,
            "train.steps=10",
            "train.log_every=1",
            "train.lr_decay=linear",
            "train.lr_decay_start=4",
            "train.ema.enabled=true",
            "train.ema.decay=0.9",
        ]
    )
    lrs = [r["lr_generator"] for r in read_metrics(folder)]
    assert lrs[:3] == [2e-4] * 3 and lrs[-1] == 0.0
    assert all(a >= b for a, b in zip(lrs, lrs[1:]))
    state = torch.load(folder.last_checkpoint(), weights_only=True)
    live, ema = state["method_state"]["nets"]["generator"], state["ema"]
    assert set(ema) == set(live)
    assert any(not torch.equal(ema[k], live[k]) for k in live if live[k].is_floating_point())


def test_epochs_set_the_number_of_steps(tiny_dcgan):
    # 1797 digits // 16 = 112 batches per epoch; 0.1 epoch with n_critic 2 -> ceil(11.2 / 2) = 6
    folder = run([*tiny_dcgan, "train.epochs=0.1", "train.n_critic=2"])
    assert torch.load(folder.last_checkpoint(), weights_only=True)["step"] == 6


def test_a_resumed_trainer_takes_its_configs_learning_rates_at_the_schedules_step(tiny_dcgan):
    schedule = [*tiny_dcgan, "train.lr_decay=linear", "train.checkpoint_every=100"]
    state = torch.load(run([*schedule, "train.steps=4"]).last_checkpoint(), weights_only=True)
    cfg = resolve_config("dcgan", None, [*schedule, "train.steps=8", "optim.generator.lr=1e-3"])
    dataset = build_dataset(cfg.data)
    method = METHODS.get("dcgan")(cfg, dataset.spec, "cpu")
    method.use_dataset(dataset)
    trainer = Trainer(cfg, method, dataset, RunFolder(cfg.out))
    trainer.load_state_dict(state)  # the optimizers and schedules of a run at step 4 of 4
    generator, discriminator = (method.optimizers[k].param_groups[0] for k in ("generator",
                                                                               "discriminator"))  # fmt: skip
    assert generator["lr"] == pytest.approx(1e-3 * (1 - 4 / 8))  # not 0: the old run's last step
    assert discriminator["lr"] == pytest.approx(2e-4 * (1 - 4 / 8))
    assert trainer.schedulers["generator"].base_lrs == [1e-3] and generator["initial_lr"] == 1e-3
    trainer.schedulers["generator"].step()
    assert generator["lr"] == pytest.approx(1e-3 * (1 - 5 / 8))
    assert trainer.schedulers["generator"].get_last_lr() == [generator["lr"]]
