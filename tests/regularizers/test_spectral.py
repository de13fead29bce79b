"""Spectral normalisation: one power iteration per update of W (Miyato et al. 2018, Alg. 1)."""

import pytest
import torch
from torch import nn

from gankit.errors import UnknownNameError
from gankit.regularizers import build_regularizers


def critic() -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(
        nn.Conv2d(1, 4, 3, 2, 1), nn.LeakyReLU(0.2), nn.Flatten(), nn.Linear(4 * 4 * 4, 1)
    )


def normalised(D: nn.Module, options: dict | None = None) -> nn.Module:
    (sn,) = build_regularizers([{"name": "spectral_norm", **(options or {})}])
    sn.prepare({"discriminator": D, "generator": nn.Identity()})
    return D


def u_of(layer: nn.Module) -> torch.Tensor:
    return layer.parametrizations.weight[0]._u.clone()


def test_the_norm_is_estimated_once_per_update_not_once_per_forward():
    D = normalised(critic())
    x = torch.randn(2, 1, 8, 8)
    D(x)
    first = u_of(D[0])
    D(x), D(x)  # D on the fake batch, then in G's step: W unchanged, no new iteration
    assert torch.equal(u_of(D[0]), first)
    optimizer = torch.optim.Adam(D.parameters(), lr=0.1, fused=True)
    D(x).sum().backward()
    optimizer.step()
    D(x)
    assert not torch.equal(u_of(D[0]), first)  # the update moved W, so u moved once
    after_update = u_of(D[0])
    D(x)
    assert torch.equal(u_of(D[0]), after_update)


def test_per_forward_iteration_is_still_available():
    D = normalised(critic(), {"iterate": "forward"})
    x = torch.randn(2, 1, 8, 8)
    D(x)
    first = u_of(D[0])
    D(x)
    assert not torch.equal(u_of(D[0]), first)


@pytest.mark.parametrize(
    "layer", [nn.Conv2d(3, 5, 3), nn.ConvTranspose2d(3, 5, 4), nn.Linear(6, 7)]
)
def test_the_largest_singular_value_goes_to_one_as_w_is_updated(layer):
    torch.manual_seed(0)
    with torch.no_grad():
        layer.weight.mul_(10)  # start far from 1
    net = normalised(nn.Sequential(layer))
    dim = 1 if isinstance(layer, nn.ConvTranspose2d) else 0  # the output dimension
    optimizer = torch.optim.SGD(net.parameters(), lr=0.0)
    for _ in range(40):
        optimizer.step()  # an update that leaves W as it is
        _ = net[0].weight  # a training-mode use of W
    matrix = net[0].weight.detach().movedim(dim, 0).flatten(1)
    assert torch.linalg.matrix_norm(matrix, ord=2).item() == pytest.approx(1.0, abs=0.02)


def test_eval_mode_never_iterates():
    D = normalised(critic())
    D.eval()
    before = u_of(D[0])
    D(torch.randn(2, 1, 8, 8))
    assert torch.equal(u_of(D[0]), before)


def test_a_loaded_state_is_not_an_update_so_a_resume_iterates_as_the_run_would():
    x = torch.randn(2, 1, 8, 8)
    D = normalised(critic())
    D(x)
    saved = {k: v.clone() for k, v in D.state_dict().items()}
    uninterrupted = D(x)  # no update since the last forward: no iteration
    resumed = normalised(critic())
    torch.optim.SGD(resumed.parameters(), lr=0.1).step()  # trained on before loading
    resumed.load_state_dict(saved)
    assert torch.equal(resumed(x), uninterrupted)
    assert torch.equal(u_of(resumed[0]), u_of(D[0]))


def test_checkpoints_of_torchs_parametrization_load():
    D = critic()
    for layer in (D[0], D[3]):
        nn.utils.parametrizations.spectral_norm(layer)
    D(torch.randn(2, 1, 8, 8))
    ours = normalised(critic())
    ours.load_state_dict(D.state_dict())
    D.eval(), ours.eval()
    x = torch.randn(3, 1, 8, 8)
    torch.testing.assert_close(ours(x), D(x))


def test_an_unknown_iterate_is_refused():
    with pytest.raises(UnknownNameError, match="iterate"):
        build_regularizers([{"name": "spectral_norm", "iterate": "sometimes"}])
