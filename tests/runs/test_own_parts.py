"""A generator, discriminator or loss of your own, given as a class: G and D chosen
independently, recorded by import path, and found again in another process (issue 20)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest
import torch

import gankit
from gankit.core.spec import DataSpec
from gankit.errors import ConfigError
from gankit.nets.dcgan import DCGANDiscriminator
from gankit.runs.launch import resolve_config

USER_PARTS = textwrap.dedent(
    '''
    """A user's generator and loss, not registered anywhere."""
    import math

    import torch
    from torch import nn

    from gankit.losses import AdversarialLoss


    class UserGenerator(nn.Module):
        def __init__(self, z_dim, spec, hidden=8):
            super().__init__()
            self.shape = spec.shape
            self.body = nn.Sequential(nn.Linear(z_dim, hidden), nn.ReLU(),
                                      nn.Linear(hidden, math.prod(spec.shape)),
                                      nn.Tanh())

        def forward(self, z):
            return self.body(z.flatten(1)).view(-1, *self.shape)


    class SoftplusHinge(AdversarialLoss):
        def __init__(self, margin=1.0):
            self.margin = margin

        def discriminator_loss(self, real, fake):
            softplus = torch.nn.functional.softplus
            return softplus(self.margin - real).mean() + softplus(self.margin + fake).mean()

        def generator_loss(self, fake):
            return -fake.mean()
    '''
)

# the tiny DCGAN of conftest, without the generator options that the user's G does not take
TINY = [
    "data.image_size=16",
    "data.batch_size=16",
    "discriminator.width=8",
    "z_dim=8",
    "train.progress=false",
    "train.num_samples=16",
]


@pytest.fixture
def user_parts(tmp_path, monkeypatch):
    (tmp_path / "user_parts.py").write_text(USER_PARTS)
    monkeypatch.syspath_prepend(str(tmp_path))
    import user_parts

    yield user_parts
    sys.modules.pop("user_parts", None)


def test_a_generator_class_of_your_own_trains_beside_a_stock_discriminator(user_parts, tmp_path):
    run = gankit.train(
        "dcgan",
        data="digits",
        steps=2,
        name="own",
        out=tmp_path / "runs",
        generator=user_parts.UserGenerator,
        loss=user_parts.SoftplusHinge,
        overrides=[*TINY, "generator.hidden=4", "loss_options.margin=0.5"],
    )
    assert type(run.generator) is user_parts.UserGenerator
    assert run.generator.body[0].out_features == 4  # its option reached its constructor
    config = (run.path / "config.yaml").read_text()
    assert "generator_net: user_parts:UserGenerator" in config
    assert "loss: user_parts:SoftplusHinge" in config
    assert "discriminator_net: null" in config and "nets: dcgan" in config
    again = gankit.load(run.path)
    assert type(again.method.nets["discriminator"]) is DCGANDiscriminator
    assert torch.equal(again.sample(4, seed=0), run.sample(4, seed=0))


def test_a_registered_name_picks_one_net_alone(tmp_path):
    run = gankit.train(
        "dcgan", data="digits", steps=1, name="mixed", out=tmp_path / "runs",
        generator="dcgan", discriminator="mlp", overrides=[*TINY[:2], "z_dim=8",
        "train.progress=false", "train.num_samples=16"],
    )  # fmt: skip
    assert type(run.method.nets["discriminator"]).__module__ == "gankit.nets.mlp"
    assert run.config.discriminator_net == "mlp" and run.config.generator_net == "dcgan"


def test_objects_and_lambdas_are_refused_in_one_line(tmp_path, user_parts):
    for part in (user_parts.UserGenerator(8, DataSpec("image", (1, 16, 16))), lambda z, s: z):
        with pytest.raises(ConfigError) as error:
            gankit.train("dcgan", data="digits", steps=1, out=tmp_path, generator=part)
        assert "\n" not in str(error.value) and "generator" in str(error.value)


def test_bigan_refuses_a_discriminator_net(tmp_path):
    with pytest.raises(ConfigError, match="joint D"):
        gankit.train("bigan", data="digits", steps=1, out=tmp_path, discriminator="dcgan")


def cli(*args, cwd, pythonpath=None):
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    env.pop("PYTHONPATH", None)
    if pythonpath:
        env["PYTHONPATH"] = str(pythonpath)
    return subprocess.run(
        [sys.executable, "-m", "gankit", *map(str, args)],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip


@pytest.mark.slow  # fresh processes, each importing torch
def test_the_recorded_import_path_is_found_again_in_a_new_process(tmp_path):
    (tmp_path / "user_parts.py").write_text(USER_PARTS)
    train = cli("train", "dcgan", "--data", "digits", "--steps", 2, "--name", "u", "--out",
                tmp_path / "runs", "generator_net=user_parts:UserGenerator", *TINY,
                cwd=tmp_path, pythonpath=tmp_path)  # fmt: skip
    assert train.returncode == 0, train.stderr
    run = tmp_path / "runs" / "dcgan" / "u"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    sampled = cli("sample", run, "-n", 4, "--out", tmp_path / "s.png", cwd=elsewhere,
                  pythonpath=tmp_path)  # fmt: skip
    assert sampled.returncode == 0, sampled.stderr
    scored = cli("evaluate", run, "--features", "classifier", "--n", 20, cwd=elsewhere,
                 pythonpath=tmp_path)  # fmt: skip
    assert scored.returncode == 0, scored.stderr
    missing = cli("sample", run, "-n", 4, "--out", tmp_path / "t.png", cwd=elsewhere)
    assert missing.returncode == 2
    assert "cannot import module 'user_parts'" in missing.stderr
    assert len(missing.stderr.strip().splitlines()) == 1


def test_a_recipes_options_for_the_net_it_no_longer_uses_are_left_out(user_parts, tmp_path, capsys):
    run = gankit.train(
        config="dcgan-digits", name="r", steps=1, out=tmp_path / "runs",
        generator=user_parts.UserGenerator, overrides=["discriminator.width=8", *TINY[4:]],
    )  # fmt: skip
    assert run.config.generator == {}  # the recipe's {width: ...} was for its DCGAN generator
    assert run.config.discriminator == {"width": 8}
    assert "its options generator=" in capsys.readouterr().err
    kept = gankit.train(
        config="dcgan-digits", name="k", steps=1, out=tmp_path / "runs",
        generator=user_parts.UserGenerator,
        overrides=["generator.hidden=3", "discriminator.width=8", *TINY[4:]],
    )  # fmt: skip
    assert kept.config.generator == {"hidden": 3}


@pytest.mark.parametrize(
    ("recipe", "overrides", "kept"),
    [
        ("dcgan-digits", ["generator_net=dcgan"], {"generator": {"width": 32}}),  # the same net
        ("dcgan-digits", ["discriminator_net=mlp"], {"generator": {"width": 32}}),
        ("dcgan-digits", ["nets=mlp"], {"generator": {}, "discriminator": {}}),
        ("began", ["loss=hinge"], {"loss_options": {}}),  # began's gamma is not hinge's
    ],
)
def test_options_are_left_out_only_for_the_piece_that_changed(recipe, overrides, kept):
    config = resolve_config(None, recipe, overrides)
    for key, value in kept.items():
        assert getattr(config, key) == value, key


def test_the_note_names_the_recipes_own_options_not_the_overrides(user_parts, capsys):
    config = resolve_config(
        None, "dcgan-digits", ["generator_net=user_parts:UserGenerator", "generator.hidden=5"]
    )
    assert config.generator == {"hidden": 5}
    assert "its options generator={'width': 32} are left out" in capsys.readouterr().err
