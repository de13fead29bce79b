"""Validation and early stopping: val/<name> in the log, best.pt, the stop after `patience`
validations without improvement, and a resume that keeps the count."""

import pytest
import torch

from gankit.errors import ConfigError, DataError
from gankit.methods.gan import GAN
from gankit.methods.registry import METHODS
from gankit.runs.launch import resolve_config, resume, start
from gankit.training.logger import read_metrics
from gankit.training.validation import EarlyStopping

TOY = ["data.name=ring8", "z_dim=2", "generator.hidden=[8]", "discriminator.hidden=[8]",
       "data.options.n_samples=256", "data.batch_size=32", "train.log_every=1",
       "train.sample_every=100", "train.progress=false", "train.tensorboard=false",
       "train.validate_every=1", "train.patience=3", "data.val_split=train"]  # fmt: skip


@METHODS.register("plateau-gan")
class PlateauGAN(GAN):
    """Its validation score falls with each generator update until 6, then stays there."""

    validation_metric = "score"

    def validate(self, dataset):
        state = self.optimizers["generator"].state.values()
        updates = int(next(iter(state))["step"]) if state else 0
        return {"other": 0.5, "score": float(max(10 - updates, 6))}


def toy_run(tmp_path, *overrides, name="p"):
    return start(resolve_config("plateau-gan", None, [*TOY, f"out={tmp_path}", f"name={name}",
                                                      *overrides]))  # fmt: skip


def test_a_score_that_stops_improving_stops_the_run_after_patience_validations(tmp_path, capsys):
    run = toy_run(tmp_path, "train.steps=50")
    records = read_metrics(run)
    # Scores 9, 8, 7, 6 (best, step 4), then 6, 6, 6: three without improvement.
    assert [r["val/score"] for r in records] == [9, 8, 7, 6, 6, 6, 6]
    assert all(r["val/other"] == 0.5 for r in records)
    assert records[-1]["step"] == 7 and records[-1]["stopped_early"] == 1
    assert "stopped_early" not in records[-2]
    assert "Stopped early at step 7: val/score has not improved for 3" in capsys.readouterr().err
    best = torch.load(run.best_checkpoint(), weights_only=True)
    assert best["step"] == 4 and best["early_stopping"]["best"] == 6.0
    last = torch.load(run.last_checkpoint(), weights_only=True)
    assert last["step"] == 7 and last["early_stopping"]["since_best"] == 3


def test_a_resumed_run_keeps_the_best_score_and_the_count(tmp_path, capsys):
    run = toy_run(tmp_path, "train.steps=6")  # ends with 2 validations since the best
    assert torch.load(run.last_checkpoint(), weights_only=True)["early_stopping"] == {
        "best": 6.0,
        "best_step": 4,
        "since_best": 2,
        "key": "val/score",
    }
    resume(run.path, ["train.steps=50"])
    assert read_metrics(run)[-1]["step"] == 7  # the third validation since step 4
    assert torch.load(run.best_checkpoint(), weights_only=True)["step"] == 4
    capsys.readouterr()
    resume(run.path, ["train.steps=60"])  # stopped: it stays stopped, and says why
    assert read_metrics(run)[-1]["step"] == 7
    assert "Resume with a larger train.patience" in capsys.readouterr().err
    resume(run.path, ["train.steps=60", "train.patience=5"])  # more patience: two more steps
    assert read_metrics(run)[-1]["step"] == 9


def test_patience_zero_validates_without_stopping(tmp_path):
    run = toy_run(tmp_path, "train.steps=9", "train.patience=0", "train.validate_every=3")
    records = read_metrics(run)
    assert [(r["step"], r["val/score"]) for r in records if "val/score" in r] == [
        (3, 7.0),
        (6, 6.0),
        (9, 6.0),
    ]
    assert records[-1]["step"] == 9


def test_validation_needs_a_method_that_validates_and_patience_needs_validation(tmp_path):
    with pytest.raises(ConfigError, match="has no validate.*train.validate_every=0"):
        start(resolve_config("gan", None, [*TOY, f"out={tmp_path}", "name=g"]))
    assert not (tmp_path / "gan" / "g").exists()  # refused before anything was written
    with pytest.raises(ConfigError, match="patience=3 counts validations"):
        toy_run(tmp_path, "train.validate_every=0")
    with pytest.raises(DataError, match="scores the 'val' split .*ring8.*Set data.val_split"):
        toy_run(tmp_path, "data.val_split=val", name="v")
    assert not (tmp_path / "plateau-gan" / "v").exists()


def test_early_stopping_counts_nan_as_no_improvement():
    stopping = EarlyStopping(patience=2)
    assert stopping.update("val/x", float("nan"), 1) is False
    assert stopping.update("val/x", 3.0, 2) is True and not stopping.should_stop
    assert stopping.update("val/x", 3.0, 3) is False
    assert stopping.update("val/x", float("inf"), 4) is False and stopping.should_stop


PIX2PIX = ["data.image_size=32", "data.options={count: 4, crop: 64}", "data.batch_size=2",
           "train.progress=false", "train.tensorboard=false", "train.num_samples=2",
           "train.log_every=1", "generator={width: 8}",
           "discriminator={width: 8, receptive_field: 16}"]  # fmt: skip


def test_pix2pix_logs_validation_l1_and_keeps_the_best_without_changing_training(tmp_path):
    common = [*PIX2PIX, "train.steps=3", f"out={tmp_path}"]
    run = start(resolve_config("pix2pix", None, [*common, "train.validate_every=1", "name=v"]))
    records = read_metrics(run)
    scores = [r["val/l1"] for r in records]
    assert len(scores) == 3 and all(0 < s < 2 for s in scores)  # images in [-1, 1]
    best = torch.load(run.best_checkpoint(), weights_only=True)
    assert best["early_stopping"]["best"] == min(scores)
    assert best["step"] == 1 + scores.index(min(scores))
    plain = start(resolve_config("pix2pix", None, [*common, "name=plain"]))

    def losses(records):
        return [{k: v for k, v in r.items() if k.endswith("loss")} for r in records]

    assert losses(records) == losses(read_metrics(plain))  # validation draws no training noise
