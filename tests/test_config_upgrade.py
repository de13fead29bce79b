"""The translation methods' net keys: configs saved in the old layout read as today's, and a
config written today with an old key is refused in one line naming the new one."""

from pathlib import Path

import pytest

from gankit.config import from_saved, load_yaml, to_dict
from gankit.config_upgrade import upgrade_net_keys
from gankit.errors import ConfigError
from gankit.methods import METHODS
from gankit.runs.launch import resolve_config

OLD = Path(__file__).parent / "fixtures" / "old-layout"  # written by the code before the rename


@pytest.mark.parametrize("method", ["pix2pix", "cyclegan", "stargan"])
def test_a_default_config_saved_in_the_old_layout_reads_as_todays_default(method):
    saved = load_yaml(OLD / f"{method}.yaml")
    assert "generator_options" in saved  # the fixture is the old layout
    config_class = METHODS.get(method).config_class
    assert to_dict(from_saved(config_class, saved)) == to_dict(resolve_config(method))


def test_the_old_stargan_width_becomes_the_discriminators_option():
    upgraded = upgrade_net_keys(load_yaml(OLD / "stargan.yaml") | {"discriminator_width": 8})
    assert upgraded["generator_net"] == "resnet" and upgraded["discriminator"] == {"width": 8}
    assert "discriminator_width" not in upgraded and "generator_options" not in upgraded


@pytest.mark.parametrize("method", METHODS.names())
def test_every_config_of_today_is_left_as_it_is(method):
    config_class = METHODS.get(method).config_class
    data = to_dict(config_class())
    assert upgrade_net_keys(data) is data  # what the early checks and `gankit compare` rely on
    assert config_class.upgrade(data) == data


@pytest.mark.parametrize(
    ("method", "override", "said"),
    [
        ("pix2pix", "generator=unet", "the generator's net is now generator_net=unet"),
        ("cyclegan", "discriminator=digits", "net is now discriminator_net=digits"),
        ("stargan", "generator=resnet", "the generator's net is now generator_net=resnet"),
        ("pix2pix", "generator_options.width=16", 'write generator={"width": 16}'),
        ("cyclegan", "discriminator_options={}", "discriminator_options is now discriminator"),
        ("stargan", "discriminator_width=32", "is now discriminator.width=32"),
    ],
)
def test_an_old_key_written_today_is_refused_naming_the_new_one(method, override, said):
    with pytest.raises(ConfigError, match=said) as refused:
        resolve_config(method, None, [override])
    assert "\n" not in str(refused.value)


def test_an_old_recipe_of_the_users_is_refused_before_its_overrides_are_applied(tmp_path):
    recipe = tmp_path / "mine.yaml"
    recipe.write_text("method: pix2pix\ngenerator: unet++\ngenerator_options: {width: 8}\n")
    with pytest.raises(ConfigError, match="generator=unet\\+\\+ names a net: .*generator_net"):
        resolve_config(None, recipe, ["generator.width=16"])


def test_the_net_keys_mean_what_they_mean_in_the_gan_family():
    cfg = resolve_config("pix2pix", None, ["generator_net=resnet", "generator.blocks=2"])
    assert (cfg.generator_net, cfg.generator) == ("resnet", {"blocks": 2})
    # another D drops the default D's options, as another nets does in the GAN family
    assert resolve_config("cyclegan", None, ["discriminator_net=global"]).discriminator == {}
    stargan = resolve_config("stargan", None, ["generator_net=unet", "discriminator.width=8"])
    assert (stargan.generator, stargan.discriminator) == ({}, {"width": 8})
