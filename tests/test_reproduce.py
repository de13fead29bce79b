"""`gankit reproduce`: experiments as data, runs trained over seeds, resumed, measured, tabulated."""

from __future__ import annotations

import json
import math
from dataclasses import replace
from pathlib import Path

import pytest

from gankit.errors import GankitError
from gankit.runs.reproduce import EXPERIMENTS, Budget, Experiment, RunSpec, reproduce
from gankit.runs.reproduce.runner import Measured, mean_sd, run_overrides, summarize, table

pytestmark = pytest.mark.usefixtures("one_thread")

# dcgan-digits at a few steps of tiny nets: seconds per run, enough to test the bookkeeping.
TINY = replace(
    EXPERIMENTS.get("dcgan-digits"),
    name="tiny-digits",
    quick=Budget(
        steps=8,
        samples=200,
        overrides=("generator.width=8", "discriminator.width=8", "data.image_size=16"),
    ),
)


def test_every_experiment_names_a_recipe_a_measure_and_a_metric_it_returns():
    from gankit.recipes import find_recipe
    from gankit.runs.reproduce.measures import FLOORS, MEASURES

    assert {"dcgan-mnist", "cgan-mnist", "infogan-mnist", "bigan-mnist"} <= set(EXPERIMENTS)
    for name in EXPERIMENTS:
        experiment = EXPERIMENTS.get(name)
        assert experiment.measure in MEASURES
        assert experiment.floor is None or experiment.floor in FLOORS
        assert experiment.better in ("lower", "higher")
        assert experiment.quick.steps < experiment.full.steps
        for spec in experiment.runs:
            assert find_recipe(spec.recipe).is_file()


def test_mean_and_sample_sd_by_hand():
    mean, sd = mean_sd([1.0, 2.0, 4.0])
    assert mean == pytest.approx(7 / 3)
    assert sd == pytest.approx(
        math.sqrt(((1 - 7 / 3) ** 2 + (2 - 7 / 3) ** 2 + (4 - 7 / 3) ** 2) / 2)
    )
    assert mean_sd([3.0]) == (3.0, None)


def test_targets_follow_the_direction_and_the_floor():
    dcgan = EXPERIMENTS.get("dcgan-mnist")
    assert dcgan.target_for(2.0) == 6.0  # 3x the real-vs-real floor
    assert dcgan.meets(5.9, 6.0) and not dcgan.meets(6.1, 6.0)
    cgan = EXPERIMENTS.get("cgan-mnist")
    assert cgan.target_for(None) == 0.95
    assert cgan.meets(0.96, 0.95) and not cgan.meets(0.9, 0.95)
    assert EXPERIMENTS.get("dcgan-digits").meets(1.0, None) is None


def test_run_overrides_set_length_quarters_seed_and_data():
    spec = RunSpec("projection", "cgan-mnist", ("loss=hinge",))
    overrides = run_overrides(spec, Budget(steps=3000, samples=10, overrides=("a.b=1",)), 2, "/d")
    assert overrides[:2] == ["loss=hinge", "a.b=1"]
    assert {"train.steps=3000", "train.checkpoint_every=750", "seed=2", "train.fast=true"} <= set(
        overrides
    )
    assert {"data.root=/d", "data.download=false"} <= set(overrides)
    assert not any(o.startswith("data.root") for o in run_overrides(spec, Budget(8, 1), 0, None))


def _measured(run: str, seed: int, end: float, quarter: float | None) -> Measured:
    return Measured(run, seed, Path(f"/r/{run}-{seed}"), 100, {"m": end, "other": 1.0},
                    None if quarter is None else {"m": quarter, "other": 1.0})  # fmt: skip


def test_summary_says_converged_when_the_last_quarter_moved_less_than_the_seed_spread():
    experiment = Experiment(
        name="x", claim="c", runs=(RunSpec("a", "r"), RunSpec("b", "r")), measure="classifier_fid",
        metric="m", better="higher", published="p", target=0.5, quick=Budget(100, 10),
        full=Budget(200, 10),
    )  # fmt: skip
    measured = [
        # a: ends 0.6, 0.8 (sd 0.141); moved 0.01 and 0.03 (mean 0.02) -> converged
        _measured("a", 0, 0.6, 0.59), _measured("a", 1, 0.8, 0.77),
        # b: ends 0.40, 0.42 (sd 0.014); moved 0.2 on average -> not converged, below target
        _measured("b", 0, 0.40, 0.20), _measured("b", 1, 0.42, 0.22),
    ]  # fmt: skip
    document = summarize(experiment, "quick", experiment.quick, 2, measured, None, "cmd")
    a, b = document["rows"]
    assert a["mean"]["m"] == pytest.approx(0.7) and a["sd"]["m"] == pytest.approx(math.sqrt(0.02))
    assert a["moved_last_quarter"] == pytest.approx(0.02) and a["converged"] is True
    assert a["meets_target"] is True
    assert b["converged"] is False and b["meets_target"] is False
    text = table(experiment, document)
    assert "| a | 100 | 0.600, 0.800 | **0.700 ± 0.141** | 0.680 | yes | yes |" in text
    assert "| b | 100 | 0.400, 0.420 | **0.410 ± 0.014** | 0.210 | no | no |" in text
    one_seed = summarize(
        experiment, "quick", experiment.quick, 1, measured[:1] + measured[2:3], None, "cmd"
    )
    assert one_seed["rows"][0]["converged"] is None  # no spread with one seed


def test_runs_are_trained_measured_tabulated_then_reused(tmp_path):
    folder = reproduce(TINY, "quick", seeds=2, out=tmp_path, echo=lambda _: None)
    document = json.loads((folder / "results.json").read_text())
    row = document["rows"][0]
    values = [row["seeds"][str(s)]["classifier_fid"] for s in (0, 1)]
    assert row["mean"]["classifier_fid"] == pytest.approx(sum(values) / 2)
    assert values[0] != values[1]  # two seeds, two runs
    assert row["steps"] == [8]
    assert document["floor"]["classifier_fid"] > 0
    assert document["command"] == "gankit reproduce tiny-digits --quick --seeds 2"
    text = (folder / "results.md").read_text()
    assert "| dcgan | 8 |" in text and "floor: real digits images" in text
    assert (folder / "results.png").stat().st_size > 0
    runs = sorted((folder / "dcgan").iterdir())
    assert [r.name for r in runs] == ["dcgan-seed0", "dcgan-seed1"]
    assert (runs[0] / "reproduce" / "samples.png").is_file()
    # the checkpoint at 3/4 (step 6 of 8, every quarter is numbered) was measured too
    cache = json.loads((runs[0] / "reproduce.json").read_text())
    assert set(cache["classifier_fid:200"]) == {"6", "8"}

    stamps = {p: p.stat().st_mtime_ns for p in folder.rglob("*.pt")}
    said: list[str] = []
    again = reproduce(TINY, "quick", seeds=2, out=tmp_path, echo=said.append)
    assert not said  # nothing trained or measured again
    assert {p: p.stat().st_mtime_ns for p in folder.rglob("*.pt")} == stamps
    assert json.loads((again / "results.json").read_text())["rows"] == document["rows"]


def test_a_stopped_run_resumes_and_a_longer_budget_extends(tmp_path):
    longer = replace(TINY, quick=replace(TINY.quick, steps=12))
    reproduce(TINY, "quick", seeds=1, out=tmp_path, echo=lambda _: None)
    said: list[str] = []
    folder = reproduce(longer, "quick", seeds=1, out=tmp_path, echo=said.append)
    assert said[0] == "resuming tiny-digits/dcgan seed 0 at step 8 of 12"
    document = json.loads((folder / "results.json").read_text())
    assert document["rows"][0]["steps"] == [12]


def test_a_run_trained_with_other_settings_is_refused(tmp_path):
    reproduce(TINY, "quick", seeds=1, out=tmp_path, echo=lambda _: None)
    other = replace(TINY, quick=replace(TINY.quick, overrides=(*TINY.quick.overrides, "z_dim=16")))
    with pytest.raises(GankitError, match=r"other settings .*z_dim.*another --out"):
        reproduce(other, "quick", seeds=1, out=tmp_path, echo=lambda _: None)


def test_a_folder_left_without_a_checkpoint_is_started_again(tmp_path):
    orphan = tmp_path / "tiny-digits" / "quick" / "dcgan" / "dcgan-seed0"
    orphan.mkdir(parents=True)
    (orphan / "config.yaml").write_text("method: dcgan\n")
    said: list[str] = []
    reproduce(TINY, "quick", seeds=1, out=tmp_path, echo=said.append)
    assert "has no checkpoint" in said[0]
    assert (orphan / "checkpoints" / "last.pt").is_file()


def test_cli_lists_experiments_and_refuses_unknown_names(cli, capsys):
    assert cli("reproduce", "--list") == 0
    listed = capsys.readouterr().out
    for name in EXPERIMENTS:
        assert f"{name}: " in listed
    assert "published: Chen et al. 2016" in listed
    assert cli("reproduce", "no-such") == 2
    assert "Unknown experiment 'no-such'" in capsys.readouterr().err
    assert cli("reproduce") == 2


@pytest.mark.slow
def test_quick_budget_of_the_digits_experiment_runs_end_to_end(tmp_path, cli, capsys):
    """The documented command at its real quick budget, two seeds (a few minutes on 2 cores)."""
    assert cli("reproduce", "dcgan-digits", "--quick", "--seeds", "2", "--out", tmp_path) == 0
    printed = capsys.readouterr().out
    assert "| dcgan | 300 |" in printed
    document = json.loads((tmp_path / "dcgan-digits" / "quick" / "results.json").read_text())
    fid = document["rows"][0]["mean"]["classifier_fid"]
    # after 300 steps the samples are digit-like but far from the real-vs-real floor
    assert document["floor"]["classifier_fid"] < fid < 1000


def test_lapgan_is_compared_with_a_dcgan_of_as_many_generator_parameters():
    from gankit.data import DataSpec
    from gankit.methods import METHODS
    from gankit.recipes import find_recipe
    from gankit.runs.launch import resolve_config

    spec = DataSpec(kind="image", shape=(1, 28, 28), num_classes=10)
    counts = {}
    for run in EXPERIMENTS.get("lapgan-mnist").runs:
        cfg = resolve_config(None, find_recipe(run.recipe), list(run.overrides))
        method = METHODS.get(cfg.method)(cfg, spec, "cpu")
        counts[run.name] = sum(p.numel() for p in method.nets["generator"].parameters())
    assert counts["dcgan-w128"] == pytest.approx(counts["lapgan"], rel=0.05)


@pytest.mark.parametrize("name", EXPERIMENTS.names())
def test_every_run_of_every_experiment_resolves_at_both_budgets(name):
    from gankit.recipes import find_recipe
    from gankit.runs.launch import resolve_config

    experiment = EXPERIMENTS.get(name)
    for budget in (experiment.quick, experiment.full):
        for spec in experiment.runs:
            overrides = run_overrides(spec, budget, 2, "/data")
            cfg = resolve_config(None, find_recipe(spec.recipe), overrides)
            assert cfg.train.steps == budget.steps and cfg.seed == 2
            assert cfg.train.checkpoint_every == budget.steps // 4


def test_runs_picks_a_subset_and_an_unknown_run_is_named(tmp_path):
    two = replace(TINY, runs=(*TINY.runs, RunSpec("wide", "dcgan-digits", ("generator.width=16",))))
    with pytest.raises(
        GankitError, match=r"tiny-digits has no run 'narrow'; its runs: dcgan, wide"
    ):
        reproduce(two, "quick", seeds=1, out=tmp_path, runs=["narrow"])
    folder = reproduce(two, "quick", seeds=1, out=tmp_path, runs=["wide"], echo=lambda _: None)
    document = json.loads((folder / "results.json").read_text())
    assert [row["run"] for row in document["rows"]] == ["wide"]
    assert document["command"].endswith("--runs wide")


def test_table_keeps_small_metrics_readable_and_percent_metrics_unscaled():
    """pix2pix's test L1 (about 0.05) printed as 0.05 hid a 10 % gap between runs, and Tucker's
    colour errors, already in percent, were multiplied by 100 again (7.8 % shown as 780 %)."""
    experiment = Experiment(
        name="x", claim="c", runs=(RunSpec("unet", "r"),), measure="pixel_metrics", metric="l1",
        better="lower", published="p", target=None, quick=Budget(100, 10), full=Budget(200, 10),
    )  # fmt: skip
    measured = [
        Measured("unet", seed, Path(f"/r/{seed}"), 100, end, None)
        for seed, end in enumerate(
            [{"l1": 0.0475, "colour_mean_error_r": 7.79, "ssim": 0.571},
             {"l1": 0.0457, "colour_mean_error_r": 0.75, "ssim": 0.599}]
        )
    ]  # fmt: skip
    text = table(
        experiment, summarize(experiment, "quick", experiment.quick, 2, measured, None, "c")
    )
    row = next(line for line in text.splitlines() if line.startswith("| unet |"))
    assert "| 0.0475, 0.0457 | **0.0466 ± 0.0013** |" in row
    assert "| 4.3 ± 5.0 % |" in row  # colour error: mean of 7.79 and 0.75 percent
    assert "| 0.585 ± 0.020 |" in row
