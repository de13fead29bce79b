"""Class outputs for any registered discriminator (for semi-supervised K+1-way discriminators).

Salimans et al. 2016 (§5) and Saatci & Wilson 2017 (§3.2, Eq. 4) turn the discriminator into a
classifier with K + 1 outputs: K classes and "generated". :class:`ClassOutputs` takes a
discriminator built by name (``mlp``, ``dcgan``, ``resnet``, ...) and swaps its final scoring
layer (the last ``Linear`` or ``Conv2d`` with one output) for the same kind of layer with
``outputs`` outputs, so the rest of the network is exactly the registered one.
"""

from __future__ import annotations

from typing import cast

import torch
from torch import nn

from gankit.errors import ConfigError


class _Features(nn.Module):
    """Stands where the scoring layer was; keeps what would have gone into it."""

    def __init__(self) -> None:
        super().__init__()
        self.features: torch.Tensor | None = None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.features = x
        return x


class ClassOutputs(nn.Module):
    """``discriminator`` with its scoring layer replaced by one with ``outputs`` logits (N, outputs)."""

    output_kind = "classes"

    def __init__(self, discriminator: nn.Module, outputs: int) -> None:
        super().__init__()
        name, layer = _scoring_layer(discriminator)
        head: nn.Linear | nn.Conv2d
        if isinstance(layer, nn.Linear):
            head = nn.Linear(layer.in_features, outputs)
        else:  # a Conv2d's sizes are pairs (torch types them as tuple[int, ...])
            head = nn.Conv2d(
                layer.in_channels,
                outputs,
                cast("tuple[int, int]", layer.kernel_size),
                cast("tuple[int, int]", layer.stride),
                cast("str | tuple[int, int]", layer.padding),
            )
        nn.init.normal_(head.weight, 0.0, 0.02)
        assert head.bias is not None  # both layers are built with a bias
        nn.init.zeros_(head.bias)
        tap = _Features()
        discriminator.set_submodule(name, tap)
        self.body, self.head = discriminator, head
        self._tap = [tap]  # a plain list: the tap is already registered inside the body

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.body(x)
        tap = self._tap[0]
        features, tap.features = tap.features, None
        return self.head(features).flatten(1)


def _scoring_layer(net: nn.Module) -> tuple[str, nn.Linear | nn.Conv2d]:
    found = None
    for name, module in net.named_modules():
        if (
            isinstance(module, nn.Linear)
            and module.out_features == 1
            or isinstance(module, nn.Conv2d)
            and module.out_channels == 1
        ):
            found = (name, module)
    if found is None:
        raise ConfigError(
            f"{type(net).__name__} has no final Linear or Conv2d layer with one output to turn "
            "into class outputs; use nets=dcgan, mlp or resnet for a semi-supervised "
            "discriminator."
        )
    return found
