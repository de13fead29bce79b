"""SNGAN: the hinge loss with a spectrally normalised discriminator."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from gankit.config import DataConfig, TrainConfig
from gankit.methods.gan import GAN, GanConfig, GanOptimConfig
from gankit.methods.registry import METHODS


@dataclass
class SNGANConfig(GanConfig):
    """Config of ``sngan``: Miyato et al.'s ResNet hyper-parameters, on DCGAN nets by default."""

    method: str = "sngan"
    nets: str = "dcgan"
    loss: str = "hinge"
    discriminator: dict[str, Any] = field(default_factory=lambda: {"norm": "none"})
    regularizers: list[Any] = field(default_factory=lambda: ["spectral_norm"])
    optim: GanOptimConfig = field(
        default_factory=lambda: GanOptimConfig.both("adam", 2e-4, (0.0, 0.9))
    )
    data: DataConfig = field(default_factory=lambda: DataConfig(image_size=32, batch_size=64))
    train: TrainConfig = field(default_factory=lambda: TrainConfig(steps=3000, n_critic=5))


@METHODS.register("sngan")
class SNGAN(GAN):
    """SNGAN (Miyato et al. 2018): spectral normalisation of D, hinge loss.

    Every layer of D is divided by its largest singular value (Eq. 8), estimated by one power
    iteration per update of D (Algorithm 1; ``spectral_norm`` option ``iterate``), which bounds
    D's Lipschitz constant without any penalty. The hinge loss (Eq. 16-17) and the ResNet
    settings of §4 / App. B: Adam alpha = 2e-4, beta1 = 0, beta2 = 0.9, n_dis = 5. D has no batch normalisation. ``configs/sngan-cifar10.yaml`` uses
    the paper's ResNet nets.
    """

    config_class = SNGANConfig
    cfg: SNGANConfig
