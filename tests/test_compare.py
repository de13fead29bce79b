"""gankit compare: latest metrics side by side, sorted the right way, as rich text and CSV."""

import csv
import json

import pytest

from gankit.config import save_yaml
from gankit.errors import GankitError
from gankit.metrics.suite import flatten_results
from gankit.runs import compare
from gankit.runs.launch import resolve_config
from gankit.training.run_folder import RunFolder


def make_run(root, name, overrides=(), evaluations=(), steps=100, seconds=12.5):
    """A run folder as training and `gankit evaluate` leave it: config, losses, eval lines.

    ``evaluations`` is a list of (step, {metric: value or (value, std)}).
    """
    cfg = resolve_config("gan", None, [*overrides, f"name={name}", f"out={root}"])
    run, _ = RunFolder.create(cfg.out, cfg.method, cfg.name)
    save_yaml(cfg, run.config_file)
    run.env_file.write_text(json.dumps({"device": "cpu", "torch": "2.13.0"}))
    lines = [
        {"step": s, "d_loss": 1.0 / s, "g_loss": 2.0 / s, "time": seconds * s / steps}
        for s in range(10, steps + 1, 10)
    ]
    for step, metrics in evaluations:
        results = {
            k: {"value": v[0], "std": v[1]} if isinstance(v, tuple) else {"value": v}
            for k, v in metrics.items()
        }
        lines.append({"step": step, **flatten_results(results)})
    run.metrics_file.write_text("".join(json.dumps(line) + "\n" for line in lines))
    return run.path


@pytest.fixture
def runs(tmp_path):
    return [
        make_run(tmp_path, "a", ["loss=hinge", "seed=0"], [(50, {"fid": 80.0}), (100, {"fid": 40.5})]),
        make_run(tmp_path, "b", ["loss=hinge", "seed=1"], [(100, {"fid": 30.25, "kid": (0.02, 0.004)})]),
        make_run(tmp_path, "c", ["loss=wasserstein", "seed=0"], []),
        make_run(tmp_path, "d", ["loss=wasserstein", "seed=1"], [(100, {"fid": 55.0, "is": 2.5})]),
    ]  # fmt: skip


def test_rows_are_sorted_by_the_latest_fid_lowest_first_and_runs_without_it_last(runs):
    table = compare.comparison(compare.summarize_all(runs))
    assert table.metric == "fid"  # the default when present
    assert [r["run"] for r in table.rows] == ["gan/b", "gan/a", "gan/d", "gan/c"]
    assert [r["fid"] for r in table.rows] == [30.25, 40.5, 55.0, None]  # a's later FID counts
    assert table.columns == [
        "run",
        "seed",
        "loss",
        "fid",
        "kid",
        "kid_std",
        "is",
        "steps",
        "seconds",
    ]
    assert table.rows[0]["steps"] == 100 and table.rows[0]["seconds"] == 12.5


def test_higher_is_better_metrics_sort_highest_first(runs):
    table = compare.comparison(compare.summarize_all(runs), metric="eval/is")
    assert table.metric == "is" and table.rows[0]["run"] == "gan/d"


def test_an_unknown_metric_names_the_ones_there_are(runs):
    with pytest.raises(GankitError, match="'precision'.*fid, is, kid.*gankit evaluate"):
        compare.comparison(compare.summarize_all(runs), metric="precision")


def test_seeds_average_into_one_row_per_setting(runs):
    table = compare.mean_over(compare.summarize_all(runs), "seed")
    assert table.columns[:2] == ["loss", "runs"]
    hinge, wasserstein = table.rows
    assert hinge["loss"] == "hinge" and hinge["runs"] == 2
    assert hinge["fid"] == pytest.approx((40.5 + 30.25) / 2)
    assert hinge["fid_std"] == pytest.approx(7.2478445)  # sample standard deviation
    assert wasserstein["fid"] == 55.0 and wasserstein["fid_std"] is None  # one of two has FID
    assert compare.format_cell(hinge, "fid") == "35.38 ± 7.2"


def test_averaging_over_a_key_the_runs_share_is_refused(runs):
    with pytest.raises(GankitError, match="do not differ in 'z_dim'.*seed, loss"):
        compare.mean_over(compare.summarize_all(runs), "z_dim")


def test_toy_coverage_logged_with_samples_counts_and_an_evaluation_replaces_it(tmp_path):
    path = make_run(tmp_path, "toy", evaluations=[(100, {"modes_covered": 7})])
    lines = path.joinpath("metrics.jsonl").read_text()
    samples = [
        {"step": 50, "modes_covered": 3, "high_quality": 0.5},
        {"step": 100, "modes_covered": 6},
    ]
    path.joinpath("metrics.jsonl").write_text(
        lines + "".join(json.dumps(s) + "\n" for s in samples)
    )
    run = compare.summarize(path)
    assert run.history["modes_covered"] == [(50, 3.0), (100, 7.0)]
    assert compare.default_metric([run]) == "modes_covered"


def test_cli_prints_the_sorted_table_and_writes_csv(runs, tmp_path, cli, capsys):
    out = tmp_path / "table.csv"
    assert cli("compare", *runs, "--csv", out) == 0
    printed = capsys.readouterr().out
    assert "sorted by fid (lower is better)" in printed
    order = [printed.index(f"gan/{name}") for name in "badc"]
    assert order == sorted(order)
    assert "0.02 ± 0.004" in printed and "–" in printed
    with open(out, newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["run"] for r in rows] == ["gan/b", "gan/a", "gan/d", "gan/c"]
    assert rows[0]["fid"] == "30.25" and rows[0]["kid_std"] == "0.004" and rows[3]["fid"] == ""
    assert rows[0]["loss"] == "hinge" and rows[0]["seed"] == "1"


def test_cli_mean_over_seed(runs, cli, capsys):
    assert cli("compare", *runs, "--mean-over", "seed") == 0
    printed = capsys.readouterr().out
    assert "35.38 ± 7.2" in printed and "wasserstein" in printed


def test_a_folder_that_is_not_a_run_is_an_error(tmp_path, cli, capsys):
    assert cli("compare", tmp_path) == 2
    assert "not a gankit run folder" in capsys.readouterr().err


def test_validation_scores_are_metrics_and_lower_is_better(tmp_path):
    paths = [make_run(tmp_path, name, [f"seed={i}"]) for i, name in enumerate(("x", "y"))]
    for path, scores in zip(paths, ([0.4, 0.3], [0.5, 0.2])):
        lines = [{"step": 50 * (i + 1), "val/l1": v} for i, v in enumerate(scores)]
        with open(path / "metrics.jsonl", "a") as handle:
            handle.writelines(json.dumps(line) + "\n" for line in lines)
    table = compare.comparison(compare.summarize_all(paths), metric="val/l1")
    assert [(r["run"], r["val/l1"]) for r in table.rows] == [("gan/y", 0.2), ("gan/x", 0.3)]


def test_an_unknown_metric_is_not_suggested_as_a_command(tmp_path, cli, capsys, tiny_dcgan):
    from gankit.runs.launch import resolve_config, start

    run = start(resolve_config("dcgan", None, [*tiny_dcgan, "train.steps=1", "name=r"]))
    capsys.readouterr()
    assert cli("compare", run.path, "--metric", "bogus") == 2
    err = capsys.readouterr().err
    assert "'bogus'" in err and "--metrics bogus" not in err and "fid" in err
