import pytest
import torch

from gankit.data.base import DataSpec
from gankit.errors import ConfigError
from gankit.methods import METHODS
from gankit.methods.base import frozen
from gankit.train.launch import resolve_config

SPEC = DataSpec("image", (1, 16, 16))
TINY = ["generator.width=8", "discriminator.width=8", "z_dim=8"]


def build(method="dcgan", overrides=()):
    cfg = resolve_config(
        method, None, [*TINY, *overrides] if method == "dcgan" else list(overrides)
    )
    torch.manual_seed(0)
    return METHODS.get(method)(cfg, SPEC, "cpu")


def batch(n=8):
    return torch.rand(n, *SPEC.shape) * 2 - 1, torch.zeros(n, dtype=torch.long)


def snapshot(net):
    return [p.detach().clone() for p in net.parameters()]


def changed(before, net):
    return any(not torch.equal(a, b) for a, b in zip(before, net.parameters()))


def test_discriminator_only_step_leaves_the_generator_alone():
    method = build()
    G, D = method.nets["generator"], method.nets["discriminator"]
    g0, d0 = snapshot(G), snapshot(D)
    logs = method.train_step(batch(), update_generator=False)
    assert changed(d0, D) and not changed(g0, G)
    assert set(logs) == {"d_loss", "d_real", "d_fake"}


def test_full_step_updates_both_and_reports_losses():
    method = build()
    G = method.nets["generator"]
    g0 = snapshot(G)
    logs = method.train_step(batch(), update_generator=True)
    assert changed(g0, G)
    assert {"d_loss", "g_loss"} <= set(logs)
    assert all(v.dim() == 0 and not v.requires_grad for v in logs.values())


def test_generator_update_leaves_discriminator_weights_and_grad_flags_alone():
    critic_only, full = build(), build()
    data = batch()
    torch.manual_seed(1)
    critic_only.train_step(data, update_generator=False)
    torch.manual_seed(1)
    full.train_step(data, update_generator=True)
    for a, b in zip(
        critic_only.nets["discriminator"].parameters(), full.nets["discriminator"].parameters()
    ):
        assert torch.equal(a, b)
        assert b.requires_grad  # frozen only for the duration of the generator step


def test_frozen_blocks_weight_gradients_but_not_input_gradients():
    D = build().nets["discriminator"]
    x = torch.randn(2, *SPEC.shape, requires_grad=True)
    with frozen(D):
        D(x).sum().backward()
    assert x.grad is not None and x.grad.abs().sum() > 0
    assert all(p.grad is None for p in D.parameters())


def test_latents_follow_the_configured_prior():
    uniform = build("dcgan")  # DCGAN draws z uniformly, as in the paper
    z = uniform.sample_latent(2000, torch.Generator().manual_seed(0))
    assert z.min() >= -1 and z.max() <= 1 and z.shape == (2000, 8)
    normal = build("dcgan", ["latent=normal"])
    z = normal.sample_latent(2000, torch.Generator().manual_seed(0))
    assert z.abs().max() > 2


def test_sampling_with_a_cpu_generator_is_reproducible():
    method = build()
    a = method.generate(method.sample_latent(4, torch.Generator().manual_seed(3)))
    b = method.generate(method.sample_latent(4, torch.Generator().manual_seed(3)))
    assert torch.equal(a, b) and a.shape == (4, 1, 16, 16)
    assert method.nets["generator"].training  # generate() restores train mode


def test_interpolation_endpoints():
    method = build("dcgan", ["latent=normal"])
    start, end = torch.randn(3, 8), torch.randn(3, 8)
    path = method.interpolate_latents(start, end, 5)
    assert path.shape == (3, 5, 8)
    assert torch.allclose(path[:, 0], start, atol=1e-5) and torch.allclose(
        path[:, -1], end, atol=1e-5
    )


def test_fp16_needs_cuda():
    with pytest.raises(ConfigError, match="CUDA"):
        build("dcgan", ["train.amp=fp16"])


def test_bf16_autocast_runs_on_cpu():
    method = build("dcgan", ["train.amp=bf16"])
    logs = method.train_step(batch(), update_generator=True)
    assert torch.isfinite(logs["g_loss"])
