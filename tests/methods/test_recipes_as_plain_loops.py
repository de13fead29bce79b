"""Each GAN-family recipe performs its paper's update, written here as a plain PyTorch loop.

The plain loops spell out each paper's numbers (loss, Adam's rate and betas, D updates per G
update, the penalty or normalisation of D) with torch alone, so a recipe whose config drifts
from its paper, or machinery that adds anything to the update, fails here. Both sides start
from the same weights and see the same real batches and noise: the nets' architecture and the
noise prior are tested elsewhere (tests/nets, tests/methods/test_gan.py).

- DCGAN (Radford et al. 2015): non-saturating BCE, Adam 2e-4 with beta1 0.5, one D update per
  G update, G's step on the fakes D was just updated against (the PyTorch DCGAN example).
- LSGAN (Mao et al. 2017, Eq. 2 with a = 0, b = c = 1, halved): Adam 2e-4 / 0.5.
- WGAN-GP (Gulrajani et al. 2017, Algorithm 1): lambda 10 at one random interpolate per
  sample, Adam 1e-4 with betas (0, 0.9), five critic updates per G update, G on new noise.
- SNGAN (Miyato et al. 2018, Eq. 16-17 and §4): hinge loss, spectral normalisation of every
  layer of D, Adam 2e-4 with betas (0, 0.9), five D updates per G update, G on new noise.
  ``iterate: forward`` makes gankit's spectral norm torch's own parametrization, so both sides
  estimate sigma identically (the paper's once-per-update iteration is tested in
  tests/regularizers).
"""

import copy

import pytest
import torch
import torch.nn.functional as F

from gankit.core.spec import DataSpec
from gankit.methods import METHODS
from gankit.runs.launch import resolve_config

SPEC = DataSpec("image", (1, 16, 16))
TINY = ["generator.width=8", "discriminator.width=8", "z_dim=8"]
BATCH, STEPS = 8, 3


def bce_d(real, fake):
    return F.binary_cross_entropy_with_logits(
        real, torch.ones_like(real)
    ) + F.binary_cross_entropy_with_logits(fake, torch.zeros_like(fake))


def bce_g(fake):
    return F.binary_cross_entropy_with_logits(fake, torch.ones_like(fake))


def least_squares_d(real, fake):
    return 0.5 * ((real - 1) ** 2).mean() + 0.5 * (fake**2).mean()


def least_squares_g(fake):
    return 0.5 * ((fake - 1) ** 2).mean()


def hinge_d(real, fake):
    return torch.relu(1 - real).mean() + torch.relu(1 + fake).mean()


def critic_g(fake):
    return -fake.mean()


def wasserstein_gp_d(real, fake, D, real_x, fake_x):
    alpha = torch.rand(real_x.shape[0], 1, 1, 1)
    points = (alpha * real_x + (1 - alpha) * fake_x).requires_grad_(True)
    (grad,) = torch.autograd.grad(D(points).sum(), points, create_graph=True)
    return fake.mean() - real.mean() + 10 * ((grad.flatten(1).norm(dim=1) - 1) ** 2).mean()


# recipe, overrides, D's loss, G's loss, learning rate, betas, n_critic, G's step on new noise
PAPERS = {
    "dcgan": ([], bce_d, bce_g, 2e-4, (0.5, 0.999), 1, False),
    "lsgan": ([], least_squares_d, least_squares_g, 2e-4, (0.5, 0.999), 1, False),
    "wgan-gp": (["fresh_noise=true"], wasserstein_gp_d, critic_g, 1e-4, (0.0, 0.9), 5, True),
    "sngan": (
        ["fresh_noise=true", "regularizers=[{name: spectral_norm, iterate: forward}]"],
        hinge_d,
        critic_g,
        2e-4,
        (0.0, 0.9),
        5,
        True,
    ),
}


def plain_d_update(D, optimizer, d_loss, real, fake):
    real_score, fake_score = D(real), D(fake)
    if d_loss is wasserstein_gp_d:
        loss = d_loss(real_score, fake_score, D, real, fake)
    else:
        loss = d_loss(real_score, fake_score)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()


@pytest.mark.parametrize("recipe", sorted(PAPERS))
def test_the_recipe_updates_its_nets_as_the_papers_plain_loop_does(recipe):
    overrides, d_loss, g_loss, lr, betas, n_critic, new_noise = PAPERS[recipe]
    cfg = resolve_config(None, recipe, [*TINY, *overrides])
    assert cfg.train.n_critic == n_critic
    torch.manual_seed(0)
    method = METHODS.get(cfg.method)(cfg, SPEC, "cpu")
    G0, D0 = method.nets["generator"], method.nets["discriminator"]
    G, D = copy.deepcopy(G0), copy.deepcopy(D0)
    optimizer_g = torch.optim.Adam(G.parameters(), lr=lr, betas=betas)
    optimizer_d = torch.optim.Adam(D.parameters(), lr=lr, betas=betas)
    queued: list[torch.Tensor] = []
    method.sample_latent = lambda n, rng=None: queued.pop(0).clone()

    torch.manual_seed(1)
    for _ in range(STEPS):
        reals = [torch.rand(BATCH, *SPEC.shape) * 2 - 1 for _ in range(n_critic)]
        noises = [torch.randn(BATCH, cfg.z_dim) for _ in range(n_critic + new_noise)]
        queued[:] = noises
        for k in range(n_critic):  # gankit: the trainer's n_critic calls of one step
            torch.manual_seed(100 + k)  # the same interpolation draws on both sides
            method.train_step((reals[k], torch.zeros(BATCH)), update_generator=k == n_critic - 1)
        for k in range(n_critic):  # the paper's loop
            torch.manual_seed(100 + k)
            last = k == n_critic - 1 and not new_noise
            made = G(noises[k]) if last else G(noises[k]).detach()
            plain_d_update(D, optimizer_d, d_loss, reals[k], made.detach())
        fake = made if not new_noise else G(noises[-1])
        loss = g_loss(D(fake))
        optimizer_g.zero_grad()
        loss.backward()
        optimizer_g.step()
        assert not queued  # gankit drew exactly the noise batches the paper's loop drew

    for name, ours, plain in (("G", G0, G), ("D", D0, D)):
        for (key, a), b in zip(ours.state_dict().items(), plain.state_dict().values()):
            torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-6, msg=f"{recipe} {name} {key}")
