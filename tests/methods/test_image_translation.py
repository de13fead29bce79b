"""One translate(images, target) for pix2pix, CycleGAN and StarGAN: the targets each reaches,
the default, and one line for a target a run cannot reach."""

import pytest
import torch

from gankit.core.method import Translator
from gankit.core.spec import DataSpec
from gankit.errors import ConfigError
from gankit.methods import METHODS
from gankit.runs.launch import resolve_config


def build(method, spec, overrides=()):
    torch.manual_seed(0)
    return METHODS.get(method)(resolve_config(method, None, list(overrides)), spec, "cpu")


@pytest.fixture(scope="module")
def pix2pix():
    spec = DataSpec("paired", (3, 32, 32), input_shape=(3, 32, 32))
    tiny = ["generator={width: 8}", "discriminator={width: 8, receptive_field: 16}"]
    return build("pix2pix", spec, tiny)


@pytest.fixture(scope="module")
def cyclegan():
    spec = DataSpec("unpaired", (3, 32, 32), num_classes=10, input_shape=(1, 32, 32))
    tiny = ["generator={width: 4}", "discriminator={width: 4}", "lambda_identity=0"]
    return build("cyclegan", spec, tiny)


@pytest.fixture(scope="module")
def stargan():
    spec = DataSpec("image", (1, 32, 32), num_classes=3)
    return build("stargan", spec, ["generator={blocks: 1, width: 4}", "discriminator={width: 4}"])


def test_each_declares_its_targets_and_is_a_translator(pix2pix, cyclegan, stargan):
    assert pix2pix.translation_targets() == ("AtoB",)
    assert cyclegan.translation_targets() == ("AtoB", "BtoA")
    assert stargan.translation_targets() == (0, 1, 2)
    assert all(isinstance(m, Translator) for m in (pix2pix, cyclegan, stargan))


def test_the_default_target_and_the_shapes_each_way(pix2pix, cyclegan):
    x = torch.zeros(2, 3, 32, 32)
    assert pix2pix.translate(x).shape == (2, 3, 32, 32)
    assert cyclegan.translation_shapes() == ((1, 32, 32), (3, 32, 32))
    assert cyclegan.translation_shapes("BtoA") == ((3, 32, 32), (1, 32, 32))
    assert cyclegan.translate(torch.zeros(2, 1, 32, 32)).shape == (2, 3, 32, 32)
    assert cyclegan.translate(x, "BtoA").shape == (2, 1, 32, 32)  # F, not G
    assert torch.equal(cyclegan.translate(x, "BtoA"), cyclegan.translate(x, target="BtoA"))


def test_stargan_needs_a_domain_and_reaches_each(stargan):
    x = torch.zeros(2, 1, 32, 32)
    with pytest.raises(ConfigError, match=r"Give the target domain: --target-domain 0\.\.2"):
        stargan.translate(x)
    outputs = [stargan.translate(x, k) for k in (0, 1, 2)]
    assert not torch.equal(outputs[0], outputs[1])
    assert torch.equal(stargan.translate(x, "2"), outputs[2])  # as the command line gives it
    with pytest.raises(ConfigError, match="translates into 0, 1, 2; it cannot translate into 3"):
        stargan.translate(x, 3)


def test_an_unreachable_target_is_one_line_with_the_way_out(pix2pix, cyclegan):
    with pytest.raises(ConfigError, match="into AtoB; it cannot .*'BtoA'. Train another with "
                       "direction=BtoA"):  # fmt: skip
        pix2pix.translate(torch.zeros(1, 3, 32, 32), "BtoA")
    with pytest.raises(ConfigError, match="cannot translate into 'AtoC'"):
        cyclegan.translate(torch.zeros(1, 1, 32, 32), "AtoC")
    with pytest.raises(ConfigError, match="translates images rather than sampling noise"):
        cyclegan.sample_latent(4)
