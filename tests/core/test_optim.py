import pytest
import torch

from gankit.config import OptimizerConfig, TrainConfig
from gankit.core.optim import build_optimizer, build_scheduler
from gankit.errors import ConfigError, UnknownNameError


def params():
    return [torch.nn.Parameter(torch.zeros(2))]


def test_optimizers_take_their_settings():
    adam = build_optimizer(params(), OptimizerConfig("adam", lr=1e-4, betas=(0.0, 0.9)))
    assert isinstance(adam, torch.optim.Adam) and adam.defaults["betas"] == (0.0, 0.9)
    rms = build_optimizer(params(), OptimizerConfig("rmsprop", lr=5e-5))
    assert isinstance(rms, torch.optim.RMSprop) and rms.defaults["lr"] == 5e-5
    sgd = build_optimizer(params(), OptimizerConfig("sgd", lr=0.1, momentum=0.5))
    assert sgd.defaults["momentum"] == 0.5
    with pytest.raises(UnknownNameError, match="Did you mean 'adam'"):
        build_optimizer(params(), OptimizerConfig("adma"))


def test_amsgrad_reaches_adam_and_is_refused_elsewhere():
    assert build_optimizer(params(), OptimizerConfig()).param_groups[0]["amsgrad"] is False
    adam = build_optimizer(params(), OptimizerConfig("adam", amsgrad=True))
    assert all(group["amsgrad"] is True for group in adam.param_groups)
    for name in ("rmsprop", "sgd"):
        with pytest.raises(ConfigError, match=f"amsgrad is an Adam option.*{name}"):
            build_optimizer(params(), OptimizerConfig(name, amsgrad=True))
    with pytest.raises(UnknownNameError, match="Did you mean 'adam'"):  # the name first
        build_optimizer(params(), OptimizerConfig("adma", amsgrad=True))


def test_linear_decay_schedule():
    optimizer = build_optimizer(params(), OptimizerConfig(lr=1.0))
    scheduler = build_scheduler(optimizer, TrainConfig(lr_decay="linear", lr_decay_start=2), 6)
    lrs = []
    for _ in range(6):
        lrs.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    assert lrs == pytest.approx([1, 1, 1, 0.75, 0.5, 0.25])
    with pytest.raises(ConfigError, match="lr_decay_start"):
        build_scheduler(optimizer, TrainConfig(lr_decay="linear", lr_decay_start=6), 6)
