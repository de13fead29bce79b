"""What every implementation is given: one set of random InceptionV3 weights and small images.

The real weights file is not needed to check a pipeline: any weights in pytorch-fid's layout
(which torch-fidelity and clean-fid's legacy mode load too) go through the same layers, so
agreement on random weights checks the architecture, the key mapping, the preprocessing and
every metric after it. The weights are drawn from a fixed seed, BatchNorm included (with its
defaults, weight 1 and zero statistics, a swapped BatchNorm key would go unnoticed), and the
classifier is scaled so that the class probabilities are far from uniform and the Inception
Score far from 1.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from gankit.metrics.features import InceptionFeatureExtractor
from gankit.metrics.inception import InceptionV3, random_inception

WEIGHTS_SEED = 0
LOGIT_SCALE = 20.0  # sharpens the softmax of the random classifier


def shared_state_dict(seed: int = WEIGHTS_SEED) -> dict[str, torch.Tensor]:
    """pytorch-fid-layout InceptionV3 weights, every tensor drawn from ``seed``."""
    net = random_inception(seed)
    rng = torch.Generator().manual_seed(seed + 1)
    state = net.state_dict()
    for key, value in state.items():
        if key.endswith("bn.weight") or key.endswith("bn.running_var"):
            value.copy_(0.75 + 0.5 * torch.rand(value.shape, generator=rng))
        elif key.endswith("bn.bias") or key.endswith("bn.running_mean"):
            value.copy_(0.1 * torch.randn(value.shape, generator=rng))
    state["fc.weight"].mul_(LOGIT_SCALE)
    state["fc.bias"].copy_(torch.randn(state["fc.bias"].shape, generator=rng))
    return {key: value.clone() for key, value in state.items()}


def gankit_extractor(state: dict[str, torch.Tensor], batch_size: int = 50, resize: str = "pytorch"):
    """gankit's standard feature extractor (default options but ``resize``) on ``state``."""
    net = InceptionV3()
    net.load_state_dict(state)
    return InceptionFeatureExtractor(net, "0" * 64, batch_size=batch_size, resize=resize)


def random_images(count: int, size: int, channels: int, seed: int) -> torch.Tensor:
    """``count`` uint8 images (N, C, size, size): a colour per image plus noise and a ramp."""
    rng = np.random.default_rng(seed)
    base = rng.integers(0, 256, (count, channels, 1, 1))
    ramp = np.linspace(-60, 60, size)[None, None, None, :] * rng.choice([-1, 1], (count, 1, 1, 1))
    noise = rng.normal(0, 40, (count, channels, size, size))
    return torch.from_numpy(np.clip(base + ramp + noise, 0, 255).astype(np.uint8))


def write_pngs(folder: Path, images: torch.Tensor) -> Path:
    """``images`` (uint8, N x C x H x W) as ``folder/000.png``, ... (grayscale when C is 1)."""
    from PIL import Image

    folder.mkdir(parents=True, exist_ok=True)
    for index, image in enumerate(images):
        pixels = image.permute(1, 2, 0).numpy()
        Image.fromarray(pixels[:, :, 0] if pixels.shape[2] == 1 else pixels).save(
            folder / f"{index:03d}.png"
        )
    return folder


def to_gankit(images: torch.Tensor) -> torch.Tensor:
    """uint8 images -> gankit's float images in [-1, 1]."""
    return images.float() / 255 * 2 - 1


def max_relative_difference(value: np.ndarray | torch.Tensor, reference) -> float:
    """``max |value - reference| / max |reference|``: elementwise ratios are meaningless for
    features near zero (ReLU outputs), so the difference is measured against the array's scale."""
    value = np.asarray(value, dtype=np.float64)
    reference = np.asarray(reference, dtype=np.float64)
    assert value.shape == reference.shape, (value.shape, reference.shape)
    return float(np.abs(value - reference).max() / np.abs(reference).max())


def pytorch_fid_preprocessing(images: torch.Tensor, size, align_corners) -> torch.Tensor:
    """pytorch-fid's resize and scaling of 0-255 images, to stand in for torch-fidelity's
    ``interpolate_bilinear_2d_like_tensorflow1x`` (same signature), so that torch-fidelity's
    network and metrics run on gankit's protocol.

    torch-fidelity then computes ``(x - 128) / 128``, so the [-1, 1] image is handed over as
    ``128 x + 128``; that round trip is exact to ~1e-7.
    """
    resized = F.interpolate(images / 255, size=size, mode="bilinear", align_corners=False)
    return (2 * resized - 1) * 128 + 128
