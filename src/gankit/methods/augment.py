"""Training-time corruptions of a translation method's input images (pix2pix).

Both act on the input alone, never on the targets, and only while training:

- :func:`random_erase`: random erasing (Zhong et al. 2017), which Gao's photo -> sketch study
  uses to obscure parts of the photo so the generator learns to draw across broken contours;
- :func:`add_input_noise`: Gaussian noise on the generator's input, the regulariser the same
  study tried and found useless ("the generator simply learned to ignore the noise").
"""

from __future__ import annotations

import torch


def random_erase(
    images: torch.Tensor,
    probability: float,
    scale: tuple[float, float] = (0.02, 0.4),
    ratio: tuple[float, float] = (0.3, 3.3),
) -> torch.Tensor:
    """Random erasing (Zhong et al. 2017, Alg. 1) of a batch (N, C, H, W), returned as a copy.

    With ``probability`` p, one rectangle of each sample, of area ``scale`` (s_l, s_h) of the
    image and aspect ``ratio`` (r_1, 1/r_1), is filled with uniform noise in [-1, 1], each
    channel its own; the paper's defaults s_l = 0.02, s_h = 0.4, r_1 = 0.3.
    """
    out = images.clone()
    n, channels, height, width = images.shape
    for i in range(n):
        if torch.rand(()) >= probability:
            continue
        for _ in range(10):  # the paper retries until the rectangle fits
            area = height * width * float(torch.empty(()).uniform_(*scale))
            aspect = float(torch.empty(()).uniform_(*ratio))
            h, w = round((area * aspect) ** 0.5), round((area / aspect) ** 0.5)
            if 0 < h < height and 0 < w < width:
                top = int(torch.randint(0, height - h + 1, ()))
                left = int(torch.randint(0, width - w + 1, ()))
                noise = torch.rand(channels, h, w, device=images.device) * 2 - 1
                out[i, :, top : top + h, left : left + w] = noise.to(images.dtype)
                break
    return out


def add_input_noise(images: torch.Tensor, std: float) -> torch.Tensor:
    """``images`` + N(0, std^2) noise, independent per pixel and channel (images in [-1, 1]).

    Gao (§6.1.5) reports adding "random noise to the input layer" without its form or size;
    zero-mean Gaussian noise of a chosen std is the common reading (no clipping, as for a
    noise layer).
    """
    return images + std * torch.randn_like(images)
