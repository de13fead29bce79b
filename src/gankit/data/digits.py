"""scikit-learn's handwritten digits: the built-in dataset that needs no download.

The data are the 1797 8x8 test images of the UCI "Optical Recognition of Handwritten Digits"
set (Alpaydin and Kaynak 1998), as shipped with scikit-learn (``sklearn.datasets.load_digits``).
Each pixel counts set bits in a 4x4 block of a 32x32 bitmap, so values run from 0 to 16.
"""

from __future__ import annotations

import numpy as np
import torch

from gankit.config import DataConfig
from gankit.data.base import TensorDataset
from gankit.data.registry import DATASETS
from gankit.data.transforms import check_image_options, images_from_pixels
from gankit.errors import DataError

DIGITS_MAX_VALUE = 16.0


@DATASETS.register("digits")
def digits_dataset(cfg: DataConfig) -> TensorDataset:
    """Handwritten digits from scikit-learn: 1797 images, 8x8, 10 classes; no download needed.

    ``image_size`` None keeps 8x8; any other size resizes (e.g. 16, 28, 32). ``channels`` 3
    replicates the gray channel. The set has no official split, so only ``split="train"``
    (all 1797 images) exists.
    """
    check_image_options("digits", cfg.image_size, cfg.channels)
    if cfg.split != "train":
        raise DataError(
            f"Dataset 'digits' has no {cfg.split!r} split: it is one set of 1797 images with no "
            "official split. Use data.split=train, or a dataset with a test split (e.g. mnist)."
        )
    from sklearn.datasets import load_digits

    bunch = load_digits()
    pixels = np.asarray(bunch.images, dtype=np.float32)
    images = images_from_pixels(pixels, DIGITS_MAX_VALUE, cfg.image_size, cfg.channels)
    labels = np.asarray(bunch.target, dtype=np.int64)
    channels, height, width = images.shape[1:]
    return TensorDataset(
        images,
        torch.from_numpy(labels),
        kind="image",
        num_classes=10,
        description=f"scikit-learn digits, {len(images)} images {channels}x{height}x{width}",
    )
