"""Fixtures for the dataset tests: isolated data roots, a local HTTP server, IDX writers."""

from __future__ import annotations

import gzip
import struct
from pathlib import Path

import numpy as np
import pytest

from gankit.data.idx import IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC, SPLIT_FILES


@pytest.fixture(autouse=True)
def isolated_data_roots(tmp_path_factory, monkeypatch):
    """No test reads or writes the real ~/.cache/gankit or $GANKIT_DATA."""
    monkeypatch.setenv("HOME", str(tmp_path_factory.mktemp("home")))
    monkeypatch.delenv("GANKIT_DATA", raising=False)


def write_idx(path: Path, array: np.ndarray, magic: int) -> Path:
    """Write a uint8 array as a gzip-compressed IDX file (the MNIST format)."""
    header = struct.pack(">I", magic) + struct.pack(f">{array.ndim}I", *array.shape)
    path.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(path, "wb") as handle:
        handle.write(header + np.ascontiguousarray(array, dtype=np.uint8).tobytes())
    return path


def write_idx_split(
    folder: Path, split: str, count: int, seed: int = 0, size: int = 28
) -> tuple[np.ndarray, np.ndarray]:
    """Write a synthetic split (random images, labels 0-9) into ``folder``; return the arrays."""
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, size=(count, size, size), dtype=np.uint8)
    labels = (np.arange(count) % 10).astype(np.uint8)
    image_file, label_file = SPLIT_FILES[split]
    write_idx(folder / image_file, images, IDX_IMAGES_MAGIC)
    write_idx(folder / label_file, labels, IDX_LABELS_MAGIC)
    return images, labels


@pytest.fixture(name="write_idx")
def write_idx_fixture():
    """The IDX writer, for tests that build their own (possibly broken) files."""
    return write_idx


@pytest.fixture(name="write_idx_split")
def write_idx_split_fixture():
    """The synthetic-split writer: ``write_idx_split(folder, split, count, seed=0, size=28)``."""
    return write_idx_split
