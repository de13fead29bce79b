"""A start that fails before its first checkpoint leaves no folder behind to block its name."""

import pytest
import torch

from gankit.methods import METHODS
from gankit.training.trainer import Trainer

pytestmark = pytest.mark.usefixtures("one_thread")


def test_too_few_images_for_a_batch(cli, refused, tiny_dcgan, tmp_path):
    message = refused("train", "dcgan", "--name", "n", "--steps", 1, *tiny_dcgan,
                      "data.batch_size=5000")  # fmt: skip
    assert "fewer than one batch of 5000" in message
    assert not (tmp_path / "runs" / "dcgan" / "n").exists()
    assert cli("train", "dcgan", "--name", "n", "--steps", 1, *tiny_dcgan) == 0  # name is free


def test_a_corrupt_image_stops_the_start_naming_the_file(cli, refused, tmp_path):
    from PIL import Image

    folder = tmp_path / "images"
    folder.mkdir()
    noise = torch.Generator().manual_seed(0)
    for i in range(8):
        pixels = torch.randint(0, 256, (32, 32), generator=noise, dtype=torch.uint8).numpy()
        Image.fromarray(pixels).save(folder / f"{i}.png")
    whole = (folder / "0.png").read_bytes()
    (folder / "0.png").write_bytes(whole[: len(whole) * 3 // 5])  # the header reads, pixels not
    args = ("train", "dcgan", "--name", "c", "--steps", 1, "--data", folder, "--out",
            tmp_path / "runs", "data.image_size=16", "data.batch_size=4", "generator.width=8",
            "discriminator.width=8", "z_dim=8", "train.progress=false")  # fmt: skip
    message = refused(*args)
    assert message.startswith(f"Could not decode image {folder / '0.png'}")
    assert "Remove it or replace it" in message
    assert not (tmp_path / "runs" / "dcgan" / "c").exists()  # the name is free again
    (folder / "0.png").unlink()
    assert cli(*args) == 0


def test_a_nan_at_the_first_step(refused, tiny_dcgan, tmp_path):
    message = refused("train", "dcgan", "--name", "nan", "--steps", 3, *tiny_dcgan,
                      "train.log_every=1", "optim.generator.lr=1e38",
                      "optim.discriminator.lr=1e38")  # fmt: skip
    assert message.startswith("Training diverged at step 1")
    assert not (tmp_path / "runs" / "dcgan" / "nan").exists()


def test_an_unexpected_error_mid_training(cli, tiny_dcgan, tmp_path, monkeypatch):
    def unexpected(self):
        self.run.metrics_file.write_text("{}\n")  # something was written already
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(Trainer, "fit", unexpected)
    with pytest.raises(ZeroDivisionError):  # a bug keeps its traceback
        cli("train", "dcgan", "--name", "bug", "--steps", 1, *tiny_dcgan)
    assert not (tmp_path / "runs" / "dcgan" / "bug").exists()


def test_out_of_memory_at_the_start_is_one_line_and_frees_the_name(
    refused, tiny_dcgan, tmp_path, monkeypatch
):
    def out_of_memory(self):
        raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 20.00 GiB")

    monkeypatch.setattr(Trainer, "fit", out_of_memory)
    said = refused("train", "dcgan", "--name", "oom", "--steps", 1, *tiny_dcgan)
    assert said.startswith("out of memory") and "20.00 GiB" in said
    assert not (tmp_path / "runs" / "dcgan" / "oom").exists()


def test_a_failure_after_a_checkpoint_keeps_the_run(refused, tiny_dcgan, tmp_path, monkeypatch):
    dcgan = METHODS.get("dcgan")
    train_step = dcgan.train_step
    steps = []

    def nan_at_the_third_call(self, batch, update_generator):
        logs = train_step(self, batch, update_generator=update_generator)
        steps.append(1)
        return {**logs, "g_loss": torch.tensor(float("nan"))} if len(steps) == 3 else logs

    monkeypatch.setattr(dcgan, "train_step", nan_at_the_third_call)
    message = refused("train", "dcgan", "--name", "k", "--steps", 5, *tiny_dcgan,
                      "train.log_every=1", "train.checkpoint_every=2")  # fmt: skip
    assert message.startswith("Training diverged at step 3") and "resume from it" in message
    run = tmp_path / "runs" / "dcgan" / "k"
    assert torch.load(run / "checkpoints" / "last.pt", weights_only=True)["step"] == 2


def test_a_run_killed_before_its_first_checkpoint_suggests_a_new_name(refused, tmp_path):
    run = tmp_path / "runs" / "dcgan" / "killed"
    (run / "checkpoints").mkdir(parents=True)
    (run / "config.yaml").write_text("method: dcgan\nname: killed\n")
    message = refused("train", "--resume", run)
    assert "has no checkpoint yet" in message and "--name NEW" in message
