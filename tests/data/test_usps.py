import bz2

import numpy as np
import pytest
import torch

from gankit.config import DataConfig
from gankit.data import build_dataset, usps
from gankit.errors import DataError


def write_libsvm(path, count, seed=0):
    rng = np.random.default_rng(seed)
    images = rng.uniform(-1, 1, size=(count, 256)).round(4)
    lines = [
        f"{i % 10 + 1} " + " ".join(f"{j + 1}:{v}" for j, v in enumerate(row))
        for i, row in enumerate(images)
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    with bz2.open(path, "wt") as handle:
        handle.write("\n".join(lines) + "\n")
    return images


def test_libsvm_files_are_read(tmp_path):
    images = write_libsvm(tmp_path / "usps" / "usps.bz2", 12)
    ds = build_dataset(DataConfig(name="usps", root=str(tmp_path), download=False))
    assert ds.samples.shape == (12, 1, 16, 16) and ds.labels.tolist() == [i % 10 for i in range(12)]
    assert torch.allclose(
        ds.samples[3].flatten(), torch.tensor(images[3], dtype=torch.float32), atol=1e-6
    )


def test_download_from_a_local_mirror(tmp_path, http_server, monkeypatch):
    url, served = http_server
    write_libsvm(served / "usps.t.bz2", 5)
    monkeypatch.setitem(
        usps.MD5S,
        "usps.t.bz2",
        __import__("hashlib").md5((served / "usps.t.bz2").read_bytes()).hexdigest(),
    )
    cfg = DataConfig(name="usps", root=str(tmp_path / "d"), split="test", options={"mirror": url})
    assert len(build_dataset(cfg)) == 5
    assert (tmp_path / "d" / "usps" / "usps.t.bz2").exists()


def test_missing_usps_offline_says_where_to_put_it(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("GANKIT_DATA", raising=False)
    with pytest.raises(DataError, match="usps.bz2.*" + str(tmp_path / "d" / "usps")):
        build_dataset(DataConfig(name="usps", root=str(tmp_path / "d"), download=False))


@pytest.mark.data
def test_real_usps_h5(shared_data):
    pytest.importorskip("h5py", reason="reading usps.h5 needs h5py")
    ds = build_dataset(DataConfig(name="usps", root=str(shared_data), download=False))
    assert len(ds) == 7291 and ds.labels.bincount().tolist()[:3] == [1194, 1005, 731]
    test = build_dataset(
        DataConfig(name="usps", root=str(shared_data), split="test", download=False)
    )
    assert len(test) == 2007
