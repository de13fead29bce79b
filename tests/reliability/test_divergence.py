"""Divergence beyond NaN: a loss that explodes without reaching inf stops the run too."""

import pytest
import torch

from gankit.errors import TrainingDiverged
from gankit.methods.gan import GAN
from gankit.runs.launch import resolve_config, start

pytestmark = pytest.mark.usefixtures("one_thread")


def explode_from_call(monkeypatch, call: int, value: float = 1e9) -> None:
    original, calls = GAN.train_step, {"n": 0}

    def exploding(self, batch, update_generator):
        logs = original(self, batch, update_generator)
        calls["n"] += 1
        if calls["n"] >= call:
            logs["g_loss"] = torch.tensor(value)
        return logs

    monkeypatch.setattr(GAN, "train_step", exploding)


def train(tiny_dcgan, *overrides):
    common = ["train.steps=12", "train.log_every=1", "train.checkpoint_every=5", "name=r"]
    return start(resolve_config("dcgan", None, [*tiny_dcgan, *common, *overrides]))


def test_a_finite_loss_above_the_bound_stops_and_keeps_the_last_good_checkpoint(
    tiny_dcgan, monkeypatch, tmp_path
):
    explode_from_call(monkeypatch, 7)
    with pytest.raises(TrainingDiverged) as caught:
        train(tiny_dcgan)
    message = str(caught.value)
    assert "step 7" in message and "train.max_loss=1e+06" in message and "step 5" in message
    state = torch.load(tmp_path / "runs/dcgan/r/checkpoints/last.pt", weights_only=True)
    assert state["step"] == 5


def test_the_bound_is_configurable_and_can_be_switched_off(tiny_dcgan, monkeypatch):
    explode_from_call(monkeypatch, 7)
    run = train(tiny_dcgan, "train.max_loss=null")
    assert torch.load(run.last_checkpoint(), weights_only=True)["step"] == 12


def test_exploding_learning_rates_are_refused_in_one_line(refused, tiny_dcgan, tmp_path):
    message = refused("train", "dcgan", "--name", "huge", "--steps", 30, *tiny_dcgan,
                      "train.log_every=1", "optim.generator.lr=1e6",
                      "optim.discriminator.lr=1e6")  # fmt: skip
    assert message.startswith("Training diverged at step")


def test_a_bound_must_be_above_zero(refused, tiny_dcgan):
    message = refused("train", "dcgan", "--steps", 1, *tiny_dcgan, "train.max_loss=0")
    assert "train.max_loss" in message


def saturate_the_generator(monkeypatch):
    from gankit.nets.dcgan import DCGANGenerator

    original = DCGANGenerator.forward
    monkeypatch.setattr(DCGANGenerator, "forward", lambda self, z: original(self, z).sign())


def test_a_generator_stuck_at_plus_minus_one_stops_after_three_grids(
    tiny_dcgan, monkeypatch, tmp_path
):
    saturate_the_generator(monkeypatch)
    with pytest.raises(TrainingDiverged) as caught:
        train(tiny_dcgan, "train.sample_every=2", "train.checkpoint_every=4")
    message = str(caught.value)
    assert "step 6" in message and "last 3 sample grids is at -1 or 1" in message
    assert "(step 4)" in message  # the last good checkpoint is kept
    state = torch.load(tmp_path / "runs/dcgan/r/checkpoints/last.pt", weights_only=True)
    assert state["step"] == 4 and state["saturated_grids"] == 2


def test_saturation_checks_can_be_switched_off(tiny_dcgan, monkeypatch):
    saturate_the_generator(monkeypatch)
    run = train(tiny_dcgan, "train.sample_every=2", "train.saturation_checks=0")
    assert torch.load(run.last_checkpoint(), weights_only=True)["step"] == 12


def test_binarised_data_is_not_taken_for_saturation(tiny_dcgan, monkeypatch):
    from gankit.data import build_dataset
    from gankit.runs import launch

    def binarised(cfg):
        dataset = build_dataset(cfg)
        images, _ = dataset.tensors
        images.copy_(torch.where(images > 0, 1.0, -1.0))
        return dataset

    monkeypatch.setattr(launch, "build_dataset", binarised)
    saturate_the_generator(monkeypatch)
    run = train(tiny_dcgan, "train.sample_every=2")
    assert torch.load(run.last_checkpoint(), weights_only=True)["step"] == 12
