"""Weight initialisations taken from the papers."""

from __future__ import annotations

from torch import nn


def dcgan_init(module: nn.Module) -> None:
    """N(0, 0.02) for conv and linear weights, N(1, 0.02) for norm scales, zero biases.

    Radford et al. 2015, "Unsupervised Representation Learning with Deep Convolutional GANs",
    §4: "All weights were initialized from a zero-centered Normal distribution with standard
    deviation 0.02." Use with ``net.apply(dcgan_init)``.
    """
    if isinstance(module, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
        nn.init.normal_(module.weight, 0.0, 0.02)
        if module.bias is not None:
            nn.init.zeros_(module.bias)
    elif isinstance(module, (nn.BatchNorm2d, nn.BatchNorm1d)) and module.affine:
        nn.init.normal_(module.weight, 1.0, 0.02)
        nn.init.zeros_(module.bias)
