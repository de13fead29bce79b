import pytest
import torch

from gankit.core.method import frozen
from gankit.core.spec import DataSpec
from gankit.errors import ConfigError
from gankit.methods import METHODS
from gankit.methods.adversarial import adversarial_step
from gankit.runs.launch import resolve_config

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


def generator_inputs(method):
    """Every z the generator is called with, in order."""
    seen = []
    method.nets["generator"].register_forward_pre_hook(lambda _, args: seen.append(args[0]))
    return seen


def test_fresh_noise_gives_the_generator_step_a_new_noise_batch():
    off, fresh = build(), build("dcgan", ["fresh_noise=true"])
    assert off.cfg.fresh_noise is False  # the default: G's step reuses D's batch
    seen_off, seen_fresh = generator_inputs(off), generator_inputs(fresh)
    data = batch()
    torch.manual_seed(1)
    off.train_step(data, update_generator=True)
    torch.manual_seed(1)
    fresh.train_step(data, update_generator=True)
    assert len(seen_off) == 1 and len(seen_fresh) == 2  # one G forward per step, or two
    assert torch.equal(seen_fresh[0], seen_off[0])  # D's step sees the same batch either way
    assert not torch.equal(seen_fresh[1], seen_fresh[0])
    for a, b in zip(
        off.nets["discriminator"].parameters(), fresh.nets["discriminator"].parameters()
    ):
        assert torch.equal(a, b)
    assert changed(snapshot(off.nets["generator"]), fresh.nets["generator"])
    fresh.train_step(data, update_generator=False)
    assert len(seen_fresh) == 3  # a D-only step draws one batch


def test_fresh_noise_matches_a_hand_run_of_algorithm_1():
    method, hand = build("dcgan", ["fresh_noise=true"]), build()
    data = batch()
    torch.manual_seed(1)
    logs = method.train_step(data, update_generator=True)
    G, D = hand.nets["generator"], hand.nets["discriminator"]
    torch.manual_seed(1)
    z_d, z_g = hand.sample_latent(8), hand.sample_latent(8)
    d_loss = hand.loss.discriminator_loss(D(data[0]), D(G(z_d).detach()))
    hand.update("discriminator", d_loss)
    with frozen(D):
        g_loss = hand.loss.generator_loss(D(G(z_g)))
    hand.update("generator", g_loss)
    assert torch.equal(logs["d_loss"], d_loss.detach()) and torch.equal(logs["g_loss"], g_loss)
    for name in ("generator", "discriminator"):
        for a, b in zip(method.nets[name].parameters(), hand.nets[name].parameters()):
            assert torch.equal(a, b)


def test_without_fresh_noise_the_step_is_the_one_before_the_option():
    method, before = build(), build()
    data = batch()
    torch.manual_seed(1)
    logs = method.train_step(data, update_generator=True)
    G, D = before.nets["generator"], before.nets["discriminator"]
    torch.manual_seed(1)
    z = before.sample_latent(8)  # the step as it was: one z, drawn before the shared step
    old = adversarial_step(before, G, D, data[0], lambda: G(z), True)
    assert logs.keys() == old.keys() and all(torch.equal(logs[k], old[k]) for k in logs)
    for name in ("generator", "discriminator"):
        for a, b in zip(method.nets[name].parameters(), before.nets[name].parameters()):
            assert torch.equal(a, b)


@pytest.mark.parametrize("name", ["cgan", "bigan", "lapgan"])
def test_methods_that_draw_their_noise_once_refuse_fresh_noise(name):
    cfg = resolve_config(name, None, ["fresh_noise=true"])
    with pytest.raises(ConfigError, match=f"{name} reuses .* set fresh_noise=false"):
        METHODS.get(name)(cfg, DataSpec("image", (1, 16, 16), 10), "cpu")
