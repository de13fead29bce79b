"""Banach WGAN: WGAN-GP with the Lipschitz constraint in a Sobolev norm."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from gankit.config import DataConfig, TrainConfig
from gankit.methods.gan import GAN, GanConfig, GanOptimConfig
from gankit.methods.registry import METHODS


@dataclass
class BanachWGANConfig(GanConfig):
    """Config of ``banach-wgan``: W^{s,p} with s = -1, p = 2 (the thesis's Sobolev scaling); the
    authors' optimiser."""

    method: str = "banach-wgan"
    nets: str = "dcgan"
    loss: str = "wasserstein"
    discriminator: dict[str, Any] = field(default_factory=lambda: {"norm": "layer"})
    regularizers: list[Any] = field(
        default_factory=lambda: [
            {"name": "banach_gradient_penalty", "s": -1.0, "p": 2.0, "scaling": "thesis"}
        ]
    )
    optim: GanOptimConfig = field(
        default_factory=lambda: GanOptimConfig.both("adam", 2e-4, (0.0, 0.9))
    )
    data: DataConfig = field(default_factory=lambda: DataConfig(image_size=32, batch_size=64))
    train: TrainConfig = field(
        default_factory=lambda: TrainConfig(steps=3000, n_critic=5, lr_decay="linear")
    )


@METHODS.register("banach-wgan")
class BanachWGAN(GAN):
    """Banach WGAN (Adler & Lunz 2018): a Wasserstein critic, Lipschitz in the norm of W^{s,p}.

    The gradient penalty of WGAN-GP measures the critic's gradient in the dual norm
    ||.||_{W^{-s,q}}, computed with an FFT (``regularizers.banach_gradient_penalty``, Eq. 8 and
    the §3.3 heuristics for lambda and gamma). s < 0 weighs large-scale structure, s > 0 edges;
    p controls outliers. The authors' CIFAR-10 settings: Adam 2e-4 with betas (0, 0.9), linear
    learning-rate decay to zero, n_critic = 5, batch 64. Change s and p through ``regularizers``.
    The Sobolev norm is measured as Sørby's Eq. 3.9 writes it, (1 + |xi|^2)^(s/2) with xi in
    cycles per image; ``scaling: authors`` uses Adler & Lunz's code, (1 + 5 |xi|^2)^(s/2) with
    xi in [0, 1].
    """

    config_class = BanachWGANConfig
    cfg: BanachWGANConfig
