import pytest
import torch

from gankit.errors import ConfigError
from gankit.nets.patchgan import build_patch_discriminator, receptive_field


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
