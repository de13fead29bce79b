"""BEGAN: an auto-encoder discriminator kept in equilibrium with the generator."""

from __future__ import annotations

from dataclasses import dataclass, field

from gankit.config import DataConfig, TrainConfig
from gankit.methods.gan import GAN, GanConfig, GanOptimConfig
from gankit.methods.registry import METHODS


@dataclass
class BEGANConfig(GanConfig):
    """Config of ``began``: gamma 0.5, lambda_k 1e-3, h = 64, n = 64, Adam 1e-4, batch 16."""

    method: str = "began"
    nets: str = "began"
    loss: str = "began"
    z_dim: int = 64
    latent: str = "uniform"
    optim: GanOptimConfig = field(default_factory=lambda: GanOptimConfig.both("adam", 1e-4))
    data: DataConfig = field(default_factory=lambda: DataConfig(image_size=32, batch_size=16))
    train: TrainConfig = field(default_factory=lambda: TrainConfig(steps=3000))


@METHODS.register("began")
class BEGAN(GAN):
    """BEGAN (Berthelot et al. 2017): match the auto-encoder loss distributions, with k_t control.

    D is an auto-encoder whose per-sample L1 reconstruction energy is the output (§3.1); the
    ``began`` loss (Eq. 4) with the proportional control of k_t (gamma = 0.5, lambda_k = 0.001)
    and the convergence measure M_global, logged (Eq. 6). §4.1: z uniform in [-1, 1] with
    h = 64 dimensions, n = 64 filters, batch 16, Adam with learning rate 1e-4.
    """

    config_class = BEGANConfig
    cfg: BEGANConfig
