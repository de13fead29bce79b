"""Algorithm 1's step (gankit.methods.adversarial.adversarial_step), run through the GAN method:
which net each update changes, D frozen for G's step, and fresh_noise."""

import torch
from gan_helpers import SPEC, batch, build, changed, generator_inputs, snapshot

from gankit.core.method import frozen
from gankit.methods.adversarial import adversarial_step


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
