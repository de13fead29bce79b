import math

import pytest
import torch

from gankit.errors import UnknownNameError
from gankit.losses import build_loss


def test_discriminator_log_loss_known_value():
    # D(x) = sigmoid(0) = 0.5 on both: -[log 0.5 + log 0.5] = 2 log 2
    zeros = torch.zeros(4)
    for name in ("minimax", "nonsaturating"):
        assert build_loss(name).discriminator_loss(zeros, zeros).item() == pytest.approx(
            2 * math.log(2)
        )


def test_generator_losses_match_their_formulas():
    logits = torch.tensor([-3.0, 0.0, 2.0])
    d = torch.sigmoid(logits)
    minimax = build_loss("minimax").generator_loss(logits)
    nonsaturating = build_loss("nonsaturating").generator_loss(logits)
    assert minimax.item() == pytest.approx(torch.log(1 - d).mean().item(), rel=1e-5)
    assert nonsaturating.item() == pytest.approx(-torch.log(d).mean().item(), rel=1e-5)


def test_nonsaturating_gradient_is_strong_where_minimax_saturates():
    # D confidently rejects the fake (logit -8): minimax's gradient vanishes, the fix's does not.
    grads = {}
    for name in ("minimax", "nonsaturating"):
        logit = torch.tensor([-8.0], requires_grad=True)
        build_loss(name).generator_loss(logit).backward()
        grads[name] = logit.grad.abs().item()
    assert grads["minimax"] < 1e-3 < 0.9 < grads["nonsaturating"]


def test_losses_are_stable_for_extreme_logits():
    big = torch.tensor([1e4, -1e4])
    for name in ("minimax", "nonsaturating"):
        loss = build_loss(name)
        assert torch.isfinite(loss.discriminator_loss(big, -big))
        assert torch.isfinite(loss.generator_loss(big))


def test_unknown_loss():
    with pytest.raises(UnknownNameError, match="nonsaturating"):
        build_loss("non-saturating")
