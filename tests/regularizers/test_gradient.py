"""WGAN-GP's gradient penalty, R1 and DRAGAN (gankit.regularizers.gradient)."""

import pytest
import torch
from tiny_critics import direct_gradient_norms, tiny_critic
from torch import nn

from gankit.core.spec import DataSpec
from gankit.errors import ConfigError, UnknownNameError
from gankit.regularizers import DRAGANPenalty, build_regularizers


def test_gradient_penalty_matches_autograd_per_sample():
    D = tiny_critic()
    real, fake = torch.randn(6, 1, 8, 8), torch.randn(6, 1, 8, 8)
    (gp,) = build_regularizers(["gradient_penalty"])
    torch.manual_seed(1)
    penalty = gp.discriminator_penalty(D, real, fake)
    torch.manual_seed(1)
    alpha = torch.rand(6, 1, 1, 1)  # one alpha per sample, over all pixels
    norms = direct_gradient_norms(D, alpha * real + (1 - alpha) * fake)
    assert penalty.item() == pytest.approx(10 * ((norms - 1) ** 2).mean().item(), rel=1e-5)


def test_gradient_penalty_is_differentiable_in_the_critic():
    D = tiny_critic()
    (gp,) = build_regularizers([{"name": "gradient_penalty", "weight": 1.0}])
    gp.discriminator_penalty(D, torch.randn(4, 1, 8, 8), torch.randn(4, 1, 8, 8)).backward()
    weights = [p for p in D.parameters() if p.dim() > 1]  # a bias cannot change dD/dx
    assert all(p.grad is not None and torch.isfinite(p.grad).all() for p in weights)


def test_r1_matches_autograd():
    D = tiny_critic()
    real = torch.randn(5, 1, 8, 8)
    (r1,) = build_regularizers([{"name": "r1", "weight": 4.0}])
    norms = direct_gradient_norms(D, real)
    assert r1.discriminator_penalty(D, real, None).item() == pytest.approx(
        2.0 * (norms**2).mean().item(), rel=1e-5
    )


class HalfSquaredNorm(nn.Module):
    """D(x) = ||x||^2 / 2, whose gradient at x is x itself: its norm differs at every point."""

    def forward(self, x):
        return 0.5 * (x**2).flatten(1).sum(1)


def test_gradient_penalty_at_real_points_on_a_linear_critic():
    D = nn.Linear(2, 1, bias=False)
    with torch.no_grad():
        D.weight.copy_(torch.tensor([[3.0, 4.0]]))  # ||w|| = 5 everywhere
    (gp,) = build_regularizers([{"name": "gradient_penalty", "at": "real"}])
    for seed in range(3):
        torch.manual_seed(seed)
        real, fake = torch.randn(7, 2) * 10, torch.randn(7, 2)
        assert gp.discriminator_penalty(D, real, fake).item() == pytest.approx(10 * (5 - 1) ** 2)


def test_gradient_penalty_at_real_points_uses_only_the_real_points():
    D = HalfSquaredNorm()
    real = torch.tensor([[3.0, 4.0], [0.0, 2.0]])  # gradient norms 5 and 2
    (gp,) = build_regularizers([{"name": "gradient_penalty", "at": "real", "weight": 2.0}])
    expected = 2.0 * ((5 - 1) ** 2 + (2 - 1) ** 2) / 2
    for fake in (torch.zeros(2, 2), torch.full((2, 2), 30.0)):
        assert gp.discriminator_penalty(D, real, fake).item() == pytest.approx(expected)
    (between,) = build_regularizers([{"name": "gradient_penalty", "weight": 2.0}])
    torch.manual_seed(0)
    assert between.discriminator_penalty(D, real, torch.zeros(2, 2)).item() != pytest.approx(
        expected
    )
    with pytest.raises(UnknownNameError, match="interpolates, real"):
        build_regularizers([{"name": "gradient_penalty", "at": "fake"}])


def test_dragan_gaussian_perturbation_is_the_default_with_mean_0_and_std_c():
    (dragan,) = build_regularizers(["dragan"])
    assert dragan.perturbation == "gaussian"
    torch.manual_seed(0)
    real = torch.randn(400, 1, 16, 16) * 3 + 1
    offsets = dragan.points(real) - real
    assert offsets.mean().item() == pytest.approx(0.0, abs=0.01)
    assert offsets.std().item() == pytest.approx(0.5 * real.std().item(), rel=0.01)
    within_one_std = (offsets.abs() < 0.5 * real.std()).float().mean().item()
    assert within_one_std == pytest.approx(0.6827, abs=0.01)  # Gaussian, not interpolated
    fixed = DRAGANPenalty(c=0.04)  # c is the variance, as in N(0, cI)
    assert (fixed.points(real) - real).std().item() == pytest.approx(0.2, rel=0.01)


def test_dragan_authors_perturbation_is_their_notebook():
    (dragan,) = build_regularizers([{"name": "dragan", "perturbation": "authors"}])
    real = torch.randn(6, 1, 8, 8)
    torch.manual_seed(4)
    points = dragan.points(real)
    torch.manual_seed(4)
    perturbed = real + 0.5 * real.std() * torch.rand_like(real)
    alpha = torch.rand(6, 1, 1, 1)
    assert torch.equal(points, alpha * real + (1 - alpha) * perturbed)
    offsets = (points - real).flatten(1)
    assert (offsets >= -1e-6).all() and (offsets < 0.5 * real.std()).all()  # one-sided
    with pytest.raises(ConfigError, match="perturbation=gaussian"):
        build_regularizers([{"name": "dragan", "perturbation": "authors", "c": 1.0}])
    with pytest.raises(UnknownNameError, match="authors, gaussian"):
        build_regularizers([{"name": "dragan", "perturbation": "uniform"}])


def test_dragan_penalty_matches_autograd_at_its_points():
    D = tiny_critic()
    real = torch.randn(5, 1, 8, 8)
    (dragan,) = build_regularizers([{"name": "dragan", "weight": 3.0}])
    torch.manual_seed(2)
    penalty = dragan.discriminator_penalty(D, real, None)
    torch.manual_seed(2)
    norms = direct_gradient_norms(D, real + 0.5 * real.std() * torch.randn_like(real))
    assert penalty.item() == pytest.approx(3.0 * ((norms - 1) ** 2).mean().item(), rel=1e-5)


@pytest.mark.parametrize("perturbation", ["gaussian", "authors"])
def test_dragan_looks_only_at_real_data(perturbation):
    D = tiny_critic()
    real = torch.randn(5, 1, 8, 8)
    (dragan,) = build_regularizers([{"name": "dragan", "perturbation": perturbation}])
    torch.manual_seed(3)
    a = dragan.discriminator_penalty(D, real, torch.zeros_like(real))
    torch.manual_seed(3)
    b = dragan.discriminator_penalty(D, real, torch.ones_like(real) * 9)
    assert a.item() == b.item() and a.item() >= 0


def test_gradient_penalty_warns_about_batch_norm():
    nets = {"discriminator": nn.Sequential(nn.BatchNorm2d(1))}
    (gp,) = build_regularizers(["gradient_penalty"])
    with pytest.warns(UserWarning, match="BatchNorm"):
        gp.check(DataSpec("image", (1, 8, 8)), nets)
