"""CIFAR-10 from the official binary archive and from the shared .npz copy (synthetic files)."""

import hashlib
import io
import tarfile

import numpy as np
import pytest
import torch

from gankit.config import DataConfig
from gankit.data import build_dataset, cifar10
from gankit.errors import DataError

UNREACHABLE = "http://127.0.0.1:9/"


def fake_split(count, seed):
    rng = np.random.default_rng(seed)
    pixels = rng.integers(0, 256, size=(count, 3, 32, 32), dtype=np.uint8)
    labels = (np.arange(count) % 10).astype(np.uint8)
    return pixels, labels


def write_binary_archive(path, splits):
    """A cifar-10-binary.tar.gz holding ``{member name: (pixels, labels)}`` as records."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(path, "w:gz") as archive:
        for name, (pixels, labels) in splits.items():
            records = np.concatenate([labels[:, None], pixels.reshape(len(pixels), -1)], axis=1)
            data = records.astype(np.uint8).tobytes()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path


def write_full_archive(path, per_batch=3):
    train = {n: fake_split(per_batch, i) for i, n in enumerate(cifar10.BINARY_MEMBERS["train"])}
    test = {cifar10.BINARY_MEMBERS["test"][0]: fake_split(4, 9)}
    write_binary_archive(path, train | test)
    return train, test


def write_npz(path, train=20, test=10):
    path.parent.mkdir(parents=True, exist_ok=True)
    (x_train, y_train), (x_test, y_test) = fake_split(train, 0), fake_split(test, 1)
    np.savez(
        path,
        x_train=x_train.transpose(0, 2, 3, 1),
        y_train=y_train,
        x_test=x_test.transpose(0, 2, 3, 1),
        y_test=y_test,
    )
    return x_train, x_test


def as_gankit(pixels):
    return torch.from_numpy(pixels.astype(np.float32)) / 127.5 - 1


def test_reads_every_training_batch_from_the_binary_archive(tmp_path):
    train, _ = write_full_archive(tmp_path / "cifar10" / cifar10.BINARY_FILE)
    data = build_dataset(DataConfig(name="cifar10", root=str(tmp_path), download=False))
    assert len(data) == 15 and data.spec.shape == (3, 32, 32) and data.spec.num_classes == 10
    pixels = np.concatenate([p for p, _ in train.values()])
    labels = np.concatenate([lab for _, lab in train.values()])
    assert torch.allclose(data.tensors[0], as_gankit(pixels), atol=1e-6)
    assert data.tensors[1].tolist() == labels.tolist()
    assert "official binary" in data.description


def test_the_test_split_resized_to_gray(tmp_path):
    _, test = write_full_archive(tmp_path / "cifar10" / cifar10.BINARY_FILE)
    cfg = DataConfig(name="cifar10", root=str(tmp_path), split="test", image_size=16, channels=1)
    data = build_dataset(cfg)
    assert data.tensors[0].shape == (4, 1, 16, 16)


def test_reads_the_npz_copy_with_hwc_pixels(tmp_path):
    x_train, x_test = write_npz(tmp_path / "cifar10" / cifar10.NPZ_FILE)
    train = build_dataset(DataConfig(name="cifar10", root=str(tmp_path), download=False))
    assert torch.allclose(train.tensors[0], as_gankit(x_train), atol=1e-6)
    assert "not the official order" in train.description
    test = build_dataset(DataConfig(name="cifar10", root=str(tmp_path), split="test"))
    assert torch.allclose(test.tensors[0], as_gankit(x_test), atol=1e-6)


def test_auto_prefers_the_binary_archive_and_source_chooses(tmp_path):
    write_full_archive(tmp_path / "cifar10" / cifar10.BINARY_FILE)
    write_npz(tmp_path / "cifar10" / cifar10.NPZ_FILE)
    auto = build_dataset(DataConfig(name="cifar10", root=str(tmp_path)))
    npz = build_dataset(DataConfig(name="cifar10", root=str(tmp_path), options={"source": "npz"}))
    assert (len(auto), len(npz)) == (15, 20)


def test_downloads_the_archive_with_its_md5_checked(tmp_path, http_server, monkeypatch):
    url, served = http_server
    train, _ = write_full_archive(served / cifar10.BINARY_FILE)
    md5 = hashlib.md5((served / cifar10.BINARY_FILE).read_bytes()).hexdigest()
    monkeypatch.setattr(cifar10, "BINARY_MD5", md5)
    root = tmp_path / "root"
    data = build_dataset(DataConfig(name="cifar10", root=str(root), options={"mirror": url}))
    assert len(data) == 15
    assert [p.name for p in (root / "cifar10").iterdir()] == [cifar10.BINARY_FILE]


def test_a_download_with_the_wrong_md5_leaves_nothing(tmp_path, http_server):
    url, served = http_server
    write_full_archive(served / cifar10.BINARY_FILE)  # the official MD5 cannot match it
    root = tmp_path / "root"
    with pytest.raises(DataError, match="MD5"):
        build_dataset(DataConfig(name="cifar10", root=str(root), options={"mirror": url}))
    assert list((root / "cifar10").iterdir()) == []


def test_offline_the_message_names_both_files_the_folder_and_the_url(tmp_path):
    with pytest.raises(DataError) as info:
        build_dataset(DataConfig(name="cifar10", root=str(tmp_path), download=False))
    message = str(info.value)
    assert cifar10.BINARY_FILE in message and cifar10.NPZ_FILE in message
    assert str(tmp_path / "cifar10") in message
    assert "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz" in message


def test_a_truncated_batch_or_a_wrong_archive_is_explained(tmp_path):
    path = tmp_path / "cifar10" / cifar10.BINARY_FILE
    pixels, labels = fake_split(2, 0)
    members = {name: (pixels, labels) for name in cifar10.BINARY_MEMBERS["train"]}
    write_binary_archive(path, members)
    with tarfile.open(path, "w:gz") as archive:  # rewrite one member a byte short
        data = b"\x00" * (cifar10.RECORD_BYTES * 2 - 1)
        info = tarfile.TarInfo(cifar10.BINARY_MEMBERS["train"][0])
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
    with pytest.raises(DataError, match="truncated or corrupt"):
        build_dataset(DataConfig(name="cifar10", root=str(tmp_path)))
    write_binary_archive(path, {"cifar-10-batches-py/data_batch_1": (pixels, labels)})
    with pytest.raises(DataError, match="not the CIFAR-10 binary version"):
        build_dataset(DataConfig(name="cifar10", root=str(tmp_path)))


def test_unknown_split_and_source_are_refused(tmp_path):
    write_npz(tmp_path / "cifar10" / cifar10.NPZ_FILE)
    with pytest.raises(DataError, match="train, test"):
        build_dataset(DataConfig(name="cifar10", root=str(tmp_path), split="val"))
    with pytest.raises(DataError, match="auto, binary, npz"):
        build_dataset(DataConfig(name="cifar10", root=str(tmp_path), options={"source": "py"}))


@pytest.mark.data
def test_the_shared_npz_copy(shared_data):
    if not (shared_data / "cifar10" / cifar10.NPZ_FILE).is_file():
        pytest.skip(f"{shared_data / 'cifar10' / cifar10.NPZ_FILE} is absent")
    cfg = DataConfig(name="cifar10", root=str(shared_data), download=False)
    train = build_dataset(cfg)
    assert train.tensors[0].shape == (20000, 3, 32, 32)
    assert train.tensors[1][:20].tolist() == [i % 10 for i in range(20)]  # classes interleaved
    test = build_dataset(DataConfig(name="cifar10", root=str(shared_data), split="test"))
    assert torch.bincount(test.tensors[1]).tolist() == [1000] * 10
    mean = (test.tensors[0].mean(dim=(0, 2, 3)) + 1) / 2
    assert mean.tolist() == pytest.approx([0.4914, 0.4822, 0.4465], abs=0.01)
