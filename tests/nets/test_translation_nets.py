import pytest
import torch

from gankit.errors import ConfigError
from gankit.nets.patchgan import build_patch_discriminator, receptive_field
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


def empirical_receptive_field(D, size):
    """Width of the input region that moves the centre output: gradients, not arithmetic."""
    D.eval()
    x = torch.randn(1, D.net[0].in_channels, size, size, requires_grad=True)
    out = D(x)
    out[0, 0, out.shape[2] // 2, out.shape[3] // 2].backward()
    columns = (x.grad.abs().sum(dim=(0, 1, 2)) > 0).nonzero().flatten()
    return int(columns.max() - columns.min() + 1)


@pytest.mark.parametrize("field", [1, 16, 70])
def test_patchgan_receptive_fields(field):
    D = build_patch_discriminator("patch", 6, 128, {"receptive_field": field, "width": 4})
    assert D.receptive_field == field
    assert empirical_receptive_field(D, 128) == field


def test_286_field_needs_bigger_images_and_global_gives_one_score():
    with pytest.raises(ConfigError, match="at least 128 px"):
        build_patch_discriminator("patch", 6, 64, {"receptive_field": 286})
    assert (
        build_patch_discriminator(
            "patch", 6, 256, {"receptive_field": 286, "width": 4}
        ).receptive_field
        == 286
    )
    D = build_patch_discriminator("global", 6, 64, {"width": 4})
    assert D(torch.randn(3, 6, 64, 64)).shape == (3, 1, 1, 1)


def test_receptive_field_arithmetic():
    assert receptive_field([(4, 2)] * 3 + [(4, 1), (4, 1)]) == 70
    assert receptive_field([(3, 1), (3, 1)]) == 5


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
