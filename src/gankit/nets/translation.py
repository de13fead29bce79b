"""Image-to-image generators: U-Net, U-Net without skips, U-Net++ and the ResNet translator.

All map an image (C_in, S, S) to an image (C_out, S, S) in [-1, 1] (tanh). Shared by pix2pix
(Isola et al. 2017) and CycleGAN (Zhu et al. 2017).

- ``unet``: Isola et al. 2017, §6.1.1: encoder C64-C128-C256-C512-C512-C512-C512-C512 (4x4
  convolutions, stride 2, LeakyReLU 0.2, no norm on the first), decoder
  CD512-CD1024-CD1024-C1024-C1024-C512-C256-C128 with skip connections (the channels double
  where the mirrored encoder features are concatenated), ReLU, dropout 0.5 on the three innermost
  decoder layers ("CD"), tanh output. A 256 px input goes through 8 down-samplings; other powers
  of two use log2(size) of them, with the same widths (64 * 2^i, at most 512).
- ``unet-noskip``: the same encoder-decoder without the skip connections (§4.2, Fig. 5).
- ``unet++``: Zhou et al. 2018, "UNet++: A Nested U-Net Architecture": the encoder of ``unet``;
  decoder nodes X^{i,j} = H([X^{i,0}, ..., X^{i,j-1}, Up(X^{i+1,j-1})]) on nested, dense skip
  pathways, read out at X^{0,L-1}.
- ``resnet``: Johnson et al. 2016 as used by CycleGAN (Zhu et al. 2017, App. 7.2): c7s1-64,
  d128, d256, ``blocks`` residual blocks R256 (6 for 128 px, 9 for 256 px), u128, u64, c7s1-C;
  reflection padding, instance norm.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from gankit.errors import ConfigError
from gankit.registry import Registry, check_options

# Built as ``cls(in_channels, out_channels, image_size, **options)``.
TRANSLATORS: Registry = Registry("image-to-image generator")
NORMS = ("batch", "instance")


def norm_layer(kind: str, channels: int) -> nn.Module:
    """BatchNorm, or InstanceNorm without running statistics (as pix2pix / CycleGAN use it)."""
    if kind == "batch":
        return nn.BatchNorm2d(channels)
    if kind == "instance":
        return nn.InstanceNorm2d(channels, affine=False, track_running_stats=False)
    raise ConfigError(f"norm must be one of {list(NORMS)}, got {kind!r}.")


def downsamplings(image_size: int, family: str) -> int:
    levels = int(math.log2(image_size)) if image_size > 0 else 0
    if image_size < 32 or 2**levels != image_size:
        raise ConfigError(
            f"{family} generators need a power-of-two image size of at least 32 "
            f"(e.g. 64, 128, 256); got {image_size}. Set data.image_size."
        )
    return levels


def _widths(levels: int, width: int) -> list[int]:
    return [min(width * 2**i, width * 8) for i in range(levels)]


class _Encoder(nn.Module):
    """The pix2pix encoder: ``levels`` stride-2 4x4 convolutions; returns every level's output."""

    def __init__(self, in_channels: int, widths: list[int], norm: str) -> None:
        super().__init__()
        self.blocks = nn.ModuleList()
        previous = in_channels
        for i, channels in enumerate(widths):
            layers: list[nn.Module] = [] if i == 0 else [nn.LeakyReLU(0.2)]
            layers.append(nn.Conv2d(previous, channels, 4, 2, 1, bias=norm == "instance"))
            if 0 < i < len(widths) - 1:  # no norm on the first layer or the 1x1 bottleneck
                layers.append(norm_layer(norm, channels))
            self.blocks.append(nn.Sequential(*layers))
            previous = channels

    def forward(self, x: torch.Tensor) -> list[torch.Tensor]:
        features = []
        for block in self.blocks:
            x = block(x)
            features.append(x)
        return features


def _up(in_channels: int, out_channels: int, norm: str, dropout: bool, last: bool) -> nn.Sequential:
    layers: list[nn.Module] = [
        nn.ReLU(),
        nn.ConvTranspose2d(in_channels, out_channels, 4, 2, 1, bias=last or norm == "instance"),
    ]
    if last:
        layers.append(nn.Tanh())
    else:
        layers.append(norm_layer(norm, out_channels))
        if dropout:
            layers.append(nn.Dropout(0.5))
    return nn.Sequential(*layers)


@TRANSLATORS.register("unet")
class UNetGenerator(nn.Module):
    """U-Net (Isola et al. 2017, §6.1.1): the encoder-decoder with skips between mirrored layers."""

    skips = True

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        image_size: int,
        width: int = 64,
        norm: str = "batch",
        dropout: bool = True,
    ) -> None:
        super().__init__()
        levels = downsamplings(image_size, "U-Net")
        widths = _widths(levels, width)
        self.encoder = _Encoder(in_channels, widths, norm)
        self.decoder = nn.ModuleList()
        factor = 2 if self.skips else 1
        for i in reversed(range(levels)):
            incoming = widths[i] if i == levels - 1 else widths[i] * factor
            last = i == 0
            target = out_channels if last else widths[i - 1]
            # dropout on the three innermost decoder layers, as the paper's CD512-CD1024-CD1024
            self.decoder.append(_up(incoming, target, norm, dropout and i >= levels - 3, last))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        features = self.encoder(x)
        h = features[-1]
        for step, block in enumerate(self.decoder):
            if self.skips and step > 0:
                h = torch.cat([h, features[-1 - step]], dim=1)
            h = block(h)
        return h


@TRANSLATORS.register("unet-noskip")
class EncoderDecoderGenerator(UNetGenerator):
    """U-Net's encoder-decoder with the skip connections removed (Isola et al. 2017, Fig. 5)."""

    skips = False


@TRANSLATORS.register("unet++")
class UNetPlusPlusGenerator(nn.Module):
    """UNet++ (Zhou et al. 2018): nested, densely connected skip pathways between encoder and
    decoder. Node X^{i,j} (level i, j-th node) takes every earlier node of its level and the
    up-sampled X^{i+1,j-1}; a 3x3 conv, norm and ReLU make it. The image comes from X^{0,L-1}."""

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        image_size: int,
        width: int = 64,
        norm: str = "batch",
    ) -> None:
        super().__init__()
        self.levels = downsamplings(image_size, "UNet++")
        widths = _widths(self.levels, width)
        self.encoder = _Encoder(in_channels, widths, norm)
        self.ups = nn.ModuleDict()
        self.nodes = nn.ModuleDict()
        for j in range(1, self.levels):
            for i in range(self.levels - j):
                self.ups[f"{i}_{j}"] = nn.ConvTranspose2d(widths[i + 1], widths[i], 4, 2, 1)
                self.nodes[f"{i}_{j}"] = nn.Sequential(
                    nn.Conv2d(widths[i] * (j + 1), widths[i], 3, 1, 1),
                    norm_layer(norm, widths[i]),
                    nn.ReLU(),
                )
        self.out = nn.Sequential(
            nn.ReLU(), nn.ConvTranspose2d(widths[0], out_channels, 4, 2, 1), nn.Tanh()
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        grid = {(i, 0): feature for i, feature in enumerate(self.encoder(x))}
        for j in range(1, self.levels):
            for i in range(self.levels - j):
                inputs = [grid[(i, k)] for k in range(j)]
                inputs.append(self.ups[f"{i}_{j}"](grid[(i + 1, j - 1)]))
                grid[(i, j)] = self.nodes[f"{i}_{j}"](torch.cat(inputs, dim=1))
        return self.out(grid[(0, self.levels - 1)])


class ResidualBlock(nn.Module):
    """Two reflection-padded 3x3 convolutions with norm, added to the input (Johnson et al.)."""

    def __init__(self, channels: int, norm: str, dropout: bool) -> None:
        super().__init__()
        layers = [
            nn.ReflectionPad2d(1),
            nn.Conv2d(channels, channels, 3),
            norm_layer(norm, channels),
            nn.ReLU(),
        ]
        if dropout:
            layers.append(nn.Dropout(0.5))
        layers += [
            nn.ReflectionPad2d(1),
            nn.Conv2d(channels, channels, 3),
            norm_layer(norm, channels),
        ]
        self.body = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.body(x)


@TRANSLATORS.register("resnet")
class ResNetTranslator(nn.Module):
    """ResNet translator (Johnson et al. 2016; CycleGAN App. 7.2): 2 down-samplings, ``blocks``
    residual blocks, 2 up-samplings; 9 blocks for 256 px, 6 for 128 px and below."""

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        image_size: int,
        width: int = 64,
        blocks: int | None = None,
        norm: str = "instance",
        dropout: bool = False,
    ) -> None:
        super().__init__()
        if image_size % 4:
            raise ConfigError(
                f"The ResNet translator needs a size divisible by 4, got {image_size}."
            )
        blocks = blocks if blocks is not None else (9 if image_size >= 256 else 6)
        layers: list[nn.Module] = [
            nn.ReflectionPad2d(3),
            nn.Conv2d(in_channels, width, 7),
            norm_layer(norm, width),
            nn.ReLU(),
        ]
        channels = width
        for _ in range(2):
            layers += [
                nn.Conv2d(channels, channels * 2, 3, 2, 1),
                norm_layer(norm, channels * 2),
                nn.ReLU(),
            ]
            channels *= 2
        layers += [ResidualBlock(channels, norm, dropout) for _ in range(blocks)]
        for _ in range(2):
            layers += [
                nn.ConvTranspose2d(channels, channels // 2, 3, 2, 1, output_padding=1),
                norm_layer(norm, channels // 2),
                nn.ReLU(),
            ]
            channels //= 2
        layers += [nn.ReflectionPad2d(3), nn.Conv2d(channels, out_channels, 7), nn.Tanh()]
        self.net = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


@TRANSLATORS.register("digits")
class DigitsTranslator(nn.Module):
    """The small digit translator of Kasmi & Thimonier 2020 (§2.3), for MNIST <-> USPS.

    Two 5x5 stride-2 convolutions (padding 2), a residual 3x3 block, then two "upsample"
    layers of kernel 5x5, stride 1, padding 3 and then none, with BatchNorm and ReLU throughout
    and tanh at the end. ``upsampling="upsample"`` (the default) reads those layers as the paper
    states them: a nearest-neighbour doubling followed by a stride-1 convolution, which brings
    7 -> 14 -> 16 -> 32 -> 28 (and 8 -> 32 for 32 px) exactly. ``"transposed"`` is the other
    reading, stride-2 transposed convolutions (output padding 1: 7 -> 12 -> 28); on MNIST <->
    USPS it leaves checkerboard textures and does not learn the translation in 1000 iterations,
    where the default gives recognisable digits after 200 (EXPERIMENTS.md).
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        image_size: int,
        width: int = 64,
        norm: str = "batch",
        upsampling: str = "upsample",
    ) -> None:
        super().__init__()
        if image_size not in (28, 32):
            raise ConfigError(f"The digits translator makes 28 or 32 px images, got {image_size}.")
        if upsampling not in ("upsample", "transposed"):
            raise ConfigError(f"upsampling must be 'upsample' or 'transposed', got {upsampling!r}.")
        self.down = nn.Sequential(
            nn.Conv2d(in_channels, width, 5, 2, 2), norm_layer(norm, width), nn.ReLU(),
            nn.Conv2d(width, width * 2, 5, 2, 2), norm_layer(norm, width * 2), nn.ReLU(),
        )  # fmt: skip
        self.residual = nn.Sequential(
            nn.Conv2d(width * 2, width * 2, 3, 1, 1), norm_layer(norm, width * 2), nn.ReLU()
        )
        if upsampling == "transposed":
            first: nn.Module = nn.ConvTranspose2d(width * 2, width, 5, 2, 3, output_padding=1)
            last: nn.Module = nn.ConvTranspose2d(width, out_channels, 5, 2, 0, output_padding=1)
        else:  # nearest-neighbour doubling, then a stride-1 5x5 convolution
            first = nn.Sequential(nn.Upsample(scale_factor=2), nn.Conv2d(width * 2, width, 5, 1, 3))
            last = nn.Sequential(
                nn.Upsample(scale_factor=2), nn.Conv2d(width, out_channels, 5, 1, 0)
            )
        self.up = nn.Sequential(first, norm_layer(norm, width), nn.ReLU(), last, nn.Tanh())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.down(x)
        return self.up(h + self.residual(h))


def init_translation_weights(module: nn.Module) -> None:
    """N(0, 0.02) weights and zero biases, norm scales N(1, 0.02): the pix2pix/CycleGAN init."""
    if isinstance(module, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
        nn.init.normal_(module.weight, 0.0, 0.02)
        if module.bias is not None:
            nn.init.zeros_(module.bias)
    elif isinstance(module, nn.BatchNorm2d):
        nn.init.normal_(module.weight, 1.0, 0.02)
        nn.init.zeros_(module.bias)


def build_translator(
    name: str, in_channels: int, out_channels: int, image_size: int, options: dict
) -> nn.Module:

    cls = TRANSLATORS.get(name)
    check_options(
        cls, options, f"generator {name!r}", skip=("in_channels", "out_channels", "image_size")
    )
    net = cls(in_channels, out_channels, image_size, **options)
    net.apply(init_translation_weights)
    return net
