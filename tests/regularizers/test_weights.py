"""Weight clipping and the L1/L2 weight penalties (gankit.regularizers.weights)."""

import pytest
import torch
from tiny_critics import tiny_critic
from torch import nn

from gankit.regularizers import build_regularizers


def test_weight_clipping_keeps_every_weight_in_range():
    D = tiny_critic()
    with torch.no_grad():
        for p in D.parameters():
            p.mul_(100)
    (clip,) = build_regularizers([{"name": "weight_clipping", "clip": 0.01}])
    clip.after_discriminator_step(D)
    assert all(p.abs().max() <= 0.01 for p in D.parameters())
    assert any(p.abs().max() == 0.01 for p in D.parameters())


def test_weight_penalties():
    net = nn.Linear(2, 1)
    with torch.no_grad():
        net.weight.copy_(torch.tensor([[1.0, -2.0]]))
        net.bias.fill_(3.0)
    l1, l2 = build_regularizers(
        [
            {"name": "weight_l1", "weight": 0.5},
            {"name": "weight_l2", "weight": 0.1, "net": "generator"},
        ]
    )
    assert l1.discriminator_penalty(net, None, None).item() == pytest.approx(0.5 * 6)
    assert l1.generator_penalty(net) is None
    assert l2.generator_penalty(net).item() == pytest.approx(0.1 * 14)
