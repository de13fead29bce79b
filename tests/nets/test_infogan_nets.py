"""The InfoGAN MNIST nets: the paper's layer sizes, and D and Q heads on one shared trunk."""

import pytest
import torch

from gankit.core.spec import DataSpec
from gankit.errors import ConfigError
from gankit.nets import build_discriminator, build_generator


def test_the_mnist_nets_have_the_papers_layers():
    spec = DataSpec("image", (1, 28, 28))
    G = build_generator("infogan", 74, spec, {})
    assert [m.out_features for m in G.fc if isinstance(m, torch.nn.Linear)] == [1024, 7 * 7 * 128]
    assert [m.out_channels for m in G.conv if isinstance(m, torch.nn.ConvTranspose2d)] == [64, 1]
    D = build_discriminator("infogan", spec, {"q_outputs": 12})
    convs = [m for m in D.trunk if isinstance(m, torch.nn.Conv2d)]
    assert [(c.out_channels, c.kernel_size, c.stride) for c in convs] == [
        (64, (4, 4), (2, 2)),
        (128, (4, 4), (2, 2)),
    ]
    assert D.head.in_features == 1024 and D.q[0].out_features == 128


@pytest.mark.parametrize("size", [16, 28, 32])
def test_heads_have_the_right_shapes(size):
    spec = DataSpec("image", (1, size, size))
    G = build_generator("infogan", 20, spec, {"width": 8})
    D = build_discriminator("infogan", spec, {"width": 8, "q_outputs": 12})
    images = G(torch.rand(5, 20))
    assert images.shape == (5, 1, size, size) and images.abs().max() <= 1
    score, q = D.score_and_q(images)
    assert score.shape == (5,) and q.shape == (5, 12)
    D.eval()
    assert torch.allclose(D(images), D.score_and_q(images)[0])  # forward is the D head alone


def test_q_shares_the_trunk_and_a_plain_discriminator_has_no_q():
    spec = DataSpec("image", (1, 16, 16))
    D = build_discriminator("infogan", spec, {"width": 8, "q_outputs": 3})
    _, q = D.score_and_q(torch.rand(4, 1, 16, 16))
    q.sum().backward()
    assert D.trunk[0].weight.grad is not None and D.head.weight.grad is None
    plain = build_discriminator("infogan", spec, {"width": 8})
    with pytest.raises(ConfigError, match="without a Q head"):
        plain.score_and_q(torch.rand(2, 1, 16, 16))


def test_sizes_not_divisible_by_four_are_refused():
    with pytest.raises(ConfigError, match="divisible by 4"):
        build_generator("infogan", 8, DataSpec("image", (1, 18, 18)), {})
