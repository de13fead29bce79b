"""gankit.runs.evaluate: scoring a saved run."""

from __future__ import annotations

import pytest
import torch

import gankit
from gankit.runs.evaluate import evaluate_run

TINY_PIX2PIX = ["data.image_size=32", "data.options={count: 4, crop: 64}", "data.batch_size=2",
                "generator={width: 2}", "discriminator={width: 2, receptive_field: 16}",
                "train.tensorboard=false", "train.progress=false", "train.check_memory=false",
                "device=cpu"]  # fmt: skip


def test_a_pix2pix_evaluation_is_the_same_whatever_the_global_rng_and_depends_on_its_seed(
    tmp_path,
):
    """pix2pix translates with dropout on (Isola et al.'s test mode): the dropout noise comes
    from the evaluation's seed, so evaluating a run twice gives the same numbers."""
    run = gankit.train("pix2pix", steps=1, name="p", out=tmp_path, overrides=TINY_PIX2PIX).path

    def l1(seed: int = 0) -> float:
        torch.manual_seed(int(torch.randint(0, 2**31, ())) + 1)  # whatever came before
        document = evaluate_run(run, ["fid"], n=4, progress=False, seed=seed)
        return document["metrics"]["l1"]["value"]

    first = l1()
    assert l1() == first
    assert l1(seed=1) != first


def test_a_pix2pix_run_refuses_metrics_it_is_not_scored_by(tmp_path):
    from gankit.errors import ConfigError

    run = gankit.train("pix2pix", steps=1, name="p", out=tmp_path, overrides=TINY_PIX2PIX).path
    with pytest.raises(ConfigError, match="--metrics pixel"):
        evaluate_run(run, ["kid"], n=4, progress=False)
    assert "l1" in evaluate_run(run, ["pixel"], n=4, progress=False)["metrics"]
