"""An exponential moving average of a network's weights.

Yazıcı et al. 2019, "The Unusual Effectiveness of Averaging in GAN Training": sampling from a
moving average of the generator's weights improves sample quality. Buffers (BatchNorm running
statistics) are copied from the live network, not averaged.
"""

from __future__ import annotations

import copy

import torch
from torch import nn


class EMA:
    """``shadow = decay * shadow + (1 - decay) * weights``, after ``start_step`` (a copy before)."""

    def __init__(self, net: nn.Module, decay: float, start_step: int = 0) -> None:
        self.decay, self.start_step = decay, start_step
        self.module = copy.deepcopy(net).eval().requires_grad_(False)

    @torch.no_grad()
    def update(self, net: nn.Module, step: int) -> None:
        decay = self.decay if step >= self.start_step else 0.0
        shadow: list[torch.Tensor] = list(self.module.parameters())
        live = [p.detach() for p in net.parameters()]
        if decay == 0.0:
            torch._foreach_copy_(shadow, live)
        else:
            torch._foreach_lerp_(shadow, live, 1.0 - decay)
        for mine, theirs in zip(self.module.buffers(), net.buffers()):
            mine.copy_(theirs)

    def state_dict(self) -> dict[str, torch.Tensor]:
        return self.module.state_dict()

    def load_state_dict(self, state: dict[str, torch.Tensor]) -> None:
        self.module.load_state_dict(state)
