import math

import pytest
import torch
from torch import nn

from gankit.core.spec import DataSpec
from gankit.errors import ConfigError, UnknownNameError
from gankit.regularizers import (
    BanachGradientPenalty,
    DRAGANPenalty,
    Regularizer,
    build_regularizers,
    sobolev_filter,
)


def tiny_critic():
    torch.manual_seed(0)
    return nn.Sequential(
        nn.Conv2d(1, 4, 3, 2, 1), nn.LeakyReLU(0.2), nn.Flatten(), nn.Linear(4 * 4 * 4, 1)
    )


def critic_out(D, x):
    return D(x).flatten()


def direct_gradient_norms(D, points):
    """Each sample's gradient norm from its own autograd call: no batching tricks."""
    norms = []
    for x in points:
        x = x.unsqueeze(0).clone().requires_grad_(True)
        (grad,) = torch.autograd.grad(D(x).sum(), x)
        norms.append(math.sqrt(float((grad**2).sum())))
    return torch.tensor(norms)


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


def test_weight_clipping_keeps_every_weight_in_range():
    D = tiny_critic()
    with torch.no_grad():
        for p in D.parameters():
            p.mul_(100)
    (clip,) = build_regularizers([{"name": "weight_clipping", "clip": 0.01}])
    clip.after_discriminator_step(D)
    assert all(p.abs().max() <= 0.01 for p in D.parameters())
    assert any(p.abs().max() == 0.01 for p in D.parameters())


def test_weight_penalties():
    net = nn.Linear(2, 1)
    with torch.no_grad():
        net.weight.copy_(torch.tensor([[1.0, -2.0]]))
        net.bias.fill_(3.0)
    l1, l2 = build_regularizers(
        [
            {"name": "weight_l1", "weight": 0.5},
            {"name": "weight_l2", "weight": 0.1, "net": "generator"},
        ]
    )
    assert l1.discriminator_penalty(net, None, None).item() == pytest.approx(0.5 * 6)
    assert l1.generator_penalty(net) is None
    assert l2.generator_penalty(net).item() == pytest.approx(0.1 * 14)


@pytest.mark.parametrize("name", ["l1", "l2"])
def test_old_l1_l2_names_say_what_they_were_renamed_to(name):
    for item in (name, {"name": name, "weight": 1.0}):
        with pytest.raises(UnknownNameError, match=f"weight_{name}.*pixel_{name}"):
            build_regularizers([item])


def test_pixel_penalties_to_the_closest_target():
    outputs = torch.tensor([[0.0, 1.0], [2.0, 2.0]]).view(2, 1, 1, 2)
    targets = torch.tensor(
        [
            [[1.0, 1.0], [0.0, 3.0]],  # |diff| means 0.5, 1.0; squared means 0.5, 2.0
            [[2.0, 4.0], [3.2, 3.2]],  # |diff| means 1.0, 1.2; squared means 2.0, 1.44
        ]
    ).view(2, 2, 1, 1, 2)
    l1, l2 = build_regularizers(
        [{"name": "pixel_l1", "weight": 3.0}, {"name": "pixel_l2", "weight": 2.0}]
    )
    assert l1.pixel_penalty(outputs, targets).item() == pytest.approx(3.0 * (0.5 + 1.0) / 2)
    assert l2.pixel_penalty(outputs, targets).item() == pytest.approx(2.0 * (0.5 + 1.44) / 2)
    one = targets[:, :1]
    assert l1.pixel_penalty(outputs, one).item() == pytest.approx(
        3.0 * (outputs - one[:, 0]).abs().mean().item()
    )
    assert l1.discriminator_penalty(None, None, None) is None
    assert Regularizer().pixel_penalty(outputs, targets) is None


def test_pixel_penalties_need_paired_data():
    nets = {"discriminator": nn.Identity(), "generator": nn.Identity()}
    for name in ("pixel_l1", "pixel_l2"):
        (pixel,) = build_regularizers([name])
        pixel.check(DataSpec("paired", (3, 8, 8), input_shape=(3, 8, 8)), nets)
        with pytest.raises(ConfigError, match="needs paired data"):
            pixel.check(DataSpec("image", (3, 8, 8)), nets)


def cosine_image(k_rows: int, k_cols: int, n: int = 8) -> torch.Tensor:
    """cos(2 pi (k_rows i + k_cols j) / n): one frequency, k cycles per image on each axis."""
    i, j = torch.meshgrid(torch.arange(n), torch.arange(n), indexing="ij")
    return torch.cos(2 * math.pi * (k_rows * i + k_cols * j) / n).view(1, 1, n, n)


def test_sobolev_filter_thesis_scaling_on_a_single_frequency():
    for k_rows, k_cols in ((0, 2), (1, 3), (4, 0)):
        x = cosine_image(k_rows, k_cols)
        gain = (1 + k_rows**2 + k_cols**2) ** (1.5 / 2)
        assert torch.allclose(sobolev_filter(x, 1.5), gain * x, atol=1e-4)
        assert torch.allclose(sobolev_filter(x, 1.5, "thesis"), gain * x, atol=1e-4)


def test_sobolev_filter_authors_scaling_on_a_single_frequency():
    x = cosine_image(0, 2)  # xi = 2 / (8 // 2) = 0.5
    assert torch.allclose(
        sobolev_filter(x, 1.5, "authors"), (1 + 5 * 0.5**2) ** 0.75 * x, atol=1e-4
    )
    assert torch.allclose(
        sobolev_filter(x, 1.5, "authors", c=2.0), (1 + 2 * 0.5**2) ** 0.75 * x, atol=1e-4
    )
    with pytest.raises(ConfigError, match="scaling=authors"):
        sobolev_filter(x, 1.0, "thesis", c=5.0)
    with pytest.raises(UnknownNameError, match="authors, thesis"):
        BanachGradientPenalty(s=1.0, scaling="paper")


def test_banach_penalty_uses_the_thesis_scaling_unless_told():
    x = cosine_image(1, 2)
    thesis, authors = BanachGradientPenalty(s=1.0), BanachGradientPenalty(s=1.0, scaling="authors")
    size = x.flatten(1).norm(dim=1)
    assert thesis.norm(x) == pytest.approx(float((1 + 5) ** 0.5 * size), rel=1e-4)
    assert authors.norm(x) == pytest.approx(float((1 + 5 * 5 / 16) ** 0.5 * size), rel=1e-4)
    assert authors.dual_norm(x) == pytest.approx(float((1 + 5 * 5 / 16) ** -0.5 * size), rel=1e-4)
    with pytest.raises(ConfigError, match="scaling=authors"):
        build_regularizers([{"name": "banach_gradient_penalty", "s": 1.0, "c": 5.0}])


def test_sobolev_filter_properties():
    x = torch.randn(2, 3, 8, 8)
    assert torch.equal(sobolev_filter(x, 0.0), x)
    constant = torch.full((1, 1, 8, 8), 2.0)
    assert torch.allclose(sobolev_filter(constant, 1.0), constant, atol=1e-5)  # DC untouched
    assert torch.allclose(sobolev_filter(sobolev_filter(x, 1.5), -1.5), x, atol=1e-4)
    # s > 0 amplifies high frequencies: a checkerboard gains energy, a constant does not
    checker = (torch.arange(8)[:, None] + torch.arange(8)[None, :]) % 2 * 2.0 - 1
    assert sobolev_filter(checker.view(1, 1, 8, 8).float(), 1.0).norm() > checker.float().norm()


def test_banach_penalty_with_l2_is_the_gradient_penalty_scaled_by_the_data():
    D = tiny_critic()
    real, fake = torch.randn(6, 1, 8, 8), torch.randn(6, 1, 8, 8)
    banach = BanachGradientPenalty(s=0.0, p=2.0, weight=3.0)
    torch.manual_seed(2)
    penalty = banach.discriminator_penalty(D, real, fake)
    torch.manual_seed(2)
    alpha = torch.rand(6, 1, 1, 1)
    norms = direct_gradient_norms(D, alpha * real + (1 - alpha) * fake)
    gamma = real.flatten(1).norm(dim=1).mean()
    expected = 3.0 * gamma * ((norms / gamma - 1) ** 2).mean()
    assert penalty.item() == pytest.approx(expected.item(), rel=1e-4)


def test_banach_dual_exponent_and_sobolev_orders():
    banach = BanachGradientPenalty(s=1.0, p=10.0)
    assert banach.q == pytest.approx(10 / 9)
    x = torch.randn(3, 1, 8, 8)
    assert torch.allclose(
        banach.dual_norm(x), sobolev_filter(x, -1.0).flatten(1).norm(p=10 / 9, dim=1)
    )
    with pytest.raises(ConfigError, match="s=0"):
        banach.check(DataSpec("points", (2,)), {"discriminator": nn.Identity()})


def test_regularizer_names_and_options_are_checked():
    with pytest.raises(UnknownNameError, match="Did you mean 'gradient_penalty'"):
        build_regularizers(["gradient_penalti"])
    with pytest.raises(UnknownNameError, match="Did you mean 'weight'"):
        build_regularizers([{"name": "r1", "wieght": 1}])
    with pytest.raises(ConfigError, match="give a name"):
        build_regularizers([3])


def test_gradient_penalty_warns_about_batch_norm():
    nets = {"discriminator": nn.Sequential(nn.BatchNorm2d(1))}
    (gp,) = build_regularizers(["gradient_penalty"])
    with pytest.warns(UserWarning, match="BatchNorm"):
        gp.check(DataSpec("image", (1, 8, 8)), nets)
