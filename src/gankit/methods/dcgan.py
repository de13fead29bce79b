"""DCGAN: the GAN objective with the convolutional nets and training settings of Radford et al."""

from __future__ import annotations

from dataclasses import dataclass, field

from gankit.config import DataConfig, TrainConfig
from gankit.methods.gan import GAN, GanConfig
from gankit.methods.registry import METHODS


@dataclass
class DCGANConfig(GanConfig):
    """Config of ``dcgan``: the paper's settings, on the embedded digits at 32 px."""

    method: str = "dcgan"
    nets: str = "dcgan"
    latent: str = "uniform"  # "a 100 dimensional uniform distribution Z" (Fig. 1)
    data: DataConfig = field(default_factory=lambda: DataConfig(image_size=32, batch_size=128))
    train: TrainConfig = field(default_factory=lambda: TrainConfig(steps=3000))


@METHODS.register("dcgan")
class DCGAN(GAN):
    """DCGAN (Radford et al. 2015): strided conv nets with BatchNorm, Adam 2e-4, beta1 0.5.

    Radford et al. 2015, §4: mini-batch SGD with batch size 128, weights from N(0, 0.02),
    LeakyReLU slope 0.2 (``discriminator.leaky_slope``), Adam with learning rate 0.0002 and
    beta1 = 0.5 ("the suggested 0.9 resulted in training oscillation"); z is 100-dimensional and
    uniform (Fig. 1). The nets are ``nets.dcgan``; the loss is the non-saturating GAN loss, as in
    the paper's code.
    """

    config_class = DCGANConfig
    cfg: DCGANConfig
