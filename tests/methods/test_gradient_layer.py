"""The gradient-layer method: a layer per step, its bound, a split inside the base generator,
its checkpoint, the command line."""

import pytest
import torch

from gankit.core.spec import DataSpec
from gankit.errors import CheckpointError, ConfigError
from gankit.methods import METHODS
from gankit.methods.gradient_layers import gradient_layer_step
from gankit.runs.launch import load_trained, resolve_config

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


def test_the_default_output_split_samples_exactly_the_layers_after_the_base():
    method = build(["eta=0.2"])
    for _ in range(3):
        method.train_step(batch(), update_generator=True)
    generator = method.nets["generator"]
    assert generator.split is None and generator.layers.order == "oldest-first"
    z = method.sample_latent(16, torch.Generator().manual_seed(0))
    with torch.no_grad():
        x = generator.base(z)
    for critic in generator.layers.critics:  # oldest first, each on the previous ones' output
        x = gradient_layer_step(x, critic, 0.2, method.loss)
    assert torch.equal(method.generate(z), x)


def test_a_split_layer_moves_the_base_features_through_the_rest_of_the_base():
    method = build(["eta=0.3", "loss=wasserstein", "split_layer=net.1"])
    for _ in range(2):
        method.train_step(batch(), update_generator=True)
    generator = method.nets["generator"]
    body = generator.base.net  # Linear, ReLU | Linear: G_1 = body[:2], G_2 = body[2:]
    z = method.sample_latent(16, torch.Generator().manual_seed(0))
    h = body[:2](z)
    for critic in generator.layers.critics:  # h + eta grad_h D(G_2(h)), oldest first
        h = h.detach().requires_grad_(True)
        (grad,) = torch.autograd.grad(critic(body[2:](h)).sum(), h)
        h = h + 0.3 * grad
    assert torch.allclose(method.generate(z), body[2:](h).detach(), atol=1e-6)
    assert not torch.allclose(method.generate(z), generator.base(z))
    with pytest.raises(ConfigError, match="net.0 \\(Linear\\), net.1 \\(ReLU\\)"):
        build(["split_layer=net.2"])


def test_the_checkpoint_records_the_split():
    split = build(["split_layer=net.0"])
    split.train_step(batch(), update_generator=True)
    state = split.state_dict()
    assert state["composition"] == {"split_layer": "net.0", "order": "oldest-first"}
    with pytest.raises(CheckpointError, match="set split_layer=net.0"):
        build().load_state_dict(state)
    again = build(["split_layer=net.0"])
    again.load_state_dict(state)
    z = split.sample_latent(8, torch.Generator().manual_seed(2))
    assert torch.equal(again.generate(z), split.generate(z))
    old = build().state_dict()
    del old["composition"]  # checkpoints from before the split load as output
    build().load_state_dict(old)


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


def test_a_split_run_trains_from_the_cli_and_reloads_to_the_same_samples(cli, tmp_path):
    args = ["train", "gradient-layer", "--data", "ring8", "--steps", 2, "--out", tmp_path,
            "--name", "s", *TINY, "split_layer=net.1", "data.options.n_samples=256",
            "train.progress=false", "train.tensorboard=false"]  # fmt: skip
    assert cli(*args) == 0
    method, cfg, generator = load_trained(tmp_path / "gradient-layer/s")
    assert cfg.split_layer == "net.1" and len(generator.layers) == 2
    z = method.sample_latent(8, torch.Generator().manual_seed(1))
    again, _, _ = load_trained(tmp_path / "gradient-layer/s")
    assert torch.equal(again.generate(z), method.generate(z))
    assert not torch.allclose(method.generate(z), generator.base(z))
