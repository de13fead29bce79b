"""Pixel penalties of paired (pix2pix-like) methods: the distance of G(x, z) to its target y."""

from __future__ import annotations

import torch
from torch import nn

from gankit.core.spec import DataSpec
from gankit.errors import ConfigError, GankitError
from gankit.regularizers.base import REGULARIZERS, Regularizer


def closest_target_distance(
    outputs: torch.Tensor, targets: torch.Tensor, power: int
) -> torch.Tensor:
    """Per sample, the mean |output - target|^power over pixels to the closest of its k targets:
    outputs (N, C, H, W), targets (N, k, C, H, W) -> (N,)."""
    if targets.dim() != outputs.dim() + 1 or (
        targets.shape[:1] + targets.shape[2:] != outputs.shape
    ):
        raise GankitError(
            f"A pixel penalty compares outputs (N, C, H, W) with targets (N, k, C, H, W), got "
            f"{tuple(outputs.shape)} and {tuple(targets.shape)}."
        )
    difference = (outputs.unsqueeze(1) - targets).abs()
    if power == 2:
        difference = difference.square()
    return difference.flatten(2).mean(2).min(dim=1).values


class _PixelPenalty(Regularizer):
    power = 1

    def __init__(self, weight: float = 1.0) -> None:
        self.weight = weight

    def check(self, spec: DataSpec, nets: dict[str, nn.Module]) -> None:
        if spec.kind != "paired":
            raise ConfigError(
                f"{self.name} compares outputs with their targets, so it needs paired data, but "
                f"the data has {spec.kind} samples. Use it with a paired method such as pix2pix "
                f"on paired data, or drop it."
            )

    def pixel_penalty(self, outputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        return self.weight * closest_target_distance(outputs, targets, self.power).mean()


@REGULARIZERS.register("pixel_l1")
class PixelL1Penalty(_PixelPenalty):
    """Pixelwise L1 to the target (Sørby, Table 3.2): weight * the mean of |y - G(x, z)|.

    The mean absolute error of each output to the closest of its k valid targets, averaged over
    the batch, as pix2pix's L1 term (Isola et al. 2017, Eq. 3; they weigh it 100). Paired data
    only. Default weight 1 (the table's term, unweighted).
    """

    name = "pixel_l1"
    power = 1


@REGULARIZERS.register("pixel_l2")
class PixelL2Penalty(_PixelPenalty):
    """Pixelwise L2 to the target (Sørby, Table 3.2): weight * the mean of (y - G(x, z))^2.

    The mean squared error of each output to the closest of its k valid targets (the "squared
    distances" of the thesis's text), averaged over the batch. Paired data only. Default
    weight 1 (the table's term, unweighted).
    """

    name = "pixel_l2"
    power = 2
