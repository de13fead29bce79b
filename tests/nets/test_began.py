import pytest
import torch

from gankit.core.spec import DataSpec
from gankit.nets import build_discriminator, build_generator


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
