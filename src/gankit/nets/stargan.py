"""StarGAN's discriminator: one trunk, an adversarial head and a domain-classification head.

Choi et al. 2018, "StarGAN: Unified Generative Adversarial Networks for Multi-Domain
Image-to-Image Translation", App. 7.1, Table 5: 4x4 stride-2 convolutions with LeakyReLU 0.01
(64, 128, ... channels, no normalisation) down to a 2x2 map; D_src is a 3x3 convolution to one
channel (a PatchGAN output), D_cls a convolution over the whole map to one logit per domain.
The generator is the ResNet translator with the target domain's one-hot label replicated over
the image as extra input channels.
"""

from __future__ import annotations

import torch
from torch import nn

from gankit.errors import ConfigError
from gankit.registry import check_options


class StarGANDiscriminator(nn.Module):
    """(N, C, S, S) -> (source scores (N, 1, s, s), domain logits (N, domains))."""

    output_kind = "score"

    def __init__(self, in_channels: int, image_size: int, domains: int, width: int = 64) -> None:
        super().__init__()
        if image_size < 8:
            raise ConfigError(
                f"The StarGAN discriminator needs images of at least 8 px, got {image_size}."
            )
        layers: list[nn.Module] = []
        channels, size = in_channels, image_size
        out = width
        while size > 2:
            layers += [nn.Conv2d(channels, out, 4, 2, 1), nn.LeakyReLU(0.01)]
            channels, size, out = out, size // 2, min(out * 2, width * 32)
        self.trunk = nn.Sequential(*layers)
        self.source = nn.Conv2d(channels, 1, 3, 1, 1, bias=False)
        self.domain = nn.Conv2d(channels, domains, size, 1, 0, bias=False)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        h = self.trunk(x)
        return self.source(h), self.domain(h).flatten(1)


def build_stargan_discriminator(
    in_channels: int, image_size: int, domains: int, options: dict
) -> StarGANDiscriminator:
    """StarGAN's D with ``options`` (``width``, 64 in the paper), an unknown one refused."""
    skip = ("in_channels", "image_size", "domains")
    check_options(StarGANDiscriminator, options, "the StarGAN discriminator", skip=skip)
    return StarGANDiscriminator(in_channels, image_size, domains, **options)


class SourceHead(nn.Module):
    """The adversarial head alone, for penalties that need one output per sample."""

    def __init__(self, discriminator: nn.Module) -> None:
        """``discriminator``: a :class:`StarGANDiscriminator`, or its DDP wrapper in training."""
        super().__init__()
        self.discriminator = discriminator

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.discriminator(x)[0].flatten(1).mean(1)


def with_label_channels(images: torch.Tensor, labels: torch.Tensor, domains: int) -> torch.Tensor:
    """Append the one-hot ``labels`` (N,) as ``domains`` constant channels to ``images``."""
    one_hot = torch.nn.functional.one_hot(labels.long(), domains).to(images.dtype)
    planes = one_hot[:, :, None, None].expand(-1, -1, *images.shape[-2:])
    return torch.cat([images, planes], dim=1)
