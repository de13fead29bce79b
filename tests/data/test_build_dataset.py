"""build_dataset with the built-in datasets: names, options and locations."""

import pytest

from gankit.config import DataConfig
from gankit.data import DATASETS, build_dataset
from gankit.errors import ConfigError, UnknownNameError


def test_every_builtin_dataset_is_registered_with_a_description():
    assert {"digits", "ring8", "grid25", "mnist", "fashion-mnist", "folder"} <= set(DATASETS)
    for name in DATASETS:
        assert DATASETS.describe(name)


def test_an_unknown_option_suggests_the_close_one():
    with pytest.raises(UnknownNameError, match="Did you mean 'n_samples'"):
        build_dataset(DataConfig(name="ring8", options={"n_sample": 10}))


def test_an_unknown_dataset_suggests_the_close_one():
    with pytest.raises(UnknownNameError, match="Did you mean 'mnist'"):
        build_dataset(DataConfig(name="mnsit"))


def test_a_location_on_a_dataset_that_takes_none_is_refused():
    with pytest.raises(ConfigError, match="takes no location"):
        build_dataset(DataConfig(name="digits:somewhere"))
