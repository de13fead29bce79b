"""Stochastic Gradient Hamiltonian Monte Carlo as a ``torch.optim.Optimizer`` (Chen et al. 2014).

Chen, Fox & Guestrin 2014, "Stochastic Gradient Hamiltonian Monte Carlo", §3.3, Eq. 15: with
U(theta) = -log p(theta | data) the potential energy, a step size eta and a friction alpha,

    v     <- (1 - alpha) v - eta grad U(theta) + N(0, 2 alpha eta I)
    theta <- theta + v

(the estimate beta^ of the gradient noise is taken as 0, which needs small steps). Without the
injected noise this is SGD with momentum 1 - alpha; with it, the iterates sample p(theta | data)
instead of climbing to its mode.

Minibatch scaling. A method gives this optimizer the gradient of a per-example average loss
L (a minibatch mean of -log-likelihoods) in ``p.grad``. The full potential is
U = n L - log p(theta), where n (``observed``) is how many examples the likelihood stands for.
Writing the step size as eta = lr / n makes ``lr`` the usual per-example learning rate:

    v <- (1 - alpha) v - lr (grad L + theta / (sigma^2 n)) + N(0, 2 alpha lr / n I)

for a Gaussian prior N(0, sigma^2 I) on every weight (``prior_std`` = sigma; None for a flat
prior). ``noise=False`` drops the injected noise and the prior: maximum-likelihood training with
the same dynamics. The noise is drawn from the global torch RNG, which gankit's checkpoints save,
so a resumed run continues the same chain.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import torch

from gankit.errors import ConfigError


class SGHMC(torch.optim.Optimizer):
    """SGHMC (Chen et al. 2014, Eq. 15) on per-example gradients; see the module docstring.

    ``lr`` is the per-example learning rate, ``friction`` alpha, ``observed`` the n the
    likelihood is scaled to, ``prior_std`` the Gaussian prior's sigma (None: flat prior).
    Each parameter's state holds its ``velocity`` v.
    """

    def __init__(
        self,
        params: Iterable[torch.nn.Parameter] | Iterable[dict[str, Any]],
        lr: float,
        friction: float = 0.01,
        observed: int = 1,
        prior_std: float | None = None,
        noise: bool = True,
    ) -> None:
        if not lr > 0:
            raise ConfigError(f"The SGHMC learning rate must be positive, got {lr}.")
        if not 0 < friction <= 1:
            raise ConfigError(f"The SGHMC friction alpha must be in (0, 1], got {friction}.")
        if observed < 1:
            raise ConfigError(f"SGHMC's observed example count must be at least 1, got {observed}.")
        if prior_std is not None and not prior_std > 0:
            raise ConfigError(f"The prior's standard deviation must be positive, got {prior_std}.")
        defaults = dict(
            lr=lr, friction=friction, observed=observed, prior_std=prior_std, noise=noise
        )
        super().__init__(params, defaults)

    @torch.no_grad()
    def step(self, closure: Any = None) -> None:  # type: ignore[override]
        if closure is not None:
            raise ValueError("SGHMC does not take a closure; backpropagate before step().")
        for group in self.param_groups:
            lr, alpha, observed = group["lr"], group["friction"], group["observed"]
            prior_std = group["prior_std"] if group["noise"] else None
            noise_std = math.sqrt(2 * alpha * lr / observed) if group["noise"] else 0.0
            for p in group["params"]:
                if p.grad is None:
                    continue
                gradient = p.grad
                if prior_std is not None:  # -grad log N(theta; 0, sigma^2), per example
                    gradient = gradient.add(p, alpha=1.0 / (prior_std**2 * observed))
                state = self.state[p]
                if "velocity" not in state:
                    state["velocity"] = torch.zeros_like(p)
                velocity = state["velocity"]
                velocity.mul_(1 - alpha).add_(gradient, alpha=-lr)
                if noise_std > 0:
                    velocity.add_(torch.randn_like(p), alpha=noise_std)
                p.add_(velocity)
