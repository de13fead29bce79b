"""Domain classifiers: trained once on digits (tiny budget), cached, loaded, used for features."""

import pytest
import torch

from gankit.config import DataConfig
from gankit.data import build_dataset
from gankit.errors import ConfigError
from gankit.metrics import (
    classifier_extractor,
    classifier_training,
    label_accuracy,
    load_or_train_classifier,
)
from gankit.metrics.cache import cache_root

BUDGET = {"train_images": 2560}  # 20 steps of 128 on 8x8 digits: well under a second


@pytest.fixture
def digits_extractor():
    return classifier_extractor(DataConfig(name="digits"), **BUDGET)


def test_training_caches_the_classifier_with_its_accuracy(digits_extractor):
    path = cache_root() / "classifiers" / "digits-native.pt"
    assert path.is_file()
    state = torch.load(path, weights_only=True)
    assert state["dataset"] == "digits" and state["image_size"] == 8
    assert state["accuracy_split"] == "held-out last 359 of train"
    assert state["accuracy"] == digits_extractor.classifier.accuracy
    assert 0.3 < state["accuracy"] <= 1.0  # far above chance (0.1) after 20 steps
    assert state["train_images"] == 2560


def test_a_cached_classifier_is_loaded_not_retrained(digits_extractor, monkeypatch):
    def no_training(*args, **kwargs):
        raise AssertionError("trained again")

    monkeypatch.setattr(classifier_training, "train_classifier", no_training)
    again = load_or_train_classifier(DataConfig(name="digits"))
    assert again.weights_sha256 == digits_extractor.weights_sha256


def test_features_are_128_d_and_logits_10_way_with_a_protocol(digits_extractor):
    images = build_dataset(DataConfig(name="digits")).tensors[0][:7]
    result = digits_extractor(images)
    assert result.features.shape == (7, 128) and result.logits.shape == (7, 10)
    protocol = digits_extractor.protocol()
    assert protocol["feature_extractor"] == "classifier-digits-8"
    assert len(protocol["weights_sha256"]) == 64
    assert protocol["classifier_accuracy"] == digits_extractor.classifier.accuracy


def test_other_sizes_and_channels_are_converted(digits_extractor):
    result = digits_extractor(torch.zeros(2, 3, 32, 32))
    assert result.features.shape == (2, 128)


def test_label_accuracy_counts_agreements_with_the_labels(digits_extractor):
    images, labels = build_dataset(DataConfig(name="digits")).tensors
    images, labels = images[-100:], labels[-100:]
    predicted = torch.from_numpy(digits_extractor(images).logits).argmax(dim=1)
    expected = float((predicted == labels).double().mean())
    assert label_accuracy(images, labels, digits_extractor) == expected
    assert label_accuracy(images, predicted, digits_extractor) == 1.0


def test_training_leaves_the_global_rng_alone():
    state = torch.get_rng_state()
    classifier_training.train_classifier(DataConfig(name="digits"), train_images=128)
    assert torch.equal(torch.get_rng_state(), state)


def test_training_is_repeatable():
    first = classifier_training.train_classifier(DataConfig(name="digits"), train_images=256)
    second = classifier_training.train_classifier(DataConfig(name="digits"), train_images=256)
    assert first.weights_sha256 == second.weights_sha256


def test_image_folders_are_refused(tmp_path):
    with pytest.raises(ConfigError, match="--features inception"):
        load_or_train_classifier(DataConfig(name=f"folder:{tmp_path}"))
