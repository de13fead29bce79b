"""CIFAR-10 (Krizhevsky 2009, "Learning Multiple Layers of Features from Tiny Images", chapter 3).

60,000 32x32 colour photos in 10 classes (0 airplane, 1 automobile, 2 bird, 3 cat, 4 deer,
5 dog, 6 frog, 7 horse, 8 ship, 9 truck): 50,000 for training and 10,000 for testing. Two
on-disk forms are read from ``<data root>/cifar10/`` (see :mod:`gankit.data.roots`):

- the official *binary* version, ``cifar-10-binary.tar.gz``: in each of ``data_batch_1..5.bin``
  and ``test_batch.bin`` a record is one label byte then 3072 pixel bytes (the red, green and
  blue 32x32 planes, rows top to bottom). It is read straight from the archive, and downloaded
  with its official MD5 checked when missing. The Python version is pickled, and unpickling
  a downloaded file can run code, so it is not supported.
- ``cifar10.npz``, the offline copy in shared/data: ``x_train`` (20,000 of the 50,000 training
  images), ``y_train``, ``x_test``, ``y_test``, HWC uint8, read with ``allow_pickle=False``. Its
  order is not the official one (classes interleaved), so results on it are not comparable with
  numbers measured on the official files in order.

``source="auto"`` (the default) reads the binary archive when present, else the .npz, else
downloads the archive.
"""

from __future__ import annotations

import tarfile
from pathlib import Path

import numpy as np
import torch

from gankit.config import DataConfig
from gankit.data.base import TensorDataset
from gankit.data.download import download_file
from gankit.data.registry import DATASETS
from gankit.data.roots import candidate_roots, download_folder, find_data_folder
from gankit.data.transforms import check_image_options, images_from_pixels
from gankit.errors import DataError, DownloadError

FOLDER = "cifar10"
NPZ_FILE = "cifar10.npz"
BINARY_FILE = "cifar-10-binary.tar.gz"
BINARY_URL = "https://www.cs.toronto.edu/~kriz/"
BINARY_MD5 = "c32a1d4ab5d03f1284b67883e8d87530"
BINARY_MEMBERS = {
    "train": tuple(f"cifar-10-batches-bin/data_batch_{i}.bin" for i in range(1, 6)),
    "test": ("cifar-10-batches-bin/test_batch.bin",),
}
SIDE = 32
RECORD_BYTES = 1 + 3 * SIDE * SIDE
NUM_CLASSES = 10
SOURCES = ("auto", "binary", "npz")


@DATASETS.register("cifar10")
def cifar10_dataset(
    cfg: DataConfig, source: str = "auto", mirror: str | None = None
) -> TensorDataset:
    """CIFAR-10 colour photos: 50000 train / 10000 test, 32x32, 10 classes; binary or .npz.

    ``source`` is ``auto``, ``binary`` (the official archive, downloaded when missing) or
    ``npz`` (the shared offline copy); ``mirror`` (a base URL) replaces the official one.
    """
    check_image_options(FOLDER, cfg.image_size, cfg.channels)
    if cfg.split not in BINARY_MEMBERS:
        raise DataError(
            f"CIFAR-10 has the splits {', '.join(BINARY_MEMBERS)}, not {cfg.split!r}; set "
            "data.split to one of them."
        )
    if source not in SOURCES:
        raise DataError(
            f"data.options.source={source!r} is not a CIFAR-10 source; use one of "
            f"{', '.join(SOURCES)}."
        )
    binary = find_data_folder(cfg.root, FOLDER, [BINARY_FILE]) if source != "npz" else None
    npz = find_data_folder(cfg.root, FOLDER, [NPZ_FILE]) if source != "binary" else None
    if binary is not None:
        pixels, labels = read_binary(binary / BINARY_FILE, cfg.split)
        origin = "official binary"
    elif npz is not None:
        pixels, labels = read_npz(npz / NPZ_FILE, cfg.split)
        origin = "shared .npz copy, not the official order"
    elif source == "npz":
        raise DataError(f"{_missing(cfg, [NPZ_FILE])} The .npz copy cannot be downloaded.")
    else:
        pixels, labels = read_binary(_download(cfg, mirror), cfg.split)
        origin = "official binary"
    images = images_from_pixels(pixels, 255.0, cfg.image_size, cfg.channels)
    channels, height, width = images.shape[1:]
    return TensorDataset(
        images,
        torch.from_numpy(labels.astype(np.int64)),
        kind="image",
        num_classes=NUM_CLASSES,
        description=(
            f"CIFAR-10 {cfg.split} split ({origin}), {len(images)} images "
            f"{channels}x{height}x{width}"
        ),
    )


def read_binary(path: Path, split: str) -> tuple[np.ndarray, np.ndarray]:
    """Pixels (N, 3, 32, 32) uint8 and labels (N,) of ``split`` from the official archive."""
    fix = f"Delete {path} and run again with data.download=true to fetch a fresh copy."
    try:
        with tarfile.open(path, "r:gz") as archive:
            chunks = [_read_member(archive, name, path, fix) for name in BINARY_MEMBERS[split]]
    except (OSError, EOFError, tarfile.TarError) as exc:
        raise DataError(f"{path} is not a readable .tar.gz archive ({exc}). {fix}") from None
    records = np.concatenate(chunks)
    labels, pixels = records[:, 0], records[:, 1:].reshape(-1, 3, SIDE, SIDE)
    _check_labels(labels, path)
    return pixels, labels


def _read_member(archive: tarfile.TarFile, name: str, path: Path, fix: str) -> np.ndarray:
    # Members are read into memory by exact name, never extracted, so the archive cannot write
    # anywhere on disk.
    try:
        member = archive.getmember(name)
    except KeyError:
        raise DataError(
            f"{path} has no {name}: it is not the CIFAR-10 binary version. {fix}"
        ) from None
    handle = archive.extractfile(member)
    data = handle.read() if handle is not None else b""
    if not data or len(data) % RECORD_BYTES:
        raise DataError(
            f"{name} in {path} holds {len(data)} bytes, not a whole number of {RECORD_BYTES}-byte "
            f"records: it is truncated or corrupt. {fix}"
        )
    return np.frombuffer(data, dtype=np.uint8).reshape(-1, RECORD_BYTES)


def read_npz(path: Path, split: str) -> tuple[np.ndarray, np.ndarray]:
    """Pixels (N, 3, 32, 32) uint8 and labels (N,) of ``split`` from the shared .npz copy."""
    try:
        with np.load(path, allow_pickle=False) as data:
            images, labels = data[f"x_{split}"], data[f"y_{split}"]
    except KeyError as exc:
        raise DataError(f"{path} has no array {exc}; it is not the CIFAR-10 .npz copy.") from None
    except (OSError, ValueError) as exc:
        raise DataError(f"{path} is not a readable .npz file ({exc}); replace it.") from None
    if images.dtype != np.uint8 or images.ndim != 4 or images.shape[1:] != (SIDE, SIDE, 3):
        raise DataError(
            f"{path}: x_{split} is {images.dtype} {images.shape}, expected uint8 (N, 32, 32, 3)."
        )
    if len(images) != len(labels):
        raise DataError(f"{path}: {len(images)} images in x_{split} but {len(labels)} labels.")
    _check_labels(labels, path)
    return np.ascontiguousarray(images.transpose(0, 3, 1, 2)), labels


def _check_labels(labels: np.ndarray, path: Path) -> None:
    if labels.size and int(labels.max()) >= NUM_CLASSES:
        raise DataError(f"{path} holds label {int(labels.max())}, outside 0-9; it is not CIFAR-10.")


def _download(cfg: DataConfig, mirror: str | None) -> Path:
    target = download_folder(cfg.root, FOLDER)
    base = mirror or BINARY_URL
    missing = _missing(cfg, [BINARY_FILE, NPZ_FILE])
    if not cfg.download:
        raise DataError(f"{missing} Or set data.download=true to download {BINARY_FILE}.")

    try:
        return download_file(
            [base.rstrip("/") + "/" + BINARY_FILE], target / BINARY_FILE, BINARY_MD5
        )
    except DownloadError as exc:
        raise DownloadError(f"{missing} The download failed: {exc}") from None


def _missing(cfg: DataConfig, files: list[str]) -> str:
    searched = ", ".join(str(root / FOLDER) for root in candidate_roots(cfg.root))
    return (
        f"CIFAR-10 not found: no folder holds {' or '.join(files)} (searched {searched}). Put "
        f"{BINARY_FILE} (from {BINARY_URL}{BINARY_FILE}) in "
        f"{download_folder(cfg.root, FOLDER)}."
    )
