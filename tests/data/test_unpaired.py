import pytest
import torch
from PIL import Image

from gankit.config import DataConfig
from gankit.data import build_dataset
from gankit.errors import DataError


def test_cyclegan_folders(tmp_path):
    for domain, shade, count in (("trainA", 10, 3), ("trainB", 200, 5)):
        (tmp_path / domain).mkdir()
        for i in range(count):
            Image.new("RGB", (20, 20), (shade, shade, shade)).save(tmp_path / domain / f"{i}.png")
    ds = build_dataset(DataConfig(name=f"unpaired:{tmp_path}", image_size=16))
    assert ds.spec.kind == "unpaired" and len(ds) == 3 and len(ds.domain_b[0]) == 5
    assert ds.tensors[0].mean() < 0 < ds.domain_b[0].mean()
    with pytest.raises(DataError, match="testA or testB"):
        build_dataset(DataConfig(name=f"unpaired:{tmp_path}", split="test"))


def test_two_registered_datasets_and_the_usps_fallback(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("GANKIT_DATA", raising=False)
    with pytest.warns(UserWarning, match="digits stand in"):
        ds = build_dataset(
            DataConfig(name="unpaired:digits,usps", root=str(tmp_path), download=False)
        )
    assert "standing in for usps" in ds.description
    assert ds.spec.shape == (1, 28, 28) and ds.spec.num_classes == 10


def test_a_paired_set_as_two_domains():
    ds = build_dataset(DataConfig(name="unpaired:photos", image_size=32, options={}))
    assert ds.spec.input_shape == (3, 32, 32) and len(ds) == len(ds.domain_b[0])


def test_multidomain_labels_are_domains():
    ds = build_dataset(DataConfig(name="multidomain:digits,digits", image_size=16))
    assert ds.spec.num_classes == 2
    assert ds.labels.bincount().tolist() == [1797, 1797]
    assert torch.equal(ds.class_labels[:1797], ds.class_labels[1797:])


def test_two_image_folders_as_the_domains(tmp_path):
    for domain, shade, count in (("horses", 10, 3), ("zebras", 200, 5)):
        (tmp_path / domain).mkdir()
        for i in range(count):
            Image.new("RGB", (20, 20), (shade, shade, shade)).save(tmp_path / domain / f"{i}.png")
    location = f"{tmp_path / 'horses'},{tmp_path / 'zebras'}"
    ds = build_dataset(DataConfig(name=f"unpaired:{location}", image_size=16))
    assert len(ds) == 3 and len(ds.domain_b[0]) == 5
    assert ds.spec.shape == (3, 16, 16) and ds.spec.num_classes is None
    assert ds.tensors[0].mean() < 0 < ds.domain_b[0].mean()
