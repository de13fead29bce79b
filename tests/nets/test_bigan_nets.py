"""BiGAN's nets: the encoder inverts shapes, and the discriminator reads (x, z) together."""

import torch

from gankit.core.spec import DataSpec
from gankit.nets import build_generator
from gankit.nets.bigan import BiGANEncoder, JointDiscriminator

SPEC = DataSpec("image", (1, 16, 16))


def test_generator_encoder_and_discriminator_shapes():
    G = build_generator("bigan", 6, SPEC, {"width": 32})
    E = BiGANEncoder(SPEC, 6, width=32)
    D = JointDiscriminator(SPEC, 6, width=32)
    x = G(torch.rand(4, 6) * 2 - 1)
    assert x.shape == (4, 1, 16, 16) and x.abs().max() <= 1
    assert E(x).shape == (4, 6)
    assert D(x, E(x)).shape == (4,)


def test_the_discriminator_takes_the_joint_input():
    torch.manual_seed(0)
    D = JointDiscriminator(SPEC, 6, width=32)
    x = torch.rand(3, 1, 16, 16).requires_grad_(True)
    z = torch.rand(3, 6).requires_grad_(True)
    score = D(x, z)
    score.sum().backward()
    assert x.grad.abs().sum() > 0 and z.grad.abs().sum() > 0  # both halves reach the score
    assert not torch.allclose(D(x, z), D(x, torch.rand(3, 6)))  # same x, other z
    assert not torch.allclose(D(x, z), D(torch.rand(3, 1, 16, 16), z))  # same z, other x
