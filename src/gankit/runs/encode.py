"""Features of a dataset under a trained run's encoder: BiGAN's E(x), InfoGAN's Q(c|x)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import torch
from torch.utils.data import DataLoader

from gankit.core.method import Encoder, Method
from gankit.data import build_dataset
from gankit.errors import ConfigError
from gankit.runs.launch import load_trained


def encode_images(method: Method, images: torch.Tensor, batch_size: int = 500) -> torch.Tensor:
    """``method.encode`` over ``images`` (N, C, H, W), ``batch_size`` at a time, on the CPU."""
    if not isinstance(method, Encoder):
        raise ConfigError(
            f"Run method {method.cfg.method!r} has no encoder; encoding needs one that maps "
            "images to codes, such as bigan (E(x)) or infogan (Q(c|x))."
        )
    return torch.cat([method.encode(batch) for batch in images.split(batch_size)])


def encode_dataset(
    run_dir: str | Path,
    data: str | None = None,
    data_dir: str | None = None,
    split: str = "test",
    batch_size: int = 500,
    device: str = "cpu",
    limit: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Features (N, D) and labels (N,) of a dataset under the run's encoder.

    The dataset defaults to the run's own, read at the run's image size and channels (what the
    encoder was trained on); ``data`` and ``data_dir`` pick another name or location and
    ``split`` the split. ``limit`` keeps the first ``limit`` images. Labels are -1 where unknown.
    """
    method, cfg, _ = load_trained(run_dir, device=device)
    config = dataclasses.replace(
        cfg.data, name=data or cfg.data.name, root=data_dir or cfg.data.root, split=split
    )
    dataset = build_dataset(config)
    if tuple(dataset.spec.shape) != tuple(method.spec.shape):
        raise ConfigError(
            f"The run was trained on images of shape {method.spec.shape}, but {config.name} "
            f"gives {dataset.spec.shape}; pick data of the same size and channels."
        )
    features, labels, seen = [], [], 0
    for images, batch_labels in DataLoader(dataset, batch_size=batch_size):
        if limit is not None:
            images, batch_labels = images[: limit - seen], batch_labels[: limit - seen]
        features.append(encode_images(method, images, batch_size))
        labels.append(torch.as_tensor(batch_labels))
        seen += len(images)
        if limit is not None and seen >= limit:
            break
    return torch.cat(features).numpy(), torch.cat(labels).long().numpy()


def write_features(
    run_dir: str | Path, out: str | Path, **options
) -> tuple[Path, Path | None, int]:
    """Write the features to ``out`` (.npy) and, when known, the labels beside it
    (``<stem>_labels.npy``). Returns both paths (None for absent labels) and the count."""
    features, labels = encode_dataset(run_dir, **options)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    np.save(out, features.astype(np.float32))
    labels_path = None
    if (labels >= 0).any():
        labels_path = out.with_name(f"{out.stem}_labels.npy")
        np.save(labels_path, labels)
    return out, labels_path, len(features)
