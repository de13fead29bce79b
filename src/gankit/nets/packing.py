"""Packing: the discriminator judges m samples at once (PacGAN, Lin et al. 2018).

Lin et al. 2018, "PacGAN: The power of two samples in generative adversarial networks", §3:
D maps m samples, all real or all generated, to one decision; a generator that drops modes
produces packs that look unlike real packs, which penalises mode collapse. The m samples are
concatenated along the feature axis (points) or the channel axis (images), so any
discriminator works once it is built for m times the channels.
"""

from __future__ import annotations

import dataclasses

import torch
from torch import nn

from gankit.core.spec import DataSpec
from gankit.errors import ConfigError


def packed_spec(spec: DataSpec, pack: int) -> DataSpec:
    """The shape one packed input has: m samples side by side along the first axis."""
    return dataclasses.replace(spec, shape=(spec.shape[0] * pack, *spec.shape[1:]))


class PackedDiscriminator(nn.Module):
    """Wraps a discriminator built for ``pack`` times the channels; one output per pack."""

    def __init__(self, inner: nn.Module, pack: int) -> None:
        super().__init__()
        self.inner, self.pack = inner, pack
        self.output_kind = getattr(inner, "output_kind", "score")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.shape[0] % self.pack:
            raise ConfigError(
                f"Packing {self.pack} samples per decision needs a batch size divisible by "
                f"{self.pack}, got {x.shape[0]}; change data.batch_size or pack."
            )
        return self.inner(x.reshape(x.shape[0] // self.pack, -1, *x.shape[2:]))
