"""The methods that are a recipe (gankit.methods.presets): the YAML is their one definition."""

from __future__ import annotations

import dataclasses

import pytest

from gankit.config import to_dict
from gankit.methods import METHODS
from gankit.methods.gan import GAN, GanConfig
from gankit.methods.presets import PRESETS, preset_config, recipe_comment
from gankit.recipes import describe_recipe
from gankit.runs.launch import resolve_config


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_method_defaults_are_its_recipe(name):
    by_name = to_dict(resolve_config(name))
    by_recipe = to_dict(resolve_config(None, name))
    assert by_name == by_recipe
    assert by_name["method"] == name


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_preset_is_a_gan_with_the_gan_config_fields_in_order(name):
    method = METHODS.get(name)
    assert issubclass(method, GAN) and method.__name__ == PRESETS[name]
    assert issubclass(method.config_class, GanConfig)
    fields = [f.name for f in dataclasses.fields(method.config_class)]
    assert fields == [f.name for f in dataclasses.fields(GanConfig)]
    assert method.__doc__ == recipe_comment(name)
    assert METHODS.describe(name) == describe_recipe(name)


def test_defaults_are_fresh_copies():
    config_class = METHODS.get("wgan-gp").config_class
    first, second = config_class(), config_class()
    first.regularizers.append("spectral_norm")
    first.data.batch_size = 3
    assert second.regularizers == [{"name": "gradient_penalty", "weight": 10}]
    assert second.data.batch_size == 64


def test_preset_values_reach_the_method():
    cfg = resolve_config("wgan")
    assert cfg.optim.generator.name == "rmsprop" and cfg.optim.generator.lr == 5e-5
    assert cfg.train.n_critic == 5 and cfg.loss == "wasserstein"


def test_a_recipe_for_another_method_is_no_preset():
    with pytest.raises(ValueError, match="is for method 'dcgan', not 'dcgan-mnist'"):
        preset_config("dcgan-mnist")
