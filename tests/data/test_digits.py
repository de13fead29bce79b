"""The built-in scikit-learn digits."""

import pytest
import torch

from gankit.config import DataConfig
from gankit.data import build_dataset
from gankit.errors import DataError


@pytest.mark.parametrize(("size", "expected"), [(None, 8), (8, 8), (16, 16), (32, 32), (28, 28)])
def test_digits_shapes_ranges_and_labels(size, expected):
    data = build_dataset(DataConfig(name="digits", image_size=size))
    assert len(data) == 1797
    assert data.spec.kind == "image"
    assert data.spec.shape == (1, expected, expected)
    assert data.spec.num_classes == 10
    samples, labels = data.tensors
    assert samples.shape == (1797, 1, expected, expected)
    assert samples.min() == -1.0 and samples.max() <= 1.0
    assert samples.max() > 0.9
    assert sorted(labels.unique().tolist()) == list(range(10))
    image, label = data[0]
    assert image.shape == (1, expected, expected) and label == 0


def test_digits_three_channels_replicate_the_gray_image():
    gray = build_dataset(DataConfig(name="digits"))
    rgb = build_dataset(DataConfig(name="digits", channels=3, image_size=16))
    assert rgb.spec.shape == (3, 16, 16)
    images = rgb.tensors[0]
    assert torch.equal(images[:, 0], images[:, 1]) and torch.equal(images[:, 1], images[:, 2])
    assert torch.equal(gray.tensors[1], rgb.tensors[1])


def test_digits_native_size_keeps_the_original_values():
    from sklearn.datasets import load_digits

    data = build_dataset(DataConfig(name="digits"))
    expected = torch.tensor(load_digits().images[5], dtype=torch.float32) / 8 - 1
    assert torch.allclose(data[5][0][0], expected)


def test_digits_has_no_test_split():
    with pytest.raises(DataError, match="no 'test' split"):
        build_dataset(DataConfig(name="digits", split="test"))
