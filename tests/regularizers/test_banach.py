"""Banach WGAN's Sobolev-norm gradient penalty and its filter (gankit.regularizers.banach)."""

import math

import pytest
import torch
from tiny_critics import direct_gradient_norms, tiny_critic
from torch import nn

from gankit.core.spec import DataSpec
from gankit.errors import ConfigError, UnknownNameError
from gankit.regularizers import BanachGradientPenalty, build_regularizers, sobolev_filter


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
