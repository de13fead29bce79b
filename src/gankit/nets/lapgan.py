"""LAPGAN's per-level networks and the coarse-to-fine sampler (Denton et al. 2015).

At every level k but the coarsest, the generator G_k(z_k, l_k) makes a band-pass image h~_k from
noise and the upsampled coarser image l_k = u(I_{k+1}); the discriminator D_k(h, l_k) scores
h + l_k, "the low-pass image l_k explicitly added to h_k before the first convolution layer"
(§4). As in the paper, the noise enters G_k as one more input plane beside l_k, and G_k's output
is linear (band-pass values are signed). The coarsest level is an ordinary GAN on I_K (built
from any registered net family by the method). Layer sizes are gankit's: G_k is ``depth`` 5x5
convolutions of ``width`` channels with BN and ReLU; D_k two 5x5 stride-2 convolutions (width,
2·width) with LeakyReLU(0.2), then a linear score.
"""

from __future__ import annotations

import torch
from torch import nn

from gankit.errors import ConfigError
from gankit.nets.init import dcgan_init
from gankit.nets.pyramid import check_kind, upsample


class LevelGenerator(nn.Module):
    """G_k(noise, low) -> band-pass image: 5x5 convs on [low, noise plane], BN, ReLU, linear out."""

    def __init__(self, channels: int, width: int = 64, depth: int = 3) -> None:
        super().__init__()
        if depth < 2:
            raise ConfigError(f"generator.depth must be at least 2, got {depth}.")
        layers: list[nn.Module] = []
        features = channels + 1
        for _ in range(depth - 1):
            layers += [nn.Conv2d(features, width, 5, 1, 2), nn.BatchNorm2d(width), nn.ReLU(True)]
            features = width
        layers.append(nn.Conv2d(features, channels, 5, 1, 2))
        self.net = nn.Sequential(*layers)
        self.apply(dcgan_init)

    def forward(self, noise: torch.Tensor, low: torch.Tensor) -> torch.Tensor:
        return self.net(torch.cat([low, noise], dim=1))


class LevelDiscriminator(nn.Module):
    """D_k(band, low): scores the image low + band with two strided 5x5 convs and a linear layer."""

    output_kind = "score"

    def __init__(self, channels: int, size: int, width: int = 64) -> None:
        super().__init__()
        half = (size + 1) // 2  # a 5x5 stride-2 conv with padding 2 gives ceil(size / 2)
        quarter = (half + 1) // 2
        self.net = nn.Sequential(
            nn.Conv2d(channels, width, 5, 2, 2),
            nn.LeakyReLU(0.2, True),
            nn.Conv2d(width, 2 * width, 5, 2, 2),
            nn.LeakyReLU(0.2, True),
            nn.Flatten(),
            nn.Linear(2 * width * quarter * quarter, 1),
        )
        self.apply(dcgan_init)

    def forward(self, band: torch.Tensor, low: torch.Tensor) -> torch.Tensor:
        return self.net(low + band).squeeze(1)


class LaplacianGenerator(nn.Module):
    """The whole LAPGAN sampler: I~_K = G_K(z_K), then I~_k = u(I~_{k+1}) + G_k(z_k, u(I~_{k+1})).

    ``levels`` holds the generators finest first (index k is G_k, the last is the coarsest's).
    Called with the latents coarse to fine, ``(z_K, z_{K-1}, ..., z_0)``, as
    ``LAPGAN.sample_latent`` draws them. ``kind`` is the pyramid's u (``nets.pyramid``): it must
    be the one the levels were trained with.
    """

    def __init__(self, levels: list[nn.Module], kind: str = "gaussian") -> None:
        super().__init__()
        check_kind(kind)
        self.levels = nn.ModuleList(levels)
        self.kind = kind

    def images(self, *latents: torch.Tensor) -> list[torch.Tensor]:
        """I~_K, ..., I~_0: the sample at every level, coarse to fine."""
        if len(latents) != len(self.levels):
            raise ConfigError(
                f"This pyramid has {len(self.levels)} levels but got {len(latents)} latents."
            )
        image = self.levels[-1](latents[0])
        images = [image]
        for k, noise in zip(range(len(self.levels) - 2, -1, -1), latents[1:]):
            low = upsample(image, self.kind)
            image = low + self.levels[k](noise, low)
            images.append(image)
        return images

    def forward(self, *latents: torch.Tensor) -> torch.Tensor:
        """The finest sample, clamped to the image range [-1, 1] (a sum of levels can leave it)."""
        return self.images(*latents)[-1].clamp(-1, 1)
