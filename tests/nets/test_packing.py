import pytest
import torch

from gankit.core.spec import DataSpec
from gankit.errors import ConfigError
from gankit.nets import build_discriminator
from gankit.nets.packing import PackedDiscriminator, packed_spec


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
