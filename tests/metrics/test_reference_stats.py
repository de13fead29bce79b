"""The reference-statistics cache: computed once, keyed by what the numbers depend on."""

import numpy as np
import pytest

from gankit.config import DataConfig
from gankit.data import build_dataset
from gankit.errors import DataError
from gankit.metrics.cache import cache_root
from gankit.metrics.features import FeatureSet
from gankit.metrics.reference_stats import FeatureStatistics, reference_features, reference_key


def cached_files():
    folder = cache_root() / "reference_stats"
    return sorted(folder.glob("*.npz")) if folder.is_dir() else []


def test_statistics_are_computed_once_then_read_from_the_cache(pixel_features, monkeypatch):
    data = DataConfig(name="digits")
    first = reference_features(data, pixel_features, 100, need_features=False)
    assert len(first) == 100 and first.protocol["reference"] == "first 100 of digits train"
    assert [p.name for p in cached_files()] == [f"{reference_key(data, 100, pixel_features)}.npz"]

    def no_rebuild(*args, **kwargs):
        raise AssertionError("the dataset was read again")

    monkeypatch.setattr("gankit.metrics.reference_stats.build_dataset", no_rebuild)
    second = reference_features(data, pixel_features, 100, need_features=False)
    assert isinstance(second, FeatureStatistics)
    np.testing.assert_allclose(second.mean, first.mean)
    np.testing.assert_allclose(second.covariance, first.covariance)
    assert second.count == 100 and second.protocol == first.protocol


def test_asking_for_features_upgrades_a_statistics_only_file(pixel_features):
    data = DataConfig(name="digits")
    reference_features(data, pixel_features, 50, need_features=False)
    full = reference_features(data, pixel_features, 50, need_features=True)
    assert isinstance(full, FeatureSet) and full.features.shape == (50, 48)
    again = reference_features(data, pixel_features, 50, need_features=False)
    assert isinstance(again, FeatureSet)  # the file now holds the features
    assert len(cached_files()) == 1


def test_the_key_changes_with_split_size_count_and_extractor(pixel_features):
    base = DataConfig(name="mnist")
    keys = {
        reference_key(base, 1000, pixel_features),
        reference_key(DataConfig(name="mnist", split="test"), 1000, pixel_features),
        reference_key(DataConfig(name="mnist", image_size=32), 1000, pixel_features),
        reference_key(base, 500, pixel_features),
    }
    other = type(pixel_features)(batch_size=16)
    other.weights_sha256 = "1" * 64
    keys.add(reference_key(base, 1000, other))
    assert len(keys) == 5
    assert reference_key(base, 1000, pixel_features).startswith("mnist-train-native-n1000-")


def test_a_given_dataset_is_used_and_folders_are_not_cached(pixel_features, tmp_path):
    dataset = build_dataset(DataConfig(name="digits"))
    data = DataConfig(name=f"folder:{tmp_path}")
    result = reference_features(data, pixel_features, 10, need_features=True, dataset=dataset)
    assert len(result) == 10
    assert cached_files() == []


def test_the_cache_file_loads_without_pickle(pixel_features):
    reference_features(DataConfig(name="digits"), pixel_features, 20, need_features=True)
    with np.load(cached_files()[0], allow_pickle=False) as data:
        assert set(data.files) == {"mean", "covariance", "count", "protocol", "features"}


def test_a_damaged_cache_file_says_to_delete_it(pixel_features):
    data = DataConfig(name="digits")
    reference_features(data, pixel_features, 20, need_features=False)
    cached_files()[0].write_bytes(b"garbage")
    with pytest.raises(DataError, match="delete the file"):
        reference_features(data, pixel_features, 20, need_features=False)
