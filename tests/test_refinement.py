"""Gradient layers: the step direction, refinement toward a mode, Algorithm 2 and `gankit refine`."""

import json

import pytest
import torch
from torch import nn

from gankit.losses import build_loss
from gankit.refinement import (
    GradientLayers,
    fine_tune,
    gradient_layer_step,
    load_gradient_layers,
)


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


def test_zero_critic_steps_repeat_the_trained_critic_without_copies():
    layers = fine_tune(lambda n: torch.zeros(n, 2), Linear([0.0, 1.0]), iter(()), steps=7,
                       critic_steps=0, eta=0.1)  # fmt: skip
    assert len(layers) == 7 and len(layers.critics) == 1
    assert torch.allclose(layers(torch.zeros(1, 2)), torch.tensor([[0.0, 0.7]]))


TOY = ["gan", "--data", "ring8", "z_dim=2", "generator.hidden=[16]", "discriminator.hidden=[16]",
       "data.options.n_samples=512", "train.progress=false", "train.tensorboard=false"]  # fmt: skip


@pytest.mark.parametrize("critic_steps", [0, 2])
def test_refine_command_writes_grids_metrics_and_layers(cli, tmp_path, critic_steps):
    assert cli("train", *TOY, "--steps", 3, "--out", tmp_path, "--name", "r") == 0
    run, out = tmp_path / "gan/r", tmp_path / "refined"
    assert cli("refine", run, "--steps", 3, "--eta", 0.05, "--critic-steps", critic_steps,
               "-n", 300, "--out", out) == 0  # fmt: skip
    for name in ("before.png", "after.png", "metrics.json", "gradient_layers.pt"):
        assert (out / name).is_file()
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["steps"] == 3 and metrics["critic_steps"] == critic_steps
    assert metrics["loss"] == "nonsaturating"
    assert set(metrics["toy2d"]) == {"before", "after"}
    # each layer climbs the (last) critic's score
    assert metrics["last_critic_score"]["after"] > metrics["last_critic_score"]["before"]
