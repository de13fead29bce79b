"""BiGAN's nets: the encoder inverts shapes, and the discriminator reads (x, z) together."""

import pytest
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


# The authors' MNIST model (jeffdonahue/bigan: train_mnist.sh with --nobias --nogain, net.py's
# deconvnet_mnist_mlp / mnist_mlp, apply_cond) as options of the same nets.


def test_affine_false_leaves_no_bias_and_no_batch_norm_scale_or_shift():
    G = build_generator("bigan", 6, SPEC, {"width": 32, "affine": False})
    E = BiGANEncoder(SPEC, 6, width=32, affine=False)
    D = JointDiscriminator(SPEC, 6, width=32, affine=False, joint="additive", norm="batch")
    for net in (G, E, D):
        names = [name for name, _ in net.named_parameters()]
        assert names and all(name.endswith("weight") for name in names), names
        norms = [m for m in net.modules() if isinstance(m, torch.nn.BatchNorm1d)]
        assert norms and all(not m.affine for m in norms)


def test_generator_z_skip_adds_a_linear_map_of_z_before_the_second_norm():
    torch.manual_seed(0)
    G = build_generator("bigan", 6, SPEC, {"width": 32, "z_skip": True})
    z = torch.rand(5, 6) * 2 - 1
    first, second = G.net[:3], G.net[3]
    expected = G.net[4:](second(first(z)) + G.skip(z)).view(-1, 1, 16, 16)
    assert torch.allclose(G(z), expected)
    with torch.no_grad():
        G.skip.weight.zero_()
    assert torch.allclose(G(z), G.net(z).view(-1, 1, 16, 16))  # no skip: the plain generator
    assert G.skip.bias is None


def test_squashed_encoder_hands_d_codes_in_z_range_and_keeps_linear_features():
    torch.manual_seed(0)
    E = BiGANEncoder(SPEC, 6, width=32, squash=True)
    x = torch.rand(4, 1, 16, 16) * 2 - 1
    with torch.no_grad():
        E.net[-1].weight.mul_(1000)  # push the linear output far outside [-1, 1]
    features = E.net(x.flatten(1))
    assert features.abs().max() > 1
    assert torch.allclose(E(x), 2 * torch.sigmoid(features) - 1)  # the code D sees
    assert torch.allclose(E.to_code(features), E(x))
    assert E(x).abs().max() <= 1
    plain = BiGANEncoder(SPEC, 6, width=32)
    assert torch.equal(plain.to_code(features), features)


def test_additive_discriminator_adds_a_linear_map_of_z_into_its_joint_layer():
    torch.manual_seed(0)
    D = JointDiscriminator(SPEC, 6, width=32, joint="additive", norm="batch")
    x, z = torch.rand(5, 1, 16, 16), torch.rand(5, 6)
    h = D.joint[1](D.x_branch(x.flatten(1))) + D.z_branch(z)
    assert torch.allclose(D(x, z), D.joint[2:](h).squeeze(1))
    assert isinstance(D.joint[2], torch.nn.BatchNorm1d)
    assert not torch.allclose(D(x, z), D(x, torch.rand(5, 6)))  # z reaches the score


def test_unknown_joint_or_norm_is_refused():
    with pytest.raises(ValueError, match="joint"):
        JointDiscriminator(SPEC, 6, joint="sum")
    with pytest.raises(ValueError, match="norm"):
        JointDiscriminator(SPEC, 6, norm="layer")
