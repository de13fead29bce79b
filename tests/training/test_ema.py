import pytest
import torch

from gankit.training.ema import EMA


def test_ema_averages_weights_and_copies_buffers():
    net = torch.nn.BatchNorm1d(1)
    ema = EMA(net, decay=0.5)
    with torch.no_grad():
        net.weight.fill_(3.0)
        net.running_mean.fill_(7.0)
    ema.update(net, step=1)
    assert ema.module.weight.item() == pytest.approx(2.0)  # 0.5 * 1 + 0.5 * 3
    assert ema.module.running_mean.item() == 7.0
    assert not any(p.requires_grad for p in ema.module.parameters())


def test_ema_copies_before_start_step():
    net = torch.nn.Linear(1, 1)
    ema = EMA(net, decay=0.99, start_step=10)
    with torch.no_grad():
        net.weight.fill_(5.0)
    ema.update(net, step=3)
    assert ema.module.weight.item() == 5.0
