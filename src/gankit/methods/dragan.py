"""DRAGAN: the non-saturating GAN with a gradient penalty around the real data."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from gankit.config import DataConfig, TrainConfig
from gankit.methods.gan import GAN, GanConfig, GanOptimConfig
from gankit.methods.registry import METHODS


@dataclass
class DRAGANConfig(GanConfig):
    """Config of ``dragan``: lambda = 10, Gaussian perturbation, Adam 1e-4 (0.5, 0.9), DCGAN nets
    with layer norm."""

    method: str = "dragan"
    nets: str = "dcgan"
    loss: str = "nonsaturating"
    discriminator: dict[str, Any] = field(default_factory=lambda: {"norm": "layer"})
    regularizers: list[Any] = field(default_factory=lambda: ["dragan"])
    optim: GanOptimConfig = field(
        default_factory=lambda: GanOptimConfig.both("adam", 1e-4, (0.5, 0.9))
    )
    data: DataConfig = field(default_factory=lambda: DataConfig(image_size=32, batch_size=64))
    train: TrainConfig = field(default_factory=lambda: TrainConfig(steps=3000))


@METHODS.register("dragan")
class DRAGAN(GAN):
    """DRAGAN (Kodali et al. 2017): penalise D's gradient norm near the real data.

    The GAN game is a no-regret game whose bad local equilibria show sharp D gradients around
    real points (§2.4); the fix, Algorithm 1, adds lambda E[(||grad D(x + delta)|| - 1)^2] with
    small perturbations delta ~ N(0, cI) of real samples (also Sørby, Table 3.2). Defaults:
    lambda = 10, the Gaussian perturbation with c = (0.5 std(x))^2, Adam lr 1e-4, betas
    (0.5, 0.9) (the authors' code). Their notebook's one-sided, interpolated perturbation is
    ``regularizers=[{name: dragan, perturbation: authors}]``.
    """

    config_class = DRAGANConfig
    cfg: DRAGANConfig
