import pytest
import torch

from gankit.errors import ConfigError
from gankit.nets.translation import TRANSLATORS, build_translator

SIZES = {"digits": (28, 32)}  # the small digit nets make digit-sized images only
CASES = [(name, size) for name in TRANSLATORS.names() for size in SIZES.get(name, (32, 64))]


@pytest.mark.parametrize(("name", "size"), CASES)
def test_every_generator_keeps_the_image_size(name, size):
    G = build_translator(name, 1, 3, size, {"width": 8, "norm": "instance"})
    out = G(torch.rand(2, 1, size, size) * 2 - 1)
    assert out.shape == (2, 3, size, size) and out.abs().max() <= 1


def test_unet_256_has_eight_downsamplings_and_the_papers_widths():
    G = build_translator("unet", 3, 3, 256, {})
    assert len(G.encoder.blocks) == 8
    convs = [m for b in G.encoder.blocks for m in b if isinstance(m, torch.nn.Conv2d)]
    assert [c.out_channels for c in convs] == [64, 128, 256, 512, 512, 512, 512, 512]
    dropouts = [any(isinstance(m, torch.nn.Dropout) for m in block) for block in G.decoder]
    assert dropouts == [True, True, True, False, False, False, False, False]  # CD512-CD1024-CD1024


def test_skips_matter():
    torch.manual_seed(0)
    skip = build_translator("unet", 1, 1, 32, {"width": 8})
    noskip = build_translator("unet-noskip", 1, 1, 32, {"width": 8})
    assert sum(p.numel() for p in skip.parameters()) > sum(p.numel() for p in noskip.parameters())


def test_resnet_block_count_follows_the_size():
    assert (
        len(
            [
                m
                for m in build_translator("resnet", 3, 3, 64, {}).net
                if type(m).__name__ == "ResidualBlock"
            ]
        )
        == 6
    )
    assert (
        len(
            [
                m
                for m in build_translator("resnet", 3, 3, 256, {}).net
                if type(m).__name__ == "ResidualBlock"
            ]
        )
        == 9
    )


def test_bad_sizes_are_explained():
    with pytest.raises(ConfigError, match="power-of-two"):
        build_translator("unet", 3, 3, 48, {})


@pytest.mark.parametrize("size", [28, 32])
def test_digits_translator_upsamples_by_nearest_doubling_or_transposed_convolutions(size):
    images = torch.zeros(2, 1, size, size)
    transposed = build_translator("digits", 1, 1, size, {"upsampling": "transposed"})
    nearest = build_translator("digits", 1, 1, size, {})
    assert transposed(images).shape == nearest(images).shape == images.shape
    kinds = {type(m).__name__ for m in nearest.up.modules()}
    assert "Upsample" in kinds and "ConvTranspose2d" not in kinds
    with pytest.raises(ConfigError, match="upsampling must be"):
        build_translator("digits", 1, 1, size, {"upsampling": "bilinear"})
