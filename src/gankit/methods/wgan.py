"""WGAN (weight clipping) and WGAN-GP (gradient penalty): the Wasserstein loss, two Lipschitz fixes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from gankit.config import DataConfig, TrainConfig
from gankit.methods.gan import GAN, GanConfig, GanOptimConfig
from gankit.methods.registry import METHODS


@dataclass
class WGANConfig(GanConfig):
    """Config of ``wgan``: Arjovsky et al.'s Algorithm 1 defaults on DCGAN nets."""

    method: str = "wgan"
    nets: str = "dcgan"
    loss: str = "wasserstein"
    regularizers: list[Any] = field(default_factory=lambda: ["weight_clipping"])
    optim: GanOptimConfig = field(default_factory=lambda: GanOptimConfig.both("rmsprop", 5e-5))
    data: DataConfig = field(default_factory=lambda: DataConfig(image_size=32, batch_size=64))
    train: TrainConfig = field(default_factory=lambda: TrainConfig(steps=3000, n_critic=5))


@METHODS.register("wgan")
class WGAN(GAN):
    """WGAN (Arjovsky et al. 2017): Wasserstein critic kept Lipschitz by weight clipping.

    Algorithm 1: the critic maximises E[f(x)] - E[f(g(z))] (Eq. 3) for n_critic = 5 steps per
    generator step, its weights clipped to [-c, c] with c = 0.01 after each step; RMSprop with
    learning rate alpha = 5e-5 and batch m = 64. (The authors' code also runs 100 critic steps
    in the first 25 generator steps and every 500th; gankit keeps n_critic fixed.)
    """

    config_class = WGANConfig
    cfg: WGANConfig


@dataclass
class WGANGPConfig(GanConfig):
    """Config of ``wgan-gp``: Gulrajani et al.'s Algorithm 1 defaults on DCGAN nets."""

    method: str = "wgan-gp"
    nets: str = "dcgan"
    loss: str = "wasserstein"
    discriminator: dict[str, Any] = field(default_factory=lambda: {"norm": "layer"})
    regularizers: list[Any] = field(default_factory=lambda: ["gradient_penalty"])
    optim: GanOptimConfig = field(
        default_factory=lambda: GanOptimConfig.both("adam", 1e-4, (0.0, 0.9))
    )
    data: DataConfig = field(default_factory=lambda: DataConfig(image_size=32, batch_size=64))
    train: TrainConfig = field(default_factory=lambda: TrainConfig(steps=3000, n_critic=5))


@METHODS.register("wgan-gp")
class WGANGP(GAN):
    """WGAN-GP (Gulrajani et al. 2017): Wasserstein critic with a gradient penalty.

    L = E[D(x~)] - E[D(x)] + lambda E[(||grad D(x^)||_2 - 1)^2] (Eq. 3), x^ between real and
    generated samples. Algorithm 1 defaults: lambda = 10, n_critic = 5, Adam alpha = 1e-4,
    beta1 = 0, beta2 = 0.9. The critic uses layer normalisation instead of batch normalisation
    (§4: batch norm makes the penalty invalid).
    """

    config_class = WGANGPConfig
    cfg: WGANGPConfig
