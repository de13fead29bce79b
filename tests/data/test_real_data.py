"""The readers on the real MNIST and Fashion-MNIST files in shared/data (marked ``data``)."""

import pytest
import torch

from gankit.config import DataConfig
from gankit.data import build_dataset

pytestmark = pytest.mark.data


def test_mnist_train_is_60000_digits(shared_data):
    data = build_dataset(DataConfig(name="mnist", root=str(shared_data), download=False))
    samples, labels = data.tensors
    assert samples.shape == (60000, 1, 28, 28)
    assert samples.min() == -1.0 and samples.max() == 1.0
    assert labels.unique().tolist() == list(range(10))
    # The first five training labels are 5, 0, 4, 1, 9 in the official order.
    assert labels[:5].tolist() == [5, 0, 4, 1, 9]


def test_fashion_mnist_test_is_10000_balanced_images(shared_data):
    cfg = DataConfig(name="fashion-mnist", root=str(shared_data), split="test", download=False)
    data = build_dataset(cfg)
    assert len(data) == 10000
    assert data.spec.shape == (1, 28, 28)
    assert torch.bincount(data.tensors[1]).tolist() == [1000] * 10


def test_mnist_test_resized_to_32_rgb(shared_data):
    cfg = DataConfig(
        name="mnist", root=str(shared_data), split="test", image_size=32, channels=3, download=False
    )
    data = build_dataset(cfg)
    assert data.tensors[0].shape == (10000, 3, 32, 32)
