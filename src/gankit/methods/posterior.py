"""Pools of posterior samples for the Bayesian GAN (Saatci & Wilson 2017, Algorithm 1, Eq. 5).

A pool is a set of live SGHMC chains (modules) plus the parameter samples collected from them.
:class:`GeneratorPosterior` draws each image from a pool member chosen by its latent code;
:class:`DiscriminatorPosterior` averages the pool's outputs. Memory: every collected sample is a
full copy of one net's state (4 bytes per float32 weight and buffer).
"""

from __future__ import annotations

import torch
from torch import nn
from torch.func import functional_call


class PosteriorSamples(nn.Module):
    """Live SGHMC chains (``chains``) and the samples collected from them (``collected``).

    The pool that sampling and classification draw from is the collected samples, or the live
    chains while nothing has been collected. Collected samples are state dicts run through the
    first chain's module with ``torch.func.functional_call``, so they cost memory but no modules.
    """

    def __init__(self, chains: list[nn.Module]) -> None:
        super().__init__()
        self.chains = nn.ModuleList(chains)
        self.collected: list[dict[str, torch.Tensor]] = []

    def pool_size(self) -> int:
        return len(self.collected) or len(self.chains)

    def member(self, index: int, *inputs: torch.Tensor) -> torch.Tensor:
        """The outputs of pool member ``index``."""
        if self.collected:
            return functional_call(self.chains[0], self.collected[index], inputs)
        return self.chains[index](*inputs)

    def collect(self, keep: int) -> None:
        """Add a copy of every chain to the pool, keeping the newest ``keep`` collections."""
        for chain in self.chains:
            self.collected.append({k: v.detach().clone() for k, v in chain.state_dict().items()})
        del self.collected[: max(0, len(self.collected) - keep * len(self.chains))]


class GeneratorPosterior(PosteriorSamples):
    """Generator samples; a latent code's last column u in [0, 1) picks pool member floor(u P)."""

    def forward(self, latent: torch.Tensor) -> torch.Tensor:
        z, u = latent[:, :-1], latent[:, -1]
        size = self.pool_size()
        index = (u * size).long().clamp(0, size - 1)
        outputs: torch.Tensor | None = None
        for member in index.unique().tolist():
            chosen = index == member
            images = self.member(member, z[chosen])
            if outputs is None:
                outputs = images.new_empty((len(z), *images.shape[1:]))
            outputs[chosen] = images
        if outputs is None:  # an empty batch: the first member's empty output, of the right shape
            return self.member(0, z)
        return outputs


class DiscriminatorPosterior(PosteriorSamples):
    """Discriminator samples; called on x it gives the pool's average output."""

    @property
    def output_kind(self) -> str:
        return getattr(self.chains[0], "output_kind", "score")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.stack([self.member(i, x) for i in range(self.pool_size())]).mean(0)
