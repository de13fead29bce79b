"""LAPGAN's level nets and sampler: shapes, and coarse-to-fine sampling."""

import torch

from gankit.core.spec import DataSpec
from gankit.nets.lapgan import LaplacianGenerator, LevelDiscriminator, LevelGenerator
from gankit.nets.mlp import MLPGenerator
from gankit.nets.pyramid import upsample


def test_level_nets_shapes():
    G = LevelGenerator(channels=3, width=8)
    low = torch.rand(2, 3, 14, 14)
    band = G(torch.rand(2, 1, 14, 14), low)
    assert band.shape == (2, 3, 14, 14)
    for size in (7, 14, 28):
        D = LevelDiscriminator(channels=3, size=size, width=8)
        assert D(torch.rand(2, 3, size, size), torch.rand(2, 3, size, size)).shape == (2,)


def test_the_discriminator_scores_the_band_added_to_the_low_pass_image():
    D = LevelDiscriminator(channels=1, size=14, width=8)
    band, low = torch.rand(2, 1, 14, 14), torch.rand(2, 1, 14, 14)
    assert torch.allclose(D(band, low), D(band + low, torch.zeros_like(low)))


def test_sampling_runs_coarse_to_fine():
    torch.manual_seed(0)
    levels = [LevelGenerator(1, width=4), LevelGenerator(1, width=4),
              MLPGenerator(5, DataSpec("image", (1, 4, 4)), hidden=(8,))]  # fmt: skip
    pyramid = LaplacianGenerator(levels).eval()
    latents = (torch.randn(2, 5), torch.randn(2, 1, 8, 8), torch.randn(2, 1, 16, 16))
    images = pyramid.images(*latents)
    assert [im.shape[-1] for im in images] == [4, 8, 16]
    assert torch.allclose(images[0], levels[2](latents[0]))
    middle = upsample(images[0]) + levels[1](latents[1], upsample(images[0]))
    assert torch.allclose(images[1], middle)
    assert torch.allclose(images[2], upsample(middle) + levels[0](latents[2], upsample(middle)))
    assert torch.equal(pyramid(*latents), images[2].clamp(-1, 1))


def test_the_sampler_expands_with_the_pyramid_it_was_given():
    torch.manual_seed(0)
    levels = [
        LevelGenerator(1, width=4),
        MLPGenerator(5, DataSpec("image", (1, 4, 4)), hidden=(8,)),
    ]
    latents = (torch.randn(2, 5), torch.randn(2, 1, 8, 8))
    for kind in ("gaussian", "average"):
        pyramid = LaplacianGenerator(levels, kind).eval()
        coarse, fine = pyramid.images(*latents)
        low = upsample(coarse, kind)
        assert torch.allclose(fine, low + levels[0](latents[1], low))
