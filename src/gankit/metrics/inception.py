"""InceptionV3 as the FID uses it: TensorFlow's 2015 graph, laid out as pytorch-fid loads it.

The network is Inception-v3 (Szegedy et al. 2016, "Rethinking the Inception Architecture for
Computer Vision", section 6 and figures 5-7) with the changes that the Frechet Inception Distance
(Heusel et al. 2017, section 4) inherits from TensorFlow's ``inception-2015-12-05`` graph, as
identified by pytorch-fid (Seitzer 2020, ``FIDInceptionA/C/E_1/E_2``):

- the average-pool branches of the A, C and first E blocks ignore padded zeros
  (``count_include_pad=False``), as TensorFlow's pooling does;
- the last E block pools its branch with a 3x3 *max* pool instead of an average pool;
- the classifier has 1008 outputs (TensorFlow's 1000 classes plus 8 unused ones).

Every convolution is ``BasicConv2d``: a bias-free convolution, BatchNorm with eps 0.001, ReLU.
Module names and shapes are torchvision's ``Inception3(num_classes=1008, aux_logits=False)``, so
the pytorch-fid weights file ``pt_inception-2015-12-05-6726825d.pth`` loads with its own keys.
Inputs are images in [0, 1], resized bilinearly to 299x299 (``align_corners=False``) and scaled
to [-1, 1], as pytorch-fid's ``InceptionV3`` does; the output is the 2048-d pool3 feature.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

INPUT_SIZE = 299
FEATURE_DIM = 2048
NUM_LOGITS = 1008
BATCHNORM_EPS = 0.001  # TensorFlow's value, kept by the ported weights


class BasicConv2d(nn.Module):
    """Convolution without bias, BatchNorm (eps 0.001), ReLU."""

    def __init__(self, in_channels: int, out_channels: int, **conv_options) -> None:
        super().__init__()
        self.conv = nn.Conv2d(in_channels, out_channels, bias=False, **conv_options)
        self.bn = nn.BatchNorm2d(out_channels, eps=BATCHNORM_EPS)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.relu(self.bn(self.conv(x)), inplace=True)


def _average_pool_without_padding(x: torch.Tensor) -> torch.Tensor:
    # TensorFlow averages over the pixels inside the image only.
    return F.avg_pool2d(x, kernel_size=3, stride=1, padding=1, count_include_pad=False)


class InceptionA(nn.Module):
    """35x35 block (figure 5): 1x1, 5x5, double 3x3 and pooled branches."""

    def __init__(self, in_channels: int, pool_features: int) -> None:
        super().__init__()
        self.branch1x1 = BasicConv2d(in_channels, 64, kernel_size=1)
        self.branch5x5_1 = BasicConv2d(in_channels, 48, kernel_size=1)
        self.branch5x5_2 = BasicConv2d(48, 64, kernel_size=5, padding=2)
        self.branch3x3dbl_1 = BasicConv2d(in_channels, 64, kernel_size=1)
        self.branch3x3dbl_2 = BasicConv2d(64, 96, kernel_size=3, padding=1)
        self.branch3x3dbl_3 = BasicConv2d(96, 96, kernel_size=3, padding=1)
        self.branch_pool = BasicConv2d(in_channels, pool_features, kernel_size=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        five = self.branch5x5_2(self.branch5x5_1(x))
        double = self.branch3x3dbl_3(self.branch3x3dbl_2(self.branch3x3dbl_1(x)))
        pooled = self.branch_pool(_average_pool_without_padding(x))
        return torch.cat([self.branch1x1(x), five, double, pooled], 1)


class InceptionB(nn.Module):
    """Grid reduction 35 -> 17 (figure 10): strided 3x3, strided double 3x3, max pool."""

    def __init__(self, in_channels: int) -> None:
        super().__init__()
        self.branch3x3 = BasicConv2d(in_channels, 384, kernel_size=3, stride=2)
        self.branch3x3dbl_1 = BasicConv2d(in_channels, 64, kernel_size=1)
        self.branch3x3dbl_2 = BasicConv2d(64, 96, kernel_size=3, padding=1)
        self.branch3x3dbl_3 = BasicConv2d(96, 96, kernel_size=3, stride=2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        double = self.branch3x3dbl_3(self.branch3x3dbl_2(self.branch3x3dbl_1(x)))
        pooled = F.max_pool2d(x, kernel_size=3, stride=2)
        return torch.cat([self.branch3x3(x), double, pooled], 1)


class InceptionC(nn.Module):
    """17x17 block (figure 6): 7x7 convolutions factorised into 1x7 and 7x1."""

    def __init__(self, in_channels: int, channels_7x7: int) -> None:
        super().__init__()
        c7 = channels_7x7
        self.branch1x1 = BasicConv2d(in_channels, 192, kernel_size=1)
        self.branch7x7_1 = BasicConv2d(in_channels, c7, kernel_size=1)
        self.branch7x7_2 = BasicConv2d(c7, c7, kernel_size=(1, 7), padding=(0, 3))
        self.branch7x7_3 = BasicConv2d(c7, 192, kernel_size=(7, 1), padding=(3, 0))
        self.branch7x7dbl_1 = BasicConv2d(in_channels, c7, kernel_size=1)
        self.branch7x7dbl_2 = BasicConv2d(c7, c7, kernel_size=(7, 1), padding=(3, 0))
        self.branch7x7dbl_3 = BasicConv2d(c7, c7, kernel_size=(1, 7), padding=(0, 3))
        self.branch7x7dbl_4 = BasicConv2d(c7, c7, kernel_size=(7, 1), padding=(3, 0))
        self.branch7x7dbl_5 = BasicConv2d(c7, 192, kernel_size=(1, 7), padding=(0, 3))
        self.branch_pool = BasicConv2d(in_channels, 192, kernel_size=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        seven = self.branch7x7_3(self.branch7x7_2(self.branch7x7_1(x)))
        double = self.branch7x7dbl_1(x)
        for layer in (
            self.branch7x7dbl_2,
            self.branch7x7dbl_3,
            self.branch7x7dbl_4,
            self.branch7x7dbl_5,
        ):
            double = layer(double)
        pooled = self.branch_pool(_average_pool_without_padding(x))
        return torch.cat([self.branch1x1(x), seven, double, pooled], 1)


class InceptionD(nn.Module):
    """Grid reduction 17 -> 8: strided 3x3, factorised 7x7 then strided 3x3, max pool."""

    def __init__(self, in_channels: int) -> None:
        super().__init__()
        self.branch3x3_1 = BasicConv2d(in_channels, 192, kernel_size=1)
        self.branch3x3_2 = BasicConv2d(192, 320, kernel_size=3, stride=2)
        self.branch7x7x3_1 = BasicConv2d(in_channels, 192, kernel_size=1)
        self.branch7x7x3_2 = BasicConv2d(192, 192, kernel_size=(1, 7), padding=(0, 3))
        self.branch7x7x3_3 = BasicConv2d(192, 192, kernel_size=(7, 1), padding=(3, 0))
        self.branch7x7x3_4 = BasicConv2d(192, 192, kernel_size=3, stride=2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        three = self.branch3x3_2(self.branch3x3_1(x))
        seven = self.branch7x7x3_1(x)
        for layer in (self.branch7x7x3_2, self.branch7x7x3_3, self.branch7x7x3_4):
            seven = layer(seven)
        pooled = F.max_pool2d(x, kernel_size=3, stride=2)
        return torch.cat([three, seven, pooled], 1)


class InceptionE(nn.Module):
    """8x8 block (figure 7): 3x3 convolutions split into parallel 1x3 and 3x1.

    ``max_pool`` selects the FID graph's pooled branch: average pooling without padded zeros in
    ``Mixed_7b``, 3x3 max pooling in ``Mixed_7c`` (pytorch-fid's ``FIDInceptionE_1``/``_2``).
    """

    def __init__(self, in_channels: int, max_pool: bool) -> None:
        super().__init__()
        self.max_pool = max_pool
        self.branch1x1 = BasicConv2d(in_channels, 320, kernel_size=1)
        self.branch3x3_1 = BasicConv2d(in_channels, 384, kernel_size=1)
        self.branch3x3_2a = BasicConv2d(384, 384, kernel_size=(1, 3), padding=(0, 1))
        self.branch3x3_2b = BasicConv2d(384, 384, kernel_size=(3, 1), padding=(1, 0))
        self.branch3x3dbl_1 = BasicConv2d(in_channels, 448, kernel_size=1)
        self.branch3x3dbl_2 = BasicConv2d(448, 384, kernel_size=3, padding=1)
        self.branch3x3dbl_3a = BasicConv2d(384, 384, kernel_size=(1, 3), padding=(0, 1))
        self.branch3x3dbl_3b = BasicConv2d(384, 384, kernel_size=(3, 1), padding=(1, 0))
        self.branch_pool = BasicConv2d(in_channels, 192, kernel_size=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        three = self.branch3x3_1(x)
        three = torch.cat([self.branch3x3_2a(three), self.branch3x3_2b(three)], 1)
        double = self.branch3x3dbl_2(self.branch3x3dbl_1(x))
        double = torch.cat([self.branch3x3dbl_3a(double), self.branch3x3dbl_3b(double)], 1)
        if self.max_pool:
            pooled = F.max_pool2d(x, kernel_size=3, stride=1, padding=1)
        else:
            pooled = _average_pool_without_padding(x)
        return torch.cat([self.branch1x1(x), three, double, self.branch_pool(pooled)], 1)


class InceptionV3(nn.Module):
    """The FID InceptionV3: images in [0, 1] -> 2048-d pool3 features (and 1008 logits).

    Heusel et al. 2017 (section 4) take the FID features from the pool3 layer of this network;
    Salimans et al. 2016 (section 4) take the Inception Score from its class probabilities.
    Weights come from :func:`gankit.metrics.inception_weights.load_inception`; a fresh instance
    has PyTorch's default random initialisation, useful only for shapes and speed.
    """

    def __init__(self) -> None:
        super().__init__()
        self.Conv2d_1a_3x3 = BasicConv2d(3, 32, kernel_size=3, stride=2)
        self.Conv2d_2a_3x3 = BasicConv2d(32, 32, kernel_size=3)
        self.Conv2d_2b_3x3 = BasicConv2d(32, 64, kernel_size=3, padding=1)
        self.Conv2d_3b_1x1 = BasicConv2d(64, 80, kernel_size=1)
        self.Conv2d_4a_3x3 = BasicConv2d(80, 192, kernel_size=3)
        self.Mixed_5b = InceptionA(192, pool_features=32)
        self.Mixed_5c = InceptionA(256, pool_features=64)
        self.Mixed_5d = InceptionA(288, pool_features=64)
        self.Mixed_6a = InceptionB(288)
        self.Mixed_6b = InceptionC(768, channels_7x7=128)
        self.Mixed_6c = InceptionC(768, channels_7x7=160)
        self.Mixed_6d = InceptionC(768, channels_7x7=160)
        self.Mixed_6e = InceptionC(768, channels_7x7=192)
        self.Mixed_7a = InceptionD(768)
        self.Mixed_7b = InceptionE(1280, max_pool=False)
        self.Mixed_7c = InceptionE(2048, max_pool=True)
        self.fc = nn.Linear(FEATURE_DIM, NUM_LOGITS)
        self.requires_grad_(False)
        self.eval()

    def forward(self, images: torch.Tensor, resize: bool = True) -> torch.Tensor:
        """Pool3 features (N, 2048) of ``images`` (N, 3, H, W) in [0, 1].

        With ``resize`` (pytorch-fid's default) every input is first resized to 299x299 with
        ``F.interpolate(mode="bilinear", align_corners=False)``; without it any size of at least
        75x75 works, the final pool averaging over whatever grid is left.
        """
        x = images
        if resize:
            x = F.interpolate(
                x, size=(INPUT_SIZE, INPUT_SIZE), mode="bilinear", align_corners=False
            )
        return self.pool3(2 * x - 1)

    def pool3(self, x: torch.Tensor) -> torch.Tensor:
        """Pool3 features (N, 2048) of the network's input ``x``: images already brought to
        299x299 and scaled to about [-1, 1] by one of the protocols of
        :mod:`gankit.metrics.resize`."""
        x = self.Conv2d_2b_3x3(self.Conv2d_2a_3x3(self.Conv2d_1a_3x3(x)))
        x = F.max_pool2d(x, kernel_size=3, stride=2)
        x = self.Conv2d_4a_3x3(self.Conv2d_3b_1x1(x))
        x = F.max_pool2d(x, kernel_size=3, stride=2)
        for block in (
            self.Mixed_5b,
            self.Mixed_5c,
            self.Mixed_5d,
            self.Mixed_6a,
            self.Mixed_6b,
            self.Mixed_6c,
            self.Mixed_6d,
            self.Mixed_6e,
            self.Mixed_7a,
            self.Mixed_7b,
            self.Mixed_7c,
        ):
            x = block(x)
        return F.adaptive_avg_pool2d(x, 1).flatten(1)

    def logits(self, features: torch.Tensor, bias: bool = False) -> torch.Tensor:
        """The 1008 class logits of pool3 ``features``.

        Without ``bias`` these are the logits the original Inception Score code (Salimans et al.
        2016) and torch-fidelity (``logits_unbiased``) score: pool3 times the fc weight only.
        """
        weight = self.fc.weight.to(features.dtype)
        logits = features @ weight.T
        return logits + self.fc.bias.to(features.dtype) if bias else logits


def random_inception(seed: int = 0) -> InceptionV3:
    """An InceptionV3 with random, scale-preserving weights: for shapes and speed, never scores.

    PyTorch's default convolution initialisation shrinks the signal through the 94 layers to
    ~1e-8; He et al. 2015 (section 2.2) normal initialisation keeps it near 1, so timings and
    precision checks see realistic magnitudes.
    """
    rng = torch.Generator().manual_seed(seed)
    net = InceptionV3()
    for module in net.modules():
        if isinstance(module, nn.Conv2d):
            fan_in = module.weight[0].numel()
            std = (2.0 / fan_in) ** 0.5
            module.weight.copy_(torch.randn(module.weight.shape, generator=rng) * std)
    net.fc.weight.copy_(torch.randn(net.fc.weight.shape, generator=rng) / FEATURE_DIM**0.5)
    return net
