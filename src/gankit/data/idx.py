"""MNIST and Fashion-MNIST, read from their official gzip-compressed IDX files.

IDX (LeCun et al., http://yann.lecun.com/exdb/mnist/, "file formats" section) is big-endian: a
4-byte magic number (two zero bytes, a type code, 0x08 for unsigned bytes, and the number of
dimensions), one 4-byte size per dimension, then the data. Image files have magic 2051
(N, 28, 28), label files 2049 (N,). Fashion-MNIST (Xiao et al. 2017) uses the same four file
names and format. Files are looked up under ``<data root>/mnist/`` or
``<data root>/fashion-mnist/`` (see :mod:`gankit.data.roots`) and downloaded there, with their
official MD5s checked, when missing and ``data.download`` is true.
"""

from __future__ import annotations

import gzip
import math
import struct
import zlib
from dataclasses import dataclass
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

IDX_IMAGES_MAGIC = 2051
IDX_LABELS_MAGIC = 2049
SPLIT_FILES = {
    "train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
    "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
}
ALL_FILES = tuple(name for pair in SPLIT_FILES.values() for name in pair)
NUM_CLASSES = 10


@dataclass(frozen=True)
class IdxSource:
    """One IDX dataset: its folder name under a data root, mirrors and official MD5s."""

    folder: str
    title: str
    mirrors: tuple[str, ...]
    md5s: dict[str, str]


SOURCES = {
    "mnist": IdxSource(
        folder="mnist",
        title="MNIST",
        mirrors=(
            "https://ossci-datasets.s3.amazonaws.com/mnist/",
            "http://yann.lecun.com/exdb/mnist/",
        ),
        md5s={
            "train-images-idx3-ubyte.gz": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
            "train-labels-idx1-ubyte.gz": "d53e105ee54ea40749a09fcbcd1e9432",
            "t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
            "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c",
        },
    ),
    "fashion-mnist": IdxSource(
        folder="fashion-mnist",
        title="Fashion-MNIST",
        mirrors=("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",),
        md5s={
            "train-images-idx3-ubyte.gz": "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
            "train-labels-idx1-ubyte.gz": "25c81989df183df01b3e8a0aad5dffbe",
            "t10k-images-idx3-ubyte.gz": "bef4ecab320f06d8554ea6380940ec79",
            "t10k-labels-idx1-ubyte.gz": "bb300cfdad3c16e7a12a480ee83cd310",
        },
    ),
}


@DATASETS.register("mnist")
def mnist_dataset(cfg: DataConfig, mirror: str | None = None) -> TensorDataset:
    """MNIST handwritten digits: 60000 train / 10000 test, 28x28, 10 classes; downloaded.

    ``mirror`` (a base URL) replaces the official mirrors when downloading.
    """
    return load_idx_dataset(cfg, SOURCES["mnist"], mirror)


@DATASETS.register("fashion-mnist")
def fashion_mnist_dataset(cfg: DataConfig, mirror: str | None = None) -> TensorDataset:
    """Fashion-MNIST clothing: 60000 train / 10000 test, 28x28, 10 classes; downloaded.

    ``mirror`` (a base URL) replaces the official mirror when downloading.
    """
    return load_idx_dataset(cfg, SOURCES["fashion-mnist"], mirror)


def load_idx_dataset(
    cfg: DataConfig, source: IdxSource, mirror: str | None = None
) -> TensorDataset:
    """One split of an IDX dataset as images (N, C, S, S) in [-1, 1] with labels 0-9."""
    check_image_options(source.folder, cfg.image_size, cfg.channels)
    if cfg.split not in SPLIT_FILES:
        raise DataError(
            f"{source.title} has the splits {', '.join(SPLIT_FILES)}, not {cfg.split!r}; "
            "set data.split to one of them."
        )
    image_file, label_file = SPLIT_FILES[cfg.split]
    folder = find_or_download(cfg, source, (image_file, label_file), mirror)
    pixels = read_idx(folder / image_file, IDX_IMAGES_MAGIC)
    labels = read_idx(folder / label_file, IDX_LABELS_MAGIC)
    if len(pixels) != len(labels):
        raise DataError(
            f"{folder / image_file} holds {len(pixels)} images but {folder / label_file} holds "
            f"{len(labels)} labels; one of them is from another dataset or split. Replace both."
        )
    if labels.size and labels.max() >= NUM_CLASSES:
        raise DataError(
            f"{folder / label_file} holds label {int(labels.max())}, outside 0-9; it is not a "
            f"{source.title} label file. Replace it."
        )
    images = images_from_pixels(pixels, 255.0, cfg.image_size, cfg.channels)
    channels, height, width = images.shape[1:]
    return TensorDataset(
        images,
        torch.from_numpy(labels.astype(np.int64)),
        kind="image",
        num_classes=NUM_CLASSES,
        description=(
            f"{source.title} {cfg.split} split, {len(images)} images {channels}x{height}x{width}"
        ),
    )


def read_idx(path: Path, magic: int) -> np.ndarray:
    """The uint8 array stored in a gzip-compressed IDX file, checked against ``magic``."""
    kind = "image" if magic == IDX_IMAGES_MAGIC else "label"
    fix = "Delete it and run again with data.download=true to fetch a fresh copy."
    try:
        with gzip.open(path, "rb") as handle:
            data = handle.read()
    except (OSError, EOFError, zlib.error) as exc:
        raise DataError(f"{path} is not a readable gzip file ({exc}). {fix}") from None
    found = int.from_bytes(data[:4], "big") if len(data) >= 4 else None
    if found != magic:
        raise DataError(
            f"{path} is not an IDX {kind} file: its magic number is {found}, expected {magic}. "
            f"{fix}"
        )
    ndim = data[3]
    header = 4 + 4 * ndim
    if len(data) < header:
        raise DataError(f"{path} ends inside its IDX header. {fix}")
    shape = struct.unpack(f">{ndim}I", data[4:header])
    if len(data) - header != math.prod(shape):
        raise DataError(
            f"{path} announces {shape[0]} {kind}s of shape {shape[1:]} ({math.prod(shape)} "
            f"bytes) but holds {len(data) - header} bytes of data: it is truncated or corrupt. "
            f"{fix}"
        )
    return np.frombuffer(data, dtype=np.uint8, offset=header).reshape(shape)


def find_or_download(
    cfg: DataConfig, source: IdxSource, needed: tuple[str, ...], mirror: str | None = None
) -> Path:
    """The folder holding ``needed``, downloading the missing ones when ``cfg.download``."""
    folder = find_data_folder(cfg.root, source.folder, needed)
    if folder is not None:
        return folder
    target = download_folder(cfg.root, source.folder)
    mirrors = [mirror] if mirror else list(source.mirrors)
    missing = _missing_message(cfg, source, needed, target, mirrors)
    if not cfg.download:
        raise DataError(f"{missing} Or set data.download=true to download them.")

    try:
        for name in needed:
            if not (target / name).is_file():
                urls = [base.rstrip("/") + "/" + name for base in mirrors]
                download_file(urls, target / name, source.md5s[name])
    except DownloadError as exc:
        raise DownloadError(f"{missing} The download failed: {exc}") from None
    return target


def _missing_message(
    cfg: DataConfig, source: IdxSource, needed: tuple[str, ...], target: Path, mirrors: list[str]
) -> str:
    searched = ", ".join(str(root / source.folder) for root in candidate_roots(cfg.root))
    return (
        f"{source.title} {cfg.split} split not found: no folder holds {' and '.join(needed)} "
        f"(searched {searched}). Put the four {source.title} files ({', '.join(ALL_FILES)}) in "
        f"{target}; they are at {mirrors[0]}."
    )
