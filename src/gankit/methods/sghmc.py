"""Stochastic Gradient Hamiltonian Monte Carlo as a ``torch.optim.Optimizer`` (Chen et al. 2014).

Chen, Fox & Guestrin 2014, "Stochastic Gradient Hamiltonian Monte Carlo", §3.3, Eq. 15, in the
parameterisation of Saatci & Wilson 2017, Algorithm 1 (Sørby 2019, Algorithm 4): with
U(theta) = -log p(theta | data) the potential energy, a learning rate eta and a friction alpha,

    v     <- (1 - alpha) v - eta grad U(theta) + N(0, 2 alpha eta I)
    theta <- theta + v

(the estimate beta^ of the gradient noise is taken as 0, which needs small steps). The chain's
iterates then sample exp(-U); without the injected noise this is SGD with momentum 1 - alpha,
which climbs to the mode instead.

The potential is the *whole* negative log posterior, not a per-example average: the injected
noise sqrt(2 alpha eta) is fixed by eta, so dividing U by a constant c samples exp(-U / c), a
posterior tempered at temperature c, rather than "rescaling eta". A minibatch of m examples
stands for the n the likelihood is written over by the factor n / m on its summed
log-likelihood, and a posterior that is a sum of several conditional posteriors (the Bayesian
GAN's Monte Carlo samples) counts each. :func:`likelihood_potential` builds that data part of U
from a minibatch-mean loss; a method puts its gradient in ``p.grad``, and the optimizer adds the
Gaussian prior N(0, sigma^2 I) on every weight, ``prior_terms`` times (once per conditional
posterior in the sum; ``prior_std`` = sigma, None for a flat prior). ``noise=False`` drops the
injected noise and the prior: maximum-likelihood training with the same dynamics. The noise is
drawn from the global torch RNG, which gankit's checkpoints save, so a resumed run continues the
same chain.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import torch

from gankit.errors import ConfigError


def likelihood_potential(mean_loss: torch.Tensor, observed: int, terms: int = 1) -> torch.Tensor:
    """The data part of U: ``terms`` conditional likelihoods, each over ``observed`` examples.

    ``mean_loss`` is the per-example negative log-likelihood averaged over ``terms`` minibatches
    of the same size m (one per conditional posterior). Each minibatch sum scaled by
    observed / m estimates the log-likelihood of the ``observed`` examples it stands for, and
    the terms are summed (Saatci & Wilson 2017, Algorithm 1): U = terms x observed x mean_loss.
    """
    return mean_loss * (observed * terms)


class SGHMC(torch.optim.Optimizer):
    """SGHMC (Chen et al. 2014, Eq. 15; Saatci & Wilson 2017, Algorithm 1) on grad U in ``p.grad``.

    ``lr`` is Algorithm 1's eta (a step on the summed potential, not a per-example rate),
    ``friction`` its alpha, ``prior_std`` the Gaussian prior's sigma (None: flat prior) and
    ``prior_terms`` how many times the prior enters U. Each parameter's state holds its
    ``velocity`` v. See the module docstring.
    """

    def __init__(
        self,
        params: Iterable[torch.nn.Parameter] | Iterable[dict[str, Any]],
        lr: float,
        friction: float = 0.01,
        prior_std: float | None = None,
        prior_terms: int = 1,
        noise: bool = True,
    ) -> None:
        if not lr > 0:
            raise ConfigError(f"The SGHMC learning rate must be positive, got {lr}.")
        if not 0 < friction <= 1:
            raise ConfigError(f"The SGHMC friction alpha must be in (0, 1], got {friction}.")
        if prior_std is not None and not prior_std > 0:
            raise ConfigError(f"The prior's standard deviation must be positive, got {prior_std}.")
        if prior_terms < 1:
            raise ConfigError(f"SGHMC's prior must enter U at least once, got {prior_terms}.")
        defaults = dict(
            lr=lr, friction=friction, prior_std=prior_std, prior_terms=prior_terms, noise=noise
        )
        super().__init__(params, defaults)

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        if any("prior_terms" not in group for group in state_dict["param_groups"]):
            raise ConfigError(
                "This checkpoint's SGHMC state comes from an older gankit whose learning rate "
                "was per example (a different eta and posterior scale); start a new run."
            )
        super().load_state_dict(state_dict)

    @torch.no_grad()
    def step(self, closure: Any = None) -> None:  # type: ignore[override]
        if closure is not None:
            raise ValueError("SGHMC does not take a closure; backpropagate before step().")
        for group in self.param_groups:
            eta, alpha = group["lr"], group["friction"]
            prior_std = group["prior_std"] if group["noise"] else None
            noise_std = math.sqrt(2 * alpha * eta) if group["noise"] else 0.0
            for p in group["params"]:
                if p.grad is None:
                    continue
                gradient = p.grad
                if prior_std is not None:  # -grad log N(theta; 0, sigma^2 I), prior_terms times
                    gradient = gradient.add(p, alpha=group["prior_terms"] / prior_std**2)
                state = self.state[p]
                if "velocity" not in state:
                    state["velocity"] = torch.zeros_like(p)
                velocity = state["velocity"]
                velocity.mul_(1 - alpha).add_(gradient, alpha=-eta)
                if noise_std > 0:
                    velocity.add_(torch.randn_like(p), alpha=noise_std)
                p.add_(velocity)
