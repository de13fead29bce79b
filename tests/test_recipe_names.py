"""Recipes by name: `--config cgan-mnist` and `gankit list recipes`."""

from __future__ import annotations

import pytest

from gankit.errors import ConfigError
from gankit.recipes import RECIPES, describe_recipe, find_recipe, recipe_names
from gankit.runs.launch import resolve_config


def test_a_recipe_name_finds_its_file_and_a_path_still_works(tmp_path):
    assert find_recipe("cgan-mnist") == RECIPES / "cgan-mnist.yaml"
    assert find_recipe("experiments/pix2pix-l1-100").name == "pix2pix-l1-100.yaml"
    own = tmp_path / "mine.yaml"
    own.write_text("method: dcgan\n")
    assert find_recipe(own) == own
    assert resolve_config(None, "cgan-mnist").method == "cgan"


def test_an_unknown_recipe_is_one_line_with_the_names():
    with pytest.raises(ConfigError, match=r"'nope' does not exist.*Recipes: .*cgan-mnist"):
        find_recipe("nope")


def test_every_recipe_is_listed_with_its_first_sentence():
    names = recipe_names()
    assert {"dcgan-mnist", "infogan-mnist", "experiments/pix2pix-noise-25"} <= set(names)
    # "et al." does not end the sentence
    assert describe_recipe("began").startswith("BEGAN (Berthelot et al. 2017): auto-encoder")
    assert describe_recipe("began").endswith(".")
    for name in names:
        assert describe_recipe(name), f"{name} has no leading comment"


def test_cli_lists_recipes_and_trains_one_by_name(cli, capsys, tmp_path):
    assert cli("list", "recipes") == 0
    assert "dcgan-digits" in capsys.readouterr().out
    code = cli("train", "--config", "dcgan-digits", "--steps", "1", "--out", tmp_path,
               "generator.width=8", "discriminator.width=8", "train.progress=false")  # fmt: skip
    assert code == 0
    assert (tmp_path / "dcgan").is_dir()
