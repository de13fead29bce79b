"""The gradient-layer method: a layer per step, its bound, its checkpoint, the command line."""

import pytest
import torch

from gankit.data.base import DataSpec
from gankit.errors import ConfigError
from gankit.methods import METHODS
from gankit.train.launch import load_trained, resolve_config

POINTS = DataSpec("points", (2,))
TINY = ["z_dim=2", "generator.hidden=[8]", "discriminator.hidden=[16]", "train.n_critic=2"]


def build(overrides=()):
    cfg = resolve_config("gradient-layer", None, [*TINY, *overrides])
    torch.manual_seed(0)
    return METHODS.get("gradient-layer")(cfg, POINTS, "cpu")


def batch(n=32):
    return torch.randn(n, 2) * 0.1 + torch.tensor([1.0, 0.0]), torch.full((n,), -1)


def test_each_generator_step_adds_a_frozen_copy_of_the_critic_as_a_layer():
    method = build()
    generator, critic = method.nets["generator"], method.nets["discriminator"]
    base = [p.clone() for p in generator.base.parameters()]
    logs = method.train_step(batch(), update_generator=False)
    assert len(generator.layers) == 0 and logs["layers"] == 0
    method.train_step(batch(), update_generator=True)
    assert len(generator.layers) == 1
    layer = generator.layers.critics[0]
    assert all(torch.equal(a, b) for a, b in zip(layer.parameters(), critic.parameters()))
    method.train_step(batch(), update_generator=True)  # the critic moves on; the layer does not
    assert not all(torch.equal(a, b) for a, b in zip(layer.parameters(), critic.parameters()))
    assert all(torch.equal(a, b) for a, b in zip(base, generator.base.parameters()))
    assert set(method.optimizers) == {"discriminator"}


def test_samples_are_the_base_samples_moved_by_every_layer():
    method = build(["eta=0.3", "loss=wasserstein", "regularizers=[gradient_penalty]"])
    for _ in range(3):
        method.train_step(batch(), update_generator=True)
    generator = method.nets["generator"]
    z = method.sample_latent(16, torch.Generator().manual_seed(0))
    x = generator.base(z)
    for critic in generator.layers.critics:
        x = x.detach().requires_grad_(True)
        (grad,) = torch.autograd.grad(critic(x).sum(), x)  # Wasserstein: x + eta grad D(x)
        x = x + 0.3 * grad
    assert torch.allclose(method.generate(z), x.detach(), atol=1e-6)


def test_memory_bound_refuses_runs_with_more_layers_than_max_layers():
    with pytest.raises(ConfigError, match="max_layers=10"):
        build(["max_layers=10", "train.steps=11"])
    method = build(["max_layers=2", "train.epochs=1"])  # epochs: the layer count is not known
    for _ in range(2):
        method.train_step(batch(), update_generator=True)
    with pytest.raises(ConfigError, match="more than max_layers=2"):
        method.train_step(batch(), update_generator=True)


def test_trains_from_the_cli_and_reloads_every_layer(cli, tmp_path):
    args = ["train", "gradient-layer", "--data", "ring8", "--steps", 4, "--out", tmp_path,
            "--name", "g", *TINY, "data.options.n_samples=256", "train.progress=false",
            "train.tensorboard=false", "train.checkpoint_every=2"]  # fmt: skip
    assert cli(*args) == 0
    method, _, generator = load_trained(tmp_path / "gradient-layer/g")
    assert len(generator.layers) == 4
    assert cli("train", "--resume", tmp_path / "gradient-layer/g", "--steps", 5) == 0
    _, _, longer = load_trained(tmp_path / "gradient-layer/g")
    assert len(longer.layers) == 5
    z = method.sample_latent(8, torch.Generator().manual_seed(1))
    assert torch.isfinite(method.generate(z, generator)).all()
