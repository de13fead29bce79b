"""MNIST / Fashion-MNIST IDX reading, from disk and through a download, on synthetic files."""

import gzip

import numpy as np
import pytest
import torch

from gankit.config import DataConfig
from gankit.data import build_dataset, idx
from gankit.data.download import md5sum
from gankit.errors import DataError

UNREACHABLE = "http://127.0.0.1:9/"


def test_reads_a_split_from_disk(tmp_path, write_idx_split):
    images, labels = write_idx_split(tmp_path / "mnist", "test", 20)
    data = build_dataset(DataConfig(name="mnist", root=str(tmp_path), split="test", download=False))
    assert len(data) == 20
    assert data.spec.shape == (1, 28, 28) and data.spec.num_classes == 10
    samples, read_labels = data.tensors
    assert torch.equal(read_labels, torch.from_numpy(labels.astype(np.int64)))
    assert torch.allclose(samples[:, 0], torch.from_numpy(images).float() / 127.5 - 1, atol=1e-6)


def test_resizes_and_converts_channels(tmp_path, write_idx_split):
    write_idx_split(tmp_path / "fashion-mnist", "train", 12)
    cfg = DataConfig(name="fashion-mnist", root=str(tmp_path), image_size=32, channels=3)
    data = build_dataset(cfg)
    assert data.spec.shape == (3, 32, 32)
    samples = data.tensors[0]
    assert samples.min() >= -1 and samples.max() <= 1


def test_downloads_missing_files_from_the_mirror_option(
    tmp_path, http_server, write_idx_split, monkeypatch
):
    url, served = http_server
    images, _ = write_idx_split(served, "train", 15, seed=1)
    for name in idx.SPLIT_FILES["train"]:
        monkeypatch.setitem(idx.SOURCES["mnist"].md5s, name, md5sum(served / name))
    root = tmp_path / "root"
    cfg = DataConfig(name="mnist", root=str(root), options={"mirror": url})
    data = build_dataset(cfg)
    assert len(data) == 15
    assert sorted(p.name for p in (root / "mnist").iterdir()) == sorted(idx.SPLIT_FILES["train"])
    assert torch.allclose(
        data.tensors[0][:, 0], torch.from_numpy(images).float() / 127.5 - 1, atol=1e-6
    )


def test_a_download_with_the_wrong_md5_fails_and_leaves_nothing(
    tmp_path, http_server, write_idx_split
):
    url, served = http_server
    write_idx_split(served, "train", 5)  # real MNIST MD5s cannot match these files
    root = tmp_path / "root"
    with pytest.raises(DataError, match="MD5"):
        build_dataset(DataConfig(name="mnist", root=str(root), options={"mirror": url}))
    assert list((root / "mnist").iterdir()) == []


def assert_explains_missing_files(message, folder, url):
    for name in idx.ALL_FILES:
        assert name in message
    assert str(folder) in message
    assert url in message


def test_missing_files_offline_name_the_files_folder_and_url(tmp_path):
    cfg = DataConfig(name="mnist", root=str(tmp_path), download=False)
    with pytest.raises(DataError) as info:
        build_dataset(cfg)
    assert_explains_missing_files(
        str(info.value), tmp_path / "mnist", "https://ossci-datasets.s3.amazonaws.com/mnist/"
    )
    assert "data.download=true" in str(info.value)


def test_missing_files_with_a_dead_mirror_name_the_files_folder_and_url(tmp_path):
    cfg = DataConfig(name="fashion-mnist", root=str(tmp_path), options={"mirror": UNREACHABLE})
    with pytest.raises(DataError) as info:
        build_dataset(cfg)
    assert_explains_missing_files(str(info.value), tmp_path / "fashion-mnist", UNREACHABLE)
    assert "download failed" in str(info.value)


def test_a_wrong_magic_number_is_reported(tmp_path, write_idx_split, write_idx):
    folder = tmp_path / "mnist"
    write_idx_split(folder, "train", 4)
    write_idx(folder / "train-images-idx3-ubyte.gz", np.zeros(4, dtype=np.uint8), 2049)
    with pytest.raises(DataError, match="magic number is 2049, expected 2051"):
        build_dataset(DataConfig(name="mnist", root=str(tmp_path), download=False))


def test_a_truncated_file_is_reported(tmp_path, write_idx_split):
    folder = tmp_path / "mnist"
    write_idx_split(folder, "train", 4)
    path = folder / "train-images-idx3-ubyte.gz"
    data = gzip.decompress(path.read_bytes())
    path.write_bytes(gzip.compress(data[:-100]))
    with pytest.raises(DataError, match="truncated or corrupt"):
        build_dataset(DataConfig(name="mnist", root=str(tmp_path), download=False))


def test_a_file_that_is_not_gzip_is_reported(tmp_path, write_idx_split):
    folder = tmp_path / "mnist"
    write_idx_split(folder, "train", 4)
    (folder / "train-labels-idx1-ubyte.gz").write_bytes(b"<html>not found</html>")
    with pytest.raises(DataError, match="not a readable gzip file"):
        build_dataset(DataConfig(name="mnist", root=str(tmp_path), download=False))


def test_image_and_label_counts_must_agree(tmp_path, write_idx_split, write_idx):
    folder = tmp_path / "mnist"
    write_idx_split(folder, "train", 4)
    write_idx(folder / "train-labels-idx1-ubyte.gz", np.zeros(3, dtype=np.uint8), 2049)
    with pytest.raises(DataError, match="4 images but .* 3 labels"):
        build_dataset(DataConfig(name="mnist", root=str(tmp_path), download=False))


def test_an_unknown_split_is_rejected(tmp_path):
    with pytest.raises(DataError, match="train, test"):
        build_dataset(DataConfig(name="mnist", root=str(tmp_path), split="val"))
