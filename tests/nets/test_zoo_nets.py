import pytest
import torch

from gankit.core.spec import DataSpec
from gankit.errors import ConfigError
from gankit.nets import build_discriminator, build_generator
from gankit.nets.packing import PackedDiscriminator, packed_spec


@pytest.mark.parametrize("size", [16, 28, 32])
def test_resnet_nets_make_and_score_images(size):
    spec = DataSpec("image", (3, size, size))
    G = build_generator("resnet", 8, spec, {"width": 8})
    D = build_discriminator("resnet", spec, {"width": 8, "pooling": "mean"})
    images = G(torch.randn(2, 8))
    assert images.shape == (2, 3, size, size) and images.abs().max() <= 1
    assert D(images).shape == (2,)
    assert not any(isinstance(m, torch.nn.BatchNorm2d) for m in D.modules())  # SN-friendly


def test_resnet_32px_has_the_papers_blocks():
    spec = DataSpec("image", (3, 32, 32))
    G = build_generator("resnet", 128, spec, {})
    assert len(G.blocks) == 3 and G.project.out_features == 4 * 4 * 256
    D = build_discriminator("resnet", spec, {})
    assert [block.down for block in D.blocks] == [True, True, False, False]


@pytest.mark.parametrize("size", [8, 16, 28, 32])
def test_began_autoencoder_outputs_energies(size):
    spec = DataSpec("image", (1, size, size))
    D = build_discriminator("began", spec, {"filters": 4, "hidden": 8})
    x = torch.rand(3, 1, size, size) * 2 - 1
    energy = D(x)
    assert energy.shape == (3,) and (energy >= 0).all()
    assert torch.allclose(energy, (x - D.reconstruct(x)).abs().mean(dim=(1, 2, 3)))
    assert D.output_kind == "energy"
    G = build_generator("began", 8, spec, {"filters": 4})
    assert G(torch.rand(2, 8)).shape == (2, 1, size, size)


def test_packing_concatenates_samples_for_one_decision():
    spec = DataSpec("points", (2,))
    inner = build_discriminator("mlp", packed_spec(spec, 4), {"hidden": [8]})
    D = PackedDiscriminator(inner, 4)
    x = torch.randn(12, 2)
    out = D(x)
    assert out.shape == (3,)
    assert torch.allclose(out, inner(x.view(3, 8)))
    with pytest.raises(ConfigError, match="divisible by 4"):
        D(torch.randn(10, 2))


def test_packed_images_stack_channels():
    spec = DataSpec("image", (1, 16, 16))
    assert packed_spec(spec, 2).shape == (2, 16, 16)
    inner = build_discriminator("dcgan", packed_spec(spec, 2), {"width": 4})
    assert PackedDiscriminator(inner, 2)(torch.randn(6, 1, 16, 16)).shape == (3,)
