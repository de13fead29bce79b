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


def test_least_squares_known_values():
    real, fake = torch.tensor([1.0, 0.0]), torch.tensor([0.5, -1.0])
    loss = build_loss("least_squares")  # a=0, b=1, c=1
    # D: 1/2 mean((real-1)^2) + 1/2 mean(fake^2) = 1/2 * 0.5 + 1/2 * 0.625
    assert loss.discriminator_loss(real, fake).item() == pytest.approx(0.25 + 0.3125)
    # G: 1/2 mean((fake-1)^2) = 1/2 * (0.25 + 4) / 2
    assert loss.generator_loss(fake).item() == pytest.approx(1.0625)
    symmetric = build_loss("least_squares", {"a": -1, "b": 1, "c": 0})
    assert symmetric.generator_loss(torch.zeros(3)).item() == 0


def test_wasserstein_and_hinge_known_values():
    real, fake = torch.tensor([2.0, 0.5]), torch.tensor([-0.5, 1.5])
    wasserstein = build_loss("wasserstein")
    assert wasserstein.discriminator_loss(real, fake).item() == pytest.approx(0.5 - 1.25)
    assert wasserstein.generator_loss(fake).item() == pytest.approx(-0.5)
    hinge = build_loss("hinge")
    # relu(1-2)=0, relu(1-0.5)=0.5 -> 0.25; relu(1-0.5)=0.5, relu(1+1.5)=2.5 -> 1.5
    assert hinge.discriminator_loss(real, fake).item() == pytest.approx(0.25 + 1.5)
    assert hinge.generator_loss(fake).item() == pytest.approx(-0.5)


def test_began_control_and_convergence_measure():
    loss = build_loss("began", {"gamma": 0.5, "lambda_k": 0.1})
    real, fake = torch.tensor([0.4, 0.6]), torch.tensor([0.1, 0.1])  # L(x)=0.5, L(G(z))=0.1
    assert loss.discriminator_loss(real, fake).item() == pytest.approx(0.5)  # k_0 = 0
    logs = loss.after_discriminator_step(real, fake)
    # k_1 = 0 + 0.1 * (0.5 * 0.5 - 0.1) = 0.015; M = 0.5 + |0.25 - 0.1| = 0.65
    assert logs["k"].item() == pytest.approx(0.015)
    assert logs["m_global"].item() == pytest.approx(0.65)
    assert loss.discriminator_loss(real, fake).item() == pytest.approx(0.5 - 0.015 * 0.1)
    for _ in range(1000):
        loss.after_discriminator_step(real, fake)
    assert loss.k.item() == 1.0  # clipped to [0, 1]
    restored = build_loss("began")
    restored.load_state_dict(loss.state_dict())
    assert restored.k.item() == 1.0


def test_loss_options_are_checked():
    with pytest.raises(UnknownNameError, match="Did you mean 'gamma'"):
        build_loss("began", {"gamme": 0.3})


def test_one_sided_label_smoothing():
    loss = build_loss("nonsaturating", {"real_label": 0.9})
    real, fake = torch.tensor([2.0]), torch.tensor([-1.0])
    d = torch.sigmoid(real)
    expected = -(0.9 * torch.log(d) + 0.1 * torch.log(1 - d)) - torch.log(1 - torch.sigmoid(fake))
    assert loss.discriminator_loss(real, fake).item() == pytest.approx(expected.item(), rel=1e-5)
    assert build_loss("nonsaturating").discriminator_loss(real, fake) < loss.discriminator_loss(
        real, fake
    )


def test_least_squares_without_the_halves():
    """halved=False: D = MSE(real, b) + MSE(fake, a), G = MSE(fake, c) (Zhu et al. 2017, §4)."""
    real, fake = torch.tensor([1.0, 0.0]), torch.tensor([0.5, -1.0])
    loss = build_loss("least_squares", {"halved": False})
    assert loss.discriminator_loss(real, fake).item() == pytest.approx(0.5 + 0.625)
    assert loss.generator_loss(fake).item() == pytest.approx((0.25 + 4) / 2)
    smoothed = build_loss("least_squares", {"halved": False, "b": 0.9})
    assert smoothed.discriminator_loss(real, fake).item() == pytest.approx(
        (0.01 + 0.81) / 2 + 0.625
    )


class _Constant(torch.nn.Module):
    def __init__(self, value):
        super().__init__()
        self.value = value
        self.unused = torch.nn.Parameter(torch.zeros(()))

    def forward(self, z):
        return torch.full((len(z), 1, 16, 16), self.value) + self.unused


class _Mean(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.scale = torch.nn.Parameter(torch.ones(()))

    def forward(self, x):
        return self.scale * x.flatten(1).mean(1)


def test_lsgan_recipe_keeps_mao_et_al_halves():
    """configs/lsgan.yaml: D 1/2 E[(D(x) - 1)^2] + 1/2 E[D(G(z))^2], G 1/2 E[(D(G(z)) - 1)^2]
    (Mao et al. 2017, Eq. 2 with the 0-1 coding of Eq. 9)."""
    from gankit.core.spec import DataSpec
    from gankit.methods import METHODS
    from gankit.runs.launch import resolve_config

    cfg = resolve_config(None, "configs/lsgan.yaml", ["generator.width=8", "discriminator.width=8"])
    method = METHODS.get("lsgan")(cfg, DataSpec("image", (1, 16, 16)), "cpu")
    method.nets = {"generator": _Constant(-0.4), "discriminator": _Mean()}
    method.optimizers = {n: torch.optim.SGD(v.parameters(), lr=0.0) for n, v in method.nets.items()}
    logs = method.train_step((torch.full((4, 1, 16, 16), 0.2), torch.zeros(4)), True)
    assert logs["d_loss"].item() == pytest.approx(0.5 * (0.2 - 1) ** 2 + 0.5 * 0.4**2)
    assert logs["g_loss"].item() == pytest.approx(0.5 * (-0.4 - 1) ** 2)
