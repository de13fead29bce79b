"""USPS handwritten digits: 16x16 grey images, 7291 train / 2007 test (Hull 1994).

Read from the libsvm files ``usps.bz2`` and ``usps.t.bz2`` (each line ``label i:value ...``
with labels 1-10 and values in [-1, 1]; downloaded with their MD5s checked) or from the common
``usps.h5`` (groups ``train`` and ``test``, each with ``data`` (N, 256) in [0, 1] and
``target``; needs h5py). Files are looked for in ``<data root>/usps/``. Labels are 0-9.
"""

from __future__ import annotations

import bz2
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

MIRROR = "https://www.csie.ntu.edu.tw/~cjlin/libsvmtools/datasets/multiclass/"
LIBSVM_FILES = {"train": "usps.bz2", "test": "usps.t.bz2"}
MD5S = {
    "usps.bz2": "ec16c51db3855ca6c91edd34d0e9b197",
    "usps.t.bz2": "8ea070ee2aca1ac39742fdd1ef5ed118",
}
HDF5_FILE = "usps.h5"
SIZE = 16


def read_libsvm(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """(images (N, 16, 16) in [0, 1], labels 0-9) from a bz2-compressed libsvm file."""
    images, labels, line_number = [], [], 0
    try:
        with bz2.open(path, "rt") as handle:
            for line in handle:
                line_number += 1
                fields = line.split()
                if not fields:
                    continue
                pixels = np.zeros(SIZE * SIZE, dtype=np.float32)
                for item in fields[1:]:
                    index, value = item.split(":")
                    pixels[int(index) - 1] = float(value)
                labels.append(int(float(fields[0])) - 1)
                images.append(pixels)
    except (OSError, ValueError, IndexError) as exc:
        raise DataError(
            f"{path} is not a readable libsvm USPS file (line {line_number}): {exc}."
        ) from None
    return (np.stack(images).reshape(-1, SIZE, SIZE) + 1) / 2, np.array(labels)


def read_hdf5(path: Path, split: str) -> tuple[np.ndarray, np.ndarray]:
    try:
        import h5py
    except ImportError:
        raise DataError(
            f"Reading {path} needs h5py (pip install 'gankit[usps]'); or use the libsvm files "
            f"{', '.join(LIBSVM_FILES.values())} instead."
        ) from None
    with h5py.File(path, "r") as handle:
        data = np.asarray(handle[split]["data"], dtype=np.float32)
        labels = np.asarray(handle[split]["target"], dtype=np.int64)
    return data.reshape(-1, SIZE, SIZE), labels


@DATASETS.register("usps")
def usps_dataset(cfg: DataConfig, mirror: str | None = None) -> TensorDataset:
    """USPS digits (Hull 1994): 16x16 grey, 7291 train / 2007 test, libsvm or HDF5 files."""
    check_image_options("usps", cfg.image_size, cfg.channels)
    if cfg.split not in LIBSVM_FILES:
        raise DataError(f"USPS has splits train and test, not {cfg.split!r}.")
    libsvm = LIBSVM_FILES[cfg.split]
    folder = find_data_folder(cfg.root, "usps", [libsvm])
    if folder is not None:
        images, labels = read_libsvm(folder / libsvm)
    elif (folder := find_data_folder(cfg.root, "usps", [HDF5_FILE])) is not None:
        images, labels = read_hdf5(folder / HDF5_FILE, cfg.split)
    else:
        target = download_folder(cfg.root, "usps")
        searched = ", ".join(str(root / "usps") for root in candidate_roots(cfg.root))
        missing = (
            f"USPS not found (searched {searched}). Put {libsvm} (from {MIRROR}) or {HDF5_FILE} "
            f"in {target}."
        )
        if not cfg.download:
            raise DataError(f"{missing} Or set data.download=true to download it.")
        try:
            download_file(
                [(mirror or MIRROR).rstrip("/") + "/" + libsvm], target / libsvm, MD5S[libsvm]
            )
        except DownloadError as exc:
            raise DownloadError(f"{missing} The download failed: {exc}") from None
        images, labels = read_libsvm(target / libsvm)
    pixels = images_from_pixels(images, 1.0, cfg.image_size, cfg.channels)
    return TensorDataset(
        pixels,
        torch.from_numpy(labels.astype(np.int64)),
        kind="image",
        num_classes=10,
        description=f"USPS {cfg.split}, {len(pixels)} images {tuple(pixels.shape[1:])}",
    )
