"""SGHMC (Chen et al. 2014, Eq. 15, as Saatci & Wilson 2017, Algorithm 1 write it): one step by
hand, the maximum-likelihood limit, and sampling a known 2-D Gaussian posterior."""

import math

import pytest
import torch

from gankit.errors import ConfigError
from gankit.methods.sghmc import SGHMC, likelihood_potential


def test_sghmc_step_matches_the_hand_computed_update_with_fixed_noise():
    eta, alpha, sigma, terms = 0.1, 0.2, 2.0, 3
    theta = torch.nn.Parameter(torch.tensor([1.0, -2.0]))
    optimizer = SGHMC([theta], eta, alpha, prior_std=sigma, prior_terms=terms)
    gradients = [torch.tensor([0.5, 1.0]), torch.tensor([-1.0, 0.25])]  # grad U (data part)
    torch.manual_seed(7)
    expected_theta, velocity = torch.tensor([1.0, -2.0]), torch.zeros(2)
    noise = [torch.randn(2) for _ in gradients]  # the draws the optimizer will make
    for g, eps in zip(gradients, noise):
        # v <- (1 - alpha) v - eta (grad U + terms theta / sigma^2) + N(0, 2 alpha eta)
        velocity = (1 - alpha) * velocity - eta * (g + terms * expected_theta / sigma**2)
        velocity = velocity + math.sqrt(2 * alpha * eta) * eps
        expected_theta = expected_theta + velocity
    torch.manual_seed(7)
    for g in gradients:
        theta.grad = g.clone()
        optimizer.step()
    assert torch.allclose(theta.detach(), expected_theta, atol=1e-6)
    assert torch.allclose(optimizer.state[theta]["velocity"], velocity, atol=1e-6)


def test_likelihood_potential_sums_the_terms_and_scales_each_minibatch_to_the_data_set():
    losses = torch.tensor([[0.5, 1.5, 1.0], [2.0, 0.0, 1.0]])  # 2 terms, minibatches of m = 3
    by_hand = sum(20 / 3 * row.sum() for row in losses)  # sum_terms (n / m) sum_minibatch
    assert likelihood_potential(losses.mean(), observed=20, terms=2) == pytest.approx(by_hand)


def test_sghmc_without_noise_is_sgd_with_momentum_one_minus_friction():
    a = torch.nn.Parameter(torch.tensor([3.0]))
    b = torch.nn.Parameter(torch.tensor([3.0]))
    sghmc = SGHMC([a], lr=0.05, friction=0.1, prior_std=1.0, noise=False)
    sgd = torch.optim.SGD([b], lr=0.05, momentum=0.9)
    for _ in range(5):
        for p, opt in ((a, sghmc), (b, sgd)):
            opt.zero_grad()
            (p**2).sum().backward()
            opt.step()
    assert torch.allclose(a, b)  # heavy ball: the same iterates, no prior, no noise


def test_sghmc_refuses_a_friction_outside_zero_one():
    with pytest.raises(ConfigError, match="friction"):
        SGHMC([torch.nn.Parameter(torch.zeros(1))], lr=0.1, friction=1.5)


def test_sghmc_refuses_the_state_of_the_old_per_example_optimizer():
    theta = torch.nn.Parameter(torch.zeros(2))
    optimizer = SGHMC([theta], lr=0.1)
    state = optimizer.state_dict()
    for group in state["param_groups"]:
        group["observed"] = 60000  # what the per-example SGHMC of earlier gankit saved
        del group["prior_terms"]
    with pytest.raises(ConfigError, match="new run"):
        optimizer.load_state_dict(state)


# ---------------------------------------------------------------------------------- sampling
#
# The posterior: N points x_i with the Gaussian likelihood x_i ~ N(theta, S), a N(0, 10 I) prior,
# and TERMS conditional posteriors summed as in Algorithm 1 (each the whole data set's likelihood
# times the prior), so its precision is TERMS (N S^-1 + I / 10). S and the points' mean are
# chosen to make the posterior N(MEAN, COVARIANCE) exactly. Every step draws one minibatch of
# BATCH points per term, and U's data part is likelihood_potential of the minibatch means.
MEAN = torch.tensor([1.0, -2.0])
COVARIANCE = torch.tensor([[1.0, 0.5], [0.5, 2.0]])
N, BATCH, TERMS, PRIOR_VARIANCE = 1000, 50, 2, 10.0
ETA, FRICTION = 0.03, 0.1
CHAINS, BURN_IN, KEPT = 100, 200, 600
# Tolerances are in units of each coordinate's posterior sd (means) or of sqrt(C_ii C_jj)
# (covariances). For this linear chain the discretisation inflates the covariance by < 1 % (the
# exact stationary covariance of the step's linear recursion) and the minibatch gradient noise
# adds < 0.2 % to the injected noise. The integrated autocorrelation time is 8-14 steps, so the
# 100 x 600 kept samples hold about 4,000-7,000 effective ones. With at least MIN_EFFECTIVE
# (checked below) the standard errors are at most 0.022 (means) and 0.032 (covariances) in these
# units, and TOLERANCE is 4.7 or more of them. A mis-scaled posterior misses by far more:
# averaging the TERMS instead of summing them doubles the covariance (error 1.0), a minibatch
# mean not scaled by N / m leaves the prior N(0, 10 / TERMS) almost alone, and noise a factor c
# off scales the covariance by c^2 (c = 1.15 already fails).
TOLERANCE, MIN_EFFECTIVE = 0.15, 2000


def gaussian_problem() -> tuple[torch.Tensor, torch.Tensor]:
    """The points (N, 2) and S^-1 of the likelihood; see the comment above."""
    precision = torch.linalg.inv(COVARIANCE)
    likelihood_precision = (precision / TERMS - torch.eye(2) / PRIOR_VARIANCE) / N  # S^-1
    # the posterior mean solves TERMS (N S^-1 + I / 10) mu = TERMS S^-1 sum_i x_i
    centre = torch.linalg.solve(TERMS * N * likelihood_precision, precision @ MEAN)
    spread = torch.randn(N, 2, generator=torch.Generator().manual_seed(0))
    return centre + spread - spread.mean(0), likelihood_precision


def test_sghmc_samples_a_known_gaussian_posterior_from_minibatch_sums():
    points, likelihood_precision = gaussian_problem()
    theta = torch.nn.Parameter(torch.zeros(CHAINS, 2))  # independent chains, one per row
    optimizer = SGHMC([theta], ETA, FRICTION, PRIOR_VARIANCE**0.5, prior_terms=TERMS)
    torch.manual_seed(1)
    kept = []
    for step in range(BURN_IN + KEPT):
        index = torch.randint(N, (CHAINS, TERMS * BATCH))  # TERMS minibatches per chain
        residual = points[index] - theta[:, None, :]
        nll = 0.5 * ((residual @ likelihood_precision) * residual).sum(-1)  # -log N(x; theta, S)
        optimizer.zero_grad()
        likelihood_potential(nll.mean(1), N, TERMS).sum().backward()
        optimizer.step()
        if step >= BURN_IN:
            kept.append(theta.detach().clone())
    samples = torch.stack(kept, dim=1)  # (CHAINS, KEPT, 2)
    chain_means = samples.mean(1)
    centred = samples - chain_means[:, None]
    chain_covariances = torch.einsum("cki,ckj->cij", centred, centred) / (KEPT - 1)

    mean, covariance = chain_means.mean(0), chain_covariances.mean(0)
    sd = COVARIANCE.diagonal().sqrt()
    assert ((mean - MEAN).abs() / sd <= TOLERANCE).all(), mean.tolist()
    scale = sd[:, None] * sd[None, :]
    assert ((covariance - COVARIANCE).abs() / scale <= TOLERANCE).all(), covariance.tolist()
    # the chains are independent, so the spread of their means gives the effective sample size
    effective = CHAINS * covariance.diagonal() / chain_means.var(0)
    assert (effective >= MIN_EFFECTIVE).all(), f"effective sample sizes {effective.tolist()}"
