"""The toy 2-D Gaussian mixtures ring8 and grid25."""

import math

import pytest
import torch

from gankit.config import DataConfig
from gankit.data import build_dataset
from gankit.errors import DataError


def build(name, **options):
    return build_dataset(DataConfig(name=name, options=options))


def test_ring8_means_sigma_and_spec():
    data = build("ring8", n_samples=1000)
    means = data.mixture.means
    assert means.shape == (8, 2)
    for k in range(8):
        angle = 2 * math.pi * k / 8
        assert torch.allclose(means[k], torch.tensor([math.cos(angle), math.sin(angle)]), atol=1e-6)
    assert data.mixture.sigma == 0.01
    assert data.spec.kind == "points" and data.spec.shape == (2,) and data.spec.num_classes == 8
    assert len(data) == 1000


def test_grid25_means_sigma_and_spec():
    data = build("grid25", n_samples=500)
    grid = {(x, y) for x in (-4, -2, 0, 2, 4) for y in (-4, -2, 0, 2, 4)}
    assert {tuple(m) for m in data.mixture.means.tolist()} == grid
    assert data.mixture.sigma == 0.05
    assert data.spec.num_classes == 25


def test_default_size_is_the_pacgan_hundred_thousand():
    assert len(build("ring8")) == 100_000


@pytest.mark.parametrize("name", ["ring8", "grid25"])
def test_labels_are_the_modes_the_points_came_from(name):
    data = build(name, n_samples=5000)
    points, labels = data.tensors
    sigma = data.mixture.sigma
    offsets = points - data.mixture.means[labels]
    assert offsets.norm(dim=1).max() < 6 * sigma
    assert abs(offsets.std().item() - sigma) < 0.1 * sigma
    assert labels.unique().numel() == data.mixture.num_modes


def test_the_sample_is_fixed_by_the_seed_and_ignores_the_global_rng():
    torch.manual_seed(1)
    first = build("ring8", n_samples=100, seed=3).tensors[0]
    torch.manual_seed(2)
    again = build("ring8", n_samples=100, seed=3).tensors[0]
    other = build("ring8", n_samples=100, seed=4).tensors[0]
    assert torch.equal(first, again)
    assert not torch.equal(first, other)


def test_sigma_option_changes_the_spread():
    data = build("grid25", n_samples=2000, sigma=0.5)
    assert data.mixture.sigma == 0.5
    points, labels = data.tensors
    spread = (points - data.mixture.means[labels]).std().item()
    assert 0.45 < spread < 0.55


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"n_samples": 0}, "n_samples"),
        ({"n_samples": 2.5}, "n_samples"),
        ({"sigma": -1.0}, "sigma"),
        ({"sigma": "wide"}, "sigma"),
        ({"seed": 1.5}, "seed"),
        ({"seed": True}, "seed"),
    ],
)
def test_bad_options_raise(options, message):
    with pytest.raises(DataError, match=message):
        build("ring8", **options)


def test_numeric_text_and_whole_floats_are_accepted():
    data = build("ring8", n_samples=1e3, sigma="1e-2", seed=2.0)
    assert len(data) == 1000 and data.mixture.sigma == 0.01


def test_image_options_do_not_apply_to_points():
    with pytest.raises(DataError, match="not images"):
        build_dataset(DataConfig(name="ring8", image_size=32))
