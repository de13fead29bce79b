"""lapgan: one independent GAN per pyramid level, and grids that show every level."""

import pytest
import torch

from gankit.core.spec import DataSpec
from gankit.errors import CheckpointError, UnknownNameError
from gankit.methods import METHODS
from gankit.nets.pyramid import gaussian_pyramid, upsample
from gankit.runs.launch import resolve_config

SPEC = DataSpec("image", (1, 16, 16), 10)
TINY = ["generator.hidden=[16]", "discriminator.hidden=[16]", "level_generator.width=4",
        "level_discriminator.width=4", "z_dim=6"]  # fmt: skip


pytestmark = pytest.mark.usefixtures("one_thread")


def build(*overrides):
    torch.manual_seed(0)
    return METHODS.get("lapgan")(resolve_config("lapgan", None, [*TINY, *overrides]), SPEC, "cpu")


def test_every_level_has_its_own_optimizers_over_its_own_weights():
    method = build()
    G, D = method.nets["generator"], method.nets["discriminator"]
    assert sorted(method.optimizers) == [f"{n}_{k}" for n in ("discriminator", "generator")
                                         for k in range(3)]  # fmt: skip
    for k in range(3):
        for name, net in (("generator", G.levels[k]), ("discriminator", D[k])):
            owned = {id(p) for group in method.optimizers[f"{name}_{k}"].param_groups
                     for p in group["params"]}  # fmt: skip
            assert owned == {id(p) for p in net.parameters()}


def test_a_step_trains_every_level_on_its_own_band():
    method = build()
    G = method.nets["generator"]
    before = [[p.detach().clone() for p in level.parameters()] for level in G.levels]
    logs = method.train_step((torch.rand(8, 1, 16, 16) * 2 - 1, torch.zeros(8)), True)
    for k, level in enumerate(G.levels):
        assert any(not torch.equal(a, b) for a, b in zip(before[k], level.parameters()))
        assert {f"d_loss_{k}", f"g_loss_{k}"} <= set(logs)


def test_latents_and_the_level_grid():
    method = build()
    z, coarse, fine = method.sample_latent(5, torch.Generator().manual_seed(0))
    assert z.shape == (5, 6) and coarse.shape == (5, 1, 8, 8) and fine.shape == (5, 1, 16, 16)
    assert method.generate((z, coarse, fine)).shape == (5, 1, 16, 16)
    images, columns = method.render(method.fixed_inputs(48, torch.Generator().manual_seed(0)))
    assert columns == 16 and images.shape == (48, 1, 16, 16)
    coarsest = images[:16]  # the 4x4 level, enlarged: constant 4x4 blocks
    assert torch.equal(
        coarsest, coarsest[:, :, ::4, ::4].repeat_interleave(4, 2).repeat_interleave(4, 3)
    )


def test_a_resumed_run_matches_the_uninterrupted_one(cli, tmp_path):
    args = ["data.image_size=16", "data.batch_size=8", "train.progress=false",
            "train.tensorboard=false", "train.num_samples=6", *TINY]  # fmt: skip
    assert cli("train", "lapgan", "--out", tmp_path, "--name", "whole", "--steps", 4, *args) == 0
    assert cli("train", "lapgan", "--out", tmp_path, "--name", "cut", "--steps", 2, *args) == 0
    assert cli("train", "--resume", tmp_path / "lapgan" / "cut", "--steps", 4) == 0
    whole, cut = (
        torch.load(tmp_path / "lapgan" / name / "checkpoints" / "last.pt", weights_only=True)
        for name in ("whole", "cut")
    )
    for net in ("generator", "discriminator"):
        for key, value in whole["method_state"]["nets"][net].items():
            assert torch.equal(value, cut["method_state"]["nets"][net][key]), key


@pytest.mark.parametrize("kind", ["gaussian", "average"])
def test_each_level_learns_the_band_of_the_configured_pyramid(kind, monkeypatch):
    method = build() if kind == "gaussian" else build(f"pyramid={kind}")  # gaussian: default
    assert method.cfg.pyramid == kind and method.nets["generator"].kind == kind
    seen = {}

    def recording_step(method, G, D, real, latent, condition, update_generator, **kw):
        seen[kw["suffix"]] = (real, condition)
        return {}

    monkeypatch.setattr("gankit.methods.lapgan.conditional_step", recording_step)
    images = torch.rand(4, 1, 16, 16) * 2 - 1
    method.train_step((images, torch.zeros(4)), True)
    gaussian = gaussian_pyramid(images, 3, kind)
    assert torch.equal(seen["_2"][0], gaussian[2]) and seen["_2"][1] == ()
    for k in (0, 1):
        low = upsample(gaussian[k + 1], kind)
        assert torch.equal(seen[f"_{k}"][1][0], low)
        assert torch.equal(seen[f"_{k}"][0], gaussian[k] - low)


def test_an_unknown_pyramid_is_refused():
    with pytest.raises(UnknownNameError, match="Did you mean 'gaussian'"):
        build("pyramid=gausian")


def test_checkpoints_from_before_the_option_sample_with_the_average_pyramid():
    state = build("pyramid=average").state_dict()
    assert state["pyramid"] == "average"
    del state["pyramid"]  # what a checkpoint written before the option holds
    sampler = build()
    sampler.load_state_dict(state, nets_only=True)
    assert sampler.nets["generator"].kind == "average"
    with pytest.raises(CheckpointError, match="override pyramid=average"):
        build().load_state_dict(state)
    build("pyramid=average").load_state_dict(state)
