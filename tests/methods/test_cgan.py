"""cgan: labels reach both nets, every loss and penalty works, grids are one row per class."""

import pytest
import torch

from gankit.core.spec import DataSpec
from gankit.errors import ConfigError, UnknownNameError
from gankit.methods import METHODS
from gankit.nets.conditional import ConcatDiscriminator, EmbeddingGenerator
from gankit.runs.launch import resolve_config

SPEC = DataSpec("image", (1, 16, 16), 10)
TINY = ["generator.width=8", "discriminator.width=8", "z_dim=8"]


pytestmark = pytest.mark.usefixtures("one_thread")


def build(*overrides, spec=SPEC):
    torch.manual_seed(0)
    return METHODS.get("cgan")(resolve_config("cgan", None, [*TINY, *overrides]), spec, "cpu")


def batch(n=8):
    return torch.rand(n, 1, 16, 16) * 2 - 1, torch.arange(n) % 10


@pytest.mark.parametrize(
    "overrides",
    [
        [],
        ["conditioning=projection", "generator_conditioning=batchnorm"],
        [
            "conditioning=projection",
            "loss=hinge",
            "regularizers=[spectral_norm]",
            "discriminator.norm=none",
        ],
        ["loss=wasserstein", "regularizers=[gradient_penalty]", "discriminator.norm=layer"],
        ["loss=least_squares", "regularizers=[r1, {name: weight_l2, net: generator}]"],
    ],
)
def test_trains_with_any_loss_and_regularizer(overrides):
    method = build(*overrides)
    G = method.nets["generator"]
    before = [p.detach().clone() for p in G.parameters()]
    for _ in range(2):
        logs = method.train_step(batch(), update_generator=True)
    assert all(torch.isfinite(v) for v in logs.values())
    assert any(not torch.equal(a, b) for a, b in zip(before, G.parameters()))


def test_the_default_recipe_is_mirza_and_osindero():
    method = build("embedding_dim=5")
    assert isinstance(method.nets["generator"], EmbeddingGenerator)
    assert isinstance(method.nets["discriminator"], ConcatDiscriminator)
    assert method.nets["generator"].inner.net[0].in_channels == 8 + 5  # z beside the embedding


def test_unlabelled_data_and_bad_labels_are_refused():
    with pytest.raises(ConfigError, match="labelled data"):
        build(spec=DataSpec("image", (1, 16, 16)))
    method = build()
    with pytest.raises(ConfigError, match=r"0\.\.9"):
        method.labelled_latent(torch.tensor([3, 10]))
    with pytest.raises(ConfigError, match="unknown labels"):
        method.train_step((torch.rand(4, 1, 16, 16), torch.full((4,), -1)), True)


def test_packing_and_unknown_latents_are_refused():
    with pytest.raises(ConfigError, match="set pack=1"):
        build("pack=2")
    with pytest.raises(UnknownNameError, match="normal, uniform"):
        build("latent=gaussian")


def test_grids_have_one_row_per_class():
    method = build()
    inputs = method.fixed_inputs(40, torch.Generator().manual_seed(0))
    images, per_row = method.render(inputs)
    assert images.shape == (40, 1, 16, 16) and per_row == 4
    assert inputs[1].tolist() == [c for c in range(10) for _ in range(4)]
    z, labels = method.sample_latent(6, torch.Generator().manual_seed(0))
    assert z.shape == (6, 8) and labels.shape == (6,) and labels.max() < 10
