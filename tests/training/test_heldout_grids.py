"""Held-out sample grids of translation methods: samples/heldout/step_NNNNNN.png at every sample
step, drawn from the held-out split, without changing training or resume."""

from dataclasses import replace

import pytest
import torch
from PIL import Image

from gankit.config import DataConfig
from gankit.data import build_dataset
from gankit.errors import DataError
from gankit.methods.pix2pix import Pix2Pix
from gankit.methods.registry import METHODS
from gankit.runs.launch import resolve_config, resume, start
from gankit.training import trainer as trainer_module
from gankit.training.checkpoint import load_checkpoint
from gankit.training.logger import read_metrics
from gankit.training.validation import heldout_dataset

PHOTOS = ["data.image_size=32", "data.options={count: 4, crop: 64}", "data.batch_size=2",
          "train.progress=false", "train.tensorboard=false", "train.num_samples=2",
          "train.log_every=1", "generator={width: 4}",
          "discriminator={width: 4, receptive_field: 16}"]  # fmt: skip


@METHODS.register("pix2pix-noisy-grids")
class NoisyGridPix2Pix(Pix2Pix):
    """pix2pix whose grids draw from the global RNG, as a careless method's might: the held-out
    grid must not let that reach training."""

    def render(self, inputs, net=None):
        torch.rand(1)
        return super().render(inputs, net)


def pix2pix(tmp_path, name, *overrides, method="pix2pix"):
    cfg = resolve_config(method, None, [*PHOTOS, f"out={tmp_path}", f"name={name}", *overrides])
    return start(cfg)


def names(folder):
    return sorted(p.name for p in folder.glob("*.png"))


def test_pix2pix_writes_a_heldout_grid_beside_each_training_grid(tmp_path):
    run = pix2pix(tmp_path, "g", "train.steps=5", "train.sample_every=2")
    expected = ["step_000000.png", "step_000002.png", "step_000004.png", "step_000005.png"]
    assert names(run.samples) == expected
    assert names(run.samples / "heldout") == expected
    with (
        Image.open(run.samples / "heldout" / "step_000005.png") as grid,
        Image.open(run.samples / "step_000005.png") as training,
    ):
        assert grid.size == training.size  # 2 rows of input | output | target, as training


def test_the_heldout_grid_shows_the_heldout_split(tmp_path, monkeypatch):
    drawn = []
    original = Pix2Pix.render

    def recording(self, inputs, net=None):
        drawn.append(inputs)
        return original(self, inputs, net)

    monkeypatch.setattr(Pix2Pix, "render", recording)
    run = pix2pix(tmp_path, "v", "train.steps=2", "train.sample_every=2")
    cfg = resolve_config(None, run.config_file).data
    train, val = build_dataset(cfg), build_dataset(replace(cfg, split="val"))
    assert len(drawn) == 4  # steps 0 and 2: the training grid, then the held-out grid
    for training_inputs, heldout_inputs in (drawn[0:2], drawn[2:4]):
        assert torch.equal(training_inputs[0].cpu(), train.tensors[0][:2])
        assert torch.equal(heldout_inputs[0].cpu(), val.tensors[0][:2])
        assert torch.equal(heldout_inputs[1].cpu(), val.tensors[1][:2])
    assert not torch.equal(val.tensors[0][:2], train.tensors[0][:2])


def test_heldout_split_is_val_split_then_test_never_the_training_split():
    data = DataConfig(name="photos", image_size=32, options={"count": 2, "crop": 64})
    split, dataset = heldout_dataset(data)
    assert split == "val" and len(dataset) == 2
    test = build_dataset(replace(data, split="test"))
    split, dataset = heldout_dataset(replace(data, val_split="nosuch"))
    assert split == "test" and torch.equal(dataset.tensors[0], test.tensors[0])
    assert heldout_dataset(replace(data, val_split="train"))[0] == "test"
    with pytest.raises(DataError, match="'val': .*'test': "):
        heldout_dataset(DataConfig(name="digits"))


def weights(run):
    state = load_checkpoint(run.last_checkpoint())
    return state["method_state"], state["rng"]


def assert_same_training(a, b):
    def losses(run):
        return [{k: v for k, v in r.items() if k != "time"} for r in read_metrics(run)]

    assert losses(a) == losses(b)
    (state_a, rng_a), (state_b, rng_b) = weights(a), weights(b)
    for net, tensors in state_a["nets"].items():
        for key, value in tensors.items():
            assert torch.equal(value, state_b["nets"][net][key]), f"{net}.{key}"
    assert torch.equal(rng_a["torch"], rng_b["torch"])


def test_the_heldout_grid_changes_neither_training_nor_resume(tmp_path, monkeypatch):
    common = ["train.sample_every=1", "train.checkpoint_every=2"]
    noisy = {"method": "pix2pix-noisy-grids"}
    with_grids = pix2pix(tmp_path, "with", "train.steps=4", *common, **noisy)
    assert names(with_grids.samples / "heldout")[-1] == "step_000004.png"
    interrupted = pix2pix(tmp_path, "resumed", "train.steps=2", *common, **noisy)
    resume(interrupted.path, ["train.steps=4"])
    assert_same_training(with_grids, interrupted)
    monkeypatch.setattr(trainer_module, "heldout_snapshots", lambda *args: None)
    without = pix2pix(tmp_path, "without", "train.steps=4", *common, **noisy)
    assert not (without.samples / "heldout").exists()
    assert_same_training(with_grids, without)


def test_a_dataset_without_a_heldout_split_trains_and_says_so_once(tmp_path, capsys):
    for folder in ("A", "B"):
        (tmp_path / "pairs" / folder).mkdir(parents=True)
        for i in range(4):
            colour = (60 * i, 40, 200)
            Image.new("RGB", (32, 32), colour).save(tmp_path / "pairs" / folder / f"{i}.png")
    run = pix2pix(
        tmp_path, "n", f"data.name=paired-dirs:{tmp_path / 'pairs'}", "data.options={}",
        "train.steps=2", "train.sample_every=1",
    )  # fmt: skip
    assert names(run.samples) == ["step_000000.png", "step_000001.png", "step_000002.png"]
    assert not (run.samples / "heldout").exists()
    err = capsys.readouterr().err
    assert err.count("No held-out sample grids") == 1
    assert "'val'" in err and "'test'" in err


def test_methods_that_do_not_translate_get_no_heldout_grid(tmp_path, capsys):
    toy = ["data.name=ring8", "z_dim=2", "generator.hidden=[8]", "discriminator.hidden=[8]",
           "data.options.n_samples=64", "data.batch_size=32", "train.steps=1",
           "train.progress=false", "train.tensorboard=false",
           f"out={tmp_path}", "name=t"]  # fmt: skip
    run = start(resolve_config("gan", None, toy))
    assert not (run.samples / "heldout").exists()
    assert "held-out" not in capsys.readouterr().err
