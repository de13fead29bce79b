import pytest
import torch

from gankit.core.spec import DataSpec
from gankit.nets import build_discriminator, build_generator


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
