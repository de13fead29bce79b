"""Gradient layers: the step direction, refinement toward a mode, a layer inside the generator,
Algorithm 2 (its nesting order) and `gankit refine`."""

import json

import pytest
import torch
from torch import nn

from gankit.errors import ConfigError
from gankit.losses import build_loss
from gankit.methods.gradient_layers import (
    GradientLayers,
    fine_tune,
    gradient_layer_step,
    load_gradient_layers,
)
from gankit.nets.split import GeneratorSplit


class Linear(nn.Module):
    """D(x) = w . x: grad D = w everywhere."""

    def __init__(self, w):
        super().__init__()
        self.w = nn.Parameter(torch.tensor(w))

    def forward(self, x):
        return x @ self.w


class TowardMode(nn.Module):
    """D(x) = -||x - mode||: its gradient is the unit vector from x to the mode."""

    def __init__(self, mode):
        super().__init__()
        self.mode = nn.Parameter(torch.tensor(mode))

    def forward(self, x):
        return -(x - self.mode).norm(dim=1)


class TowardPoint(nn.Module):
    """D(x) = -||x - m||^2 / 2: grad D = m - x, so a Wasserstein layer maps x to
    (1 - eta) x + eta m, and two such layers do not commute."""

    def __init__(self, m):
        super().__init__()
        self.m = nn.Parameter(torch.tensor(m))

    def forward(self, x):
        return -0.5 * ((x - self.m) ** 2).sum(1)


def test_wasserstein_step_moves_samples_along_plus_grad_d():
    x = torch.randn(5, 2)
    moved = gradient_layer_step(x, Linear([1.0, -2.0]), 0.5, build_loss("wasserstein"))
    assert torch.allclose(moved, x + 0.5 * torch.tensor([1.0, -2.0]))
    assert not moved.requires_grad


def test_other_losses_take_the_general_form_per_sample():
    # non-saturating: l = softplus(-D), so x - eta grad l = x + eta sigmoid(-D(x)) grad D(x)
    critic, x = Linear([2.0, 0.0]), torch.tensor([[0.0, 0.0], [3.0, 1.0]])
    moved = gradient_layer_step(x, critic, 0.1, build_loss("nonsaturating"))
    scale = torch.sigmoid(-critic(x))[:, None]
    assert torch.allclose(moved, x + 0.1 * scale * torch.tensor([2.0, 0.0]))
    # and the step works where gradients are off (sampling runs under no_grad)
    with torch.no_grad():
        assert torch.allclose(
            gradient_layer_step(x, critic, 0.1, build_loss("nonsaturating")), moved
        )


def test_refinement_with_a_critic_pointing_to_a_mode_reduces_the_distance_to_it():
    generator = torch.Generator().manual_seed(0)
    mode = torch.tensor([1.0, 0.0])
    samples = torch.randn(200, 2, generator=generator) * 0.3 + torch.tensor([-1.0, 0.5])
    layers = GradientLayers(eta=0.05)
    layers.append(TowardMode([1.0, 0.0]), times=20)
    refined = layers(samples)
    before, after = (samples - mode).norm(dim=1), (refined - mode).norm(dim=1)
    assert len(layers) == 20
    assert torch.all(after < before)
    assert torch.allclose(before - after, torch.full_like(before, 1.0), atol=1e-4)  # 20 x 0.05


def test_fine_tuning_keeps_one_trained_critic_per_layer_and_reloads_them(tmp_path):
    torch.manual_seed(0)
    critic = nn.Sequential(nn.Linear(2, 16), nn.LeakyReLU(0.2), nn.Linear(16, 1), nn.Flatten(0))
    initial = [p.clone() for p in critic.parameters()]
    real = (torch.randn(32, 2) * 0.1 + 2.0 for _ in iter(int, 1))
    optimizer = torch.optim.Adam(critic.parameters(), lr=1e-2, betas=(0.0, 0.9))
    layers = fine_tune(lambda n: torch.randn(n, 2) * 0.1, critic, real, steps=3, critic_steps=4,
                       eta=0.2, optimizer=optimizer)  # fmt: skip
    assert len(layers) == 3 and len(layers.critics) == 3
    first, last = layers.critics[0], layers.critics[-1]
    assert not torch.equal(first[0].weight, initial[0])  # trained before it became a layer
    assert not torch.equal(first[0].weight, last[0].weight)  # and again before the next
    assert all(not p.requires_grad for p in layers.parameters())
    x = torch.randn(10, 2) * 0.1
    assert (layers(x) - 2.0).norm(dim=1).mean() < (x - 2.0).norm(dim=1).mean()
    torch.save(layers.to_state(), tmp_path / "layers.pt")
    again = load_gradient_layers(tmp_path / "layers.pt", critic)
    assert torch.equal(again(x), layers(x))


def test_on_layer_sees_the_composition_as_it_grows_with_the_critic_of_that_moment():
    torch.manual_seed(0)
    critic = nn.Sequential(nn.Linear(2, 8), nn.LeakyReLU(0.2), nn.Linear(8, 1), nn.Flatten(0))
    real = (torch.randn(16, 2) + 2.0 for _ in iter(int, 1))
    optimizer = torch.optim.Adam(critic.parameters(), lr=1e-2, betas=(0.0, 0.9))
    x, seen = torch.randn(5, 2), []
    layers = fine_tune(lambda n: torch.randn(n, 2), critic, real, steps=3, critic_steps=2,
                       eta=0.2, optimizer=optimizer,
                       on_layer=lambda grown: seen.append((len(grown), grown(x))))  # fmt: skip
    assert [count for count, _ in seen] == [1, 2, 3]
    assert torch.equal(seen[-1][1], layers(x))
    first_only = GradientLayers(0.2, order="newest-first")
    first_only.append(layers.critics[0])
    assert torch.equal(seen[0][1], first_only(x))  # scored then, not with later critics
    fixed = []
    fine_tune(lambda n: torch.zeros(n, 2), Linear([0.0, 1.0]), iter(()), steps=4,
              critic_steps=0, eta=0.1, on_layer=lambda grown: fixed.append(len(grown)))  # fmt: skip
    assert fixed == [4]  # the trained critic's T layers are added at once


def test_zero_critic_steps_repeat_the_trained_critic_without_copies():
    layers = fine_tune(lambda n: torch.zeros(n, 2), Linear([0.0, 1.0]), iter(()), steps=7,
                       critic_steps=0, eta=0.1)  # fmt: skip
    assert len(layers) == 7 and len(layers.critics) == 1
    assert torch.allclose(layers(torch.zeros(1, 2)), torch.tensor([[0.0, 0.7]]))


def linear_generator():
    """z (3) -> h = W_1 z + b_1 (4) -> x = W_2 h + b_2 (2), split after layer 0."""
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(3, 4), nn.Linear(4, 2))


def test_a_split_layer_steps_the_features_by_the_gradient_through_the_rest_of_the_generator():
    generator, z, w, eta = linear_generator(), torch.randn(6, 3), torch.tensor([1.0, -2.0]), 0.3
    split = GeneratorSplit(generator, "0", (2,), z)
    layers = GradientLayers(eta, "wasserstein", split_layer="0")
    layers.append(Linear([1.0, -2.0]))
    h = split.head(z)
    W1, b1 = generator[0].weight.detach(), generator[0].bias.detach()  # noqa: N806
    W2 = generator[1].weight.detach()  # noqa: N806
    assert torch.allclose(h, z @ W1.T + b1)
    # phi(h) = h + eta grad_h D(G_2(h)) = h + eta W_2^T w, and the sample is G_2 of it
    assert torch.allclose(layers(h, split.tail), h + eta * W2.T @ w)
    with torch.no_grad():
        expected = generator(z) + eta * W2 @ W2.T @ w
    assert torch.allclose(split.samples(h, layers), expected, atol=1e-6)
    with pytest.raises(ConfigError, match="split.tail"):
        layers(h)  # without G_2 the gradient would be taken in the wrong space


def test_the_rest_of_the_generator_is_in_eval_mode_so_each_sample_moves_alone():
    torch.manual_seed(0)
    generator = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.Linear(4, 2)).train()
    z = torch.randn(8, 3)
    split = GeneratorSplit(generator, "0", (2,), z)
    layers = GradientLayers(0.5, "nonsaturating", split_layer="0")
    layers.append(TowardMode([1.0, 0.0]))
    h = split.head(z)
    running = generator[1].running_mean.clone()
    together = split.samples(h, layers)
    alone = torch.cat([split.samples(h[i : i + 1], layers) for i in range(8)])
    assert torch.allclose(together, alone, atol=1e-6)
    assert torch.equal(generator[1].running_mean, running)  # no batch statistics were updated
    assert all(m.training for m in generator.modules())  # and the generator's mode is restored


def test_a_split_before_an_in_place_activation_steps_and_leaves_the_features_alone():
    """The dcgan generators' ReLU(inplace=True) after a batch norm: split at the norm, the rest
    of the body starts in place, which must neither fail on the features the gradient is taken
    of nor overwrite the features held for the next layer."""
    generator = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.ReLU(inplace=True),
                              nn.Linear(4, 2))  # fmt: skip
    z = torch.randn(6, 3)
    split = GeneratorSplit(generator, "1", (2,), z)
    layers = GradientLayers(0.3, "wasserstein", split_layer="1")
    layers.append(Linear([1.0, -2.0]))
    h = split.head(z)
    kept = h.clone()
    assert split.samples(h, layers).shape == (6, 2)
    assert torch.equal(h, kept)


def test_split_layer_names_a_layer_of_the_body_and_a_wrong_one_lists_the_choices():
    from gankit.core.spec import DataSpec
    from gankit.nets import build_generator

    generator = build_generator("mlp", 2, DataSpec("points", (2,)), {"hidden": [8]})
    z = torch.randn(4, 2)
    with pytest.raises(ConfigError, match=r"'output' or .*net\.0 \(Linear\), net\.1 \(ReLU\);"):
        GeneratorSplit(generator, "net.2", (2,), z)  # after the last layer is "output"

    class Scaled(nn.Module):  # does more than reshaping after its body
        def __init__(self):
            super().__init__()
            self.net = nn.Sequential(nn.Linear(2, 3), nn.Linear(3, 2))

        def forward(self, z):
            return 2 * self.net(z)

    with pytest.raises(ConfigError, match="cannot be split"):
        GeneratorSplit(Scaled(), "net.0", (2,), z)
    with pytest.raises(ConfigError, match="no nn.Sequential body"):
        GeneratorSplit(TowardMode([0.0, 0.0]), "net.0", (2,), z)


def test_output_split_keeps_the_layers_after_the_generator_bit_for_bit():
    x = torch.randn(16, 2)
    layers = GradientLayers(0.1, "nonsaturating")
    for mode in ([1.0, 0.0], [0.0, 1.0], [-1.0, 0.5]):
        layers.append(TowardMode(mode))
    expected = x
    for critic in layers.critics:  # the composition as it always was: oldest first
        expected = gradient_layer_step(expected, critic, 0.1, build_loss("nonsaturating"))
    assert layers.split_layer == "output" and layers.order == "oldest-first"
    assert torch.equal(layers(x), expected)


def test_algorithm_2_applies_the_newest_critic_first():
    # Sørby's Algorithm 2: phi(phi(x; theta^(2)); theta^(1)). With D_k = -||x - m_k||^2 / 2 a
    # layer maps x to (1 - eta) x + eta m_k, so the result is
    # (1 - eta)^2 x + eta (1 - eta) m_2 + eta m_1, and oldest first would swap m_1 and m_2.
    critic, eta, x = TowardPoint([0.0, 0.0]), 0.25, torch.tensor([[2.0, -1.0]])
    real = (torch.full((8, 2), 3.0) + torch.randn(8, 2) for _ in iter(int, 1))
    optimizer = torch.optim.SGD(critic.parameters(), lr=0.5)
    layers = fine_tune(lambda n: torch.zeros(n, 2), critic, real, steps=2, critic_steps=1,
                       eta=eta, optimizer=optimizer)  # fmt: skip
    m1, m2 = (c.m.detach() for c in layers.critics)
    assert not torch.allclose(m1, m2)
    assert layers.order == "newest-first"
    expected = (1 - eta) ** 2 * x + eta * (1 - eta) * m2 + eta * m1
    assert torch.allclose(layers(x), expected, atol=1e-6)
    layers.order = "oldest-first"
    assert torch.allclose(layers(x), (1 - eta) ** 2 * x + eta * (1 - eta) * m1 + eta * m2)


def test_a_split_composition_saves_and_reloads_to_the_same_samples(tmp_path):
    generator, z = linear_generator(), torch.randn(10, 3)
    split = GeneratorSplit(generator, "0", (2,), z)
    torch.manual_seed(1)
    critic = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 1), nn.Flatten(0))
    real = (torch.randn(16, 2) + 2.0 for _ in iter(int, 1))
    optimizer = torch.optim.Adam(critic.parameters(), lr=1e-2, betas=(0.0, 0.9))
    layers = fine_tune(lambda n: split.head(torch.randn(n, 3)), critic, real, steps=2,
                       critic_steps=2, eta=0.2, optimizer=optimizer, split=split)  # fmt: skip
    assert layers.split_layer == "0" and len(layers) == 2
    torch.save(layers.to_state(), tmp_path / "layers.pt")
    again = load_gradient_layers(tmp_path / "layers.pt", critic)
    assert (again.split_layer, again.order) == ("0", "newest-first")
    h = split.head(z)
    assert torch.equal(split.samples(h, again), split.samples(h, layers))
    assert not torch.allclose(split.samples(h, again), split.samples(h))


def test_files_saved_before_the_order_was_recorded_load_as_oldest_first_after_the_output():
    state = GradientLayers(0.1).to_state()
    del state["split_layer"], state["order"]
    layers = GradientLayers.from_state(state, lambda: Linear([0.0, 0.0]))
    assert (layers.split_layer, layers.order) == ("output", "oldest-first")


TOY = ["gan", "--data", "ring8", "z_dim=2", "generator.hidden=[16]", "discriminator.hidden=[16]",
       "data.options.n_samples=512", "train.progress=false", "train.tensorboard=false"]  # fmt: skip


@pytest.mark.parametrize(
    ("critic_steps", "split_layer"), [(0, "output"), (2, "output"), (2, "net.1")]
)
def test_refine_command_writes_grids_metrics_and_layers(cli, tmp_path, critic_steps, split_layer):
    assert cli("train", *TOY, "--steps", 3, "--out", tmp_path, "--name", "r") == 0
    run, out = tmp_path / "gan/r", tmp_path / "refined"
    assert cli("refine", run, "--steps", 3, "--eta", 0.05, "--critic-steps", critic_steps,
               "--split-layer", split_layer, "-n", 300, "--out", out) == 0  # fmt: skip
    for name in ("before.png", "after.png", "metrics.json", "gradient_layers.pt"):
        assert (out / name).is_file()
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["steps"] == 3 and metrics["critic_steps"] == critic_steps
    assert metrics["loss"] == "nonsaturating" and metrics["split_layer"] == split_layer
    assert torch.load(out / "gradient_layers.pt")["split_layer"] == split_layer
    assert set(metrics["toy2d"]) == {"before", "after"}
    # each layer climbs the (last) critic's score
    assert metrics["last_critic_score"]["after"] > metrics["last_critic_score"]["before"]


def test_refine_command_refuses_a_split_layer_the_generator_does_not_have(cli, tmp_path, capsys):
    assert cli("train", *TOY, "--steps", 1, "--out", tmp_path, "--name", "r") == 0
    assert cli("refine", tmp_path / "gan/r", "--split-layer", "net.9", "--no-metrics") != 0
    assert "net.0 (Linear), net.1 (ReLU)" in capsys.readouterr().err
