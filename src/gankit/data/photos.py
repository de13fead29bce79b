"""The embedded paired default: crops of scikit-learn's two sample photographs and their maps.

``sklearn.datasets.load_sample_images`` ships two real photographs (427 x 640): a Chinese temple
and a flower. ``photos`` cuts square crops from them; the target B is the crop and the input A
its semantic map as in Tucker's semantic-map study (Tucker 2022, section 5): Gaussian blur
(sigma 1 px), then k-means with k = 4, each pixel replaced by its centroid, so A has at most
four colours. With ``noise`` > 0 that fraction of each map's pixels is then replaced by
uniformly random RGB triples (the same study's noisy data set); the crops, and so the targets,
stay those of the clean maps, so a clean and a noisy run see the same photos. A pix2pix model
learns map -> photo with no download. The right quarter of each photograph is held out: ``val``
crops come from its upper half and ``test`` crops from its lower half, so no held-out pixel is
seen in training.
"""

from __future__ import annotations

import numpy as np

from gankit.config import DataConfig
from gankit.data.base import PairedTensorDataset
from gankit.data.prepare import pixel_noise, semantic_map
from gankit.data.registry import DATASETS
from gankit.data.transforms import check_image_options, images_from_pixels
from gankit.errors import DataError

DEFAULT_IMAGE_SIZE = 64
SPLIT_COUNTS = {"train": 256, "val": 32, "test": 32}


def _region(photo: np.ndarray, split: str) -> np.ndarray:
    height, width = photo.shape[:2]
    left = width * 3 // 4
    if split == "train":
        return photo[:, :left]
    held_out = photo[:, left:]
    return held_out[: height // 2] if split == "val" else held_out[height // 2 :]


@DATASETS.register("photos")
def photos_dataset(
    cfg: DataConfig,
    count: int | None = None,
    crop: int = 128,
    k: int = 4,
    blur: float = 1.0,
    noise: float = 0.0,
    seed: int = 0,
) -> PairedTensorDataset:
    """Semantic map -> photo pairs cut from scikit-learn's two sample photos; no download."""
    from sklearn.datasets import load_sample_images

    check_image_options("photos", cfg.image_size, cfg.channels)
    if cfg.split not in SPLIT_COUNTS:
        raise DataError(f"photos has splits {list(SPLIT_COUNTS)}, not {cfg.split!r}.")
    count = count if count is not None else SPLIT_COUNTS[cfg.split]
    size = cfg.image_size or DEFAULT_IMAGE_SIZE
    split_index = list(SPLIT_COUNTS).index(cfg.split)
    crop_rng = np.random.default_rng([seed, split_index])
    noise_rng = np.random.default_rng([seed, split_index, 1])  # noise must not move the crops
    regions = [_region(photo, cfg.split) for photo in load_sample_images().images]
    if any(min(r.shape[:2]) < crop for r in regions):
        raise DataError(f"photos crops of {crop} px do not fit the {cfg.split} region; lower crop.")
    crops, maps = [], []
    for index in range(count):
        region = regions[index % len(regions)]
        top = crop_rng.integers(0, region.shape[0] - crop + 1)
        left = crop_rng.integers(0, region.shape[1] - crop + 1)
        patch = region[top : top + crop, left : left + crop]
        small = images_from_pixels(patch.transpose(2, 0, 1)[None], 255.0, size)[0]
        pixels = np.rint((small.permute(1, 2, 0).numpy() + 1) * 127.5).astype(np.uint8)
        label_map = semantic_map(pixels, k=k, blur=blur, seed=seed + index)
        if noise > 0:
            label_map = pixel_noise(label_map, noise, noise_rng)
        crops.append(pixels)
        maps.append(label_map)
    return PairedTensorDataset(
        _stack(maps, cfg.channels),
        _stack(crops, cfg.channels),
        description=(
            f"photos {cfg.split}: {count} {crop}px crops of scikit-learn's sample photos at "
            f"{size}px, A = semantic map (blur {blur}, then k-means k={k}"
            + (f", {noise:.0%} pixel noise)" if noise else ")")
        ),
    )


def _stack(images: list[np.ndarray], channels: int | None):
    """H x W x 3 uint8 images -> a float tensor (N, C, H, W) in [-1, 1]."""
    return images_from_pixels(
        np.stack([image.transpose(2, 0, 1) for image in images]), 255.0, None, channels
    )
