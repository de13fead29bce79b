"""The pixel L1/L2 penalties of paired methods (gankit.regularizers.pixel). Not test_pixel.py:
tests/metrics/test_pixel.py has that basename, and pytest's default import mode needs unique
basenames in a tests tree without __init__.py files."""

import pytest
import torch
from torch import nn

from gankit.core.spec import DataSpec
from gankit.errors import ConfigError
from gankit.regularizers import Regularizer, build_regularizers


def test_pixel_penalties_to_the_closest_target():
    outputs = torch.tensor([[0.0, 1.0], [2.0, 2.0]]).view(2, 1, 1, 2)
    targets = torch.tensor(
        [
            [[1.0, 1.0], [0.0, 3.0]],  # |diff| means 0.5, 1.0; squared means 0.5, 2.0
            [[2.0, 4.0], [3.2, 3.2]],  # |diff| means 1.0, 1.2; squared means 2.0, 1.44
        ]
    ).view(2, 2, 1, 1, 2)
    l1, l2 = build_regularizers(
        [{"name": "pixel_l1", "weight": 3.0}, {"name": "pixel_l2", "weight": 2.0}]
    )
    assert l1.pixel_penalty(outputs, targets).item() == pytest.approx(3.0 * (0.5 + 1.0) / 2)
    assert l2.pixel_penalty(outputs, targets).item() == pytest.approx(2.0 * (0.5 + 1.44) / 2)
    one = targets[:, :1]
    assert l1.pixel_penalty(outputs, one).item() == pytest.approx(
        3.0 * (outputs - one[:, 0]).abs().mean().item()
    )
    assert l1.discriminator_penalty(None, None, None) is None
    assert Regularizer().pixel_penalty(outputs, targets) is None


def test_pixel_penalties_need_paired_data():
    nets = {"discriminator": nn.Identity(), "generator": nn.Identity()}
    for name in ("pixel_l1", "pixel_l2"):
        (pixel,) = build_regularizers([name])
        pixel.check(DataSpec("paired", (3, 8, 8), input_shape=(3, 8, 8)), nets)
        with pytest.raises(ConfigError, match="needs paired data"):
            pixel.check(DataSpec("image", (3, 8, 8)), nets)
