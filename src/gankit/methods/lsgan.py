"""LSGAN: least-squares targets instead of the log loss."""

from __future__ import annotations

from dataclasses import dataclass, field

from gankit.config import DataConfig, TrainConfig
from gankit.methods.gan import GAN, GanConfig, GanOptimConfig
from gankit.methods.registry import METHODS


@dataclass
class LSGANConfig(GanConfig):
    """Config of ``lsgan``: the 0-1 coding (a=0, b=1, c=1) on DCGAN nets."""

    method: str = "lsgan"
    nets: str = "dcgan"
    loss: str = "least_squares"
    optim: GanOptimConfig = field(default_factory=lambda: GanOptimConfig.both("adam", 2e-4))
    data: DataConfig = field(default_factory=lambda: DataConfig(image_size=32, batch_size=64))
    train: TrainConfig = field(default_factory=lambda: TrainConfig(steps=3000))


@METHODS.register("lsgan")
class LSGAN(GAN):
    """LSGAN (Mao et al. 2017): D regresses real to b and fake to a; G pushes fakes towards c.

    min_D 1/2 E[(D(x) - b)^2] + 1/2 E[(D(G(z)) - a)^2], min_G 1/2 E[(D(G(z)) - c)^2] (Eq. 2)
    with a = 0, b = 1, c = 1 (Eq. 9); the squared loss penalises samples far on the correct side
    of the boundary, which the log loss ignores (§3.2). Nets and Adam (2e-4, beta1 0.5) as in
    DCGAN, whose architecture the paper adapts (§3.3); set loss_options for other codings.
    """

    config_class = LSGANConfig
    cfg: LSGANConfig
