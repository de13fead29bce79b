"""Every registered method trains from the command line; impossible combinations are refused."""

import pytest
import torch

from gankit.cli import main
from gankit.core.spec import DataSpec
from gankit.errors import ConfigError
from gankit.methods import METHODS
from gankit.runs.launch import resolve_config

TINY = {
    "mlp": ["generator.hidden=[16]", "discriminator.hidden=[16]"],
    "dcgan": ["generator.width=8", "discriminator.width=8"],
    "resnet": ["generator.width=8", "discriminator.width=8"],
    "began": ["generator.filters=8", "discriminator.filters=8", "discriminator.hidden=8"],
    "infogan": ["generator.width=8", "discriminator.width=8"],
    "bigan": ["generator.width=16", "discriminator.width=16", "encoder.width=16"],
}


GAN_FAMILY = [m for m in METHODS.names() if hasattr(METHODS.get(m).config_class(), "nets")]


@pytest.mark.parametrize("method", GAN_FAMILY)
def test_every_gan_recipe_trains_five_steps_on_digits(method, tmp_path):
    """The loss/regularizer/net recipes; other methods test their own CLI runs."""
    nets = METHODS.get(method).config_class().nets
    args = ["train", method, "--steps", "5", "--out", str(tmp_path), "--name", "t",
            "data.image_size=16", "data.batch_size=8", "z_dim=8", "train.progress=false",
            "train.tensorboard=false", "train.num_samples=4", *TINY[nets]]  # fmt: skip
    main(args)
    state = torch.load(tmp_path / method / "t" / "checkpoints" / "last.pt", weights_only=True)
    assert state["step"] == 5


IMAGES = DataSpec("image", (1, 16, 16))


def build(method, overrides, spec=IMAGES):
    cfg = resolve_config(method, None, overrides)
    return METHODS.get(method)(cfg, spec, "cpu")


def test_began_loss_needs_an_autoencoder_discriminator():
    with pytest.raises(ConfigError, match="needs a discriminator that outputs energy.*nets=began"):
        build("gan", ["nets=dcgan", "loss=began"])


def test_score_losses_refuse_the_autoencoder_discriminator():
    with pytest.raises(ConfigError, match="outputs a energy|takes a energy.*began"):
        build("began", ["loss=hinge"])


def test_sobolev_penalty_refuses_points():
    with pytest.raises(ConfigError, match="needs images"):
        build("banach-wgan", ["nets=mlp", "discriminator={}"], DataSpec("points", (2,)))


def test_composed_config_from_the_issue():
    method = build("gan", ["nets=dcgan", "loss=hinge", "regularizers=[spectral_norm]"])
    D = method.nets["discriminator"]
    assert any(hasattr(m, "parametrizations") for m in D.modules())
    logs = method.train_step((torch.rand(4, 1, 16, 16) * 2 - 1, torch.zeros(4)), True)
    assert torch.isfinite(logs["g_loss"])


def test_wgan_keeps_the_critic_clipped_while_training():
    method = build("wgan", ["generator.width=8", "discriminator.width=8"])
    for _ in range(3):
        method.train_step((torch.rand(8, 1, 16, 16) * 2 - 1, torch.zeros(8)), True)
    assert all(p.abs().max() <= 0.01 for p in method.nets["discriminator"].parameters())


def test_began_k_survives_a_checkpoint():
    method = build("began", [*TINY["began"], "z_dim=8"])
    for _ in range(3):
        method.train_step((torch.rand(4, 1, 16, 16) * 2 - 1, torch.zeros(4)), True)
    k = method.loss.k.item()
    assert k > 0
    again = build("began", [*TINY["began"], "z_dim=8"])
    again.load_state_dict(method.state_dict())
    assert again.loss.k.item() == k
