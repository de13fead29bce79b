"""gankit sweep: the grid's commands (dry run), and a real sweep with a failing run."""

import csv

import pytest

from gankit.errors import ConfigError
from gankit.runs import sweep


def test_an_axis_splits_at_commas_outside_brackets():
    assert sweep.parse_axis("seed=0,1,2") == sweep.Axis("seed", ["0", "1", "2"])
    axis = sweep.parse_axis("regularizers=[r1,l2],[]")
    assert axis.values == ["[r1,l2]", "[]"]
    with pytest.raises(ConfigError, match="key=value1,value2"):
        sweep.parse_axis("seed")
    with pytest.raises(ConfigError, match="empty value"):
        sweep.parse_axis("seed=0,,1")


def test_dry_run_prints_every_combination_and_trains_nothing(tmp_path, cli, capsys):
    code = cli("sweep", "gan", "--grid", "loss=hinge,wasserstein", "seed=0,1,2",
               "train.steps=50", "--name", "abl", "--out", tmp_path, "--dry-run")  # fmt: skip
    assert code == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 6
    assert lines[0] == (
        f"gankit train gan --name abl-loss=hinge-seed=0 --out {tmp_path} train.steps=50 "
        "loss=hinge seed=0"
    )
    names = [line.split("--name ")[1].split()[0] for line in lines]
    assert names == [f"abl-loss={loss}-seed={seed}" for loss in ("hinge", "wasserstein")
                     for seed in range(3)]  # fmt: skip
    assert not any(tmp_path.iterdir())


def test_a_key_given_twice_is_refused(cli, capsys):
    assert cli("sweep", "gan", "--grid", "seed=0,1", "seed=2", "--dry-run") == 2
    assert "appears twice" in capsys.readouterr().err


def test_a_sweep_trains_each_run_compares_them_and_reports_the_failed_one(tmp_path, cli, capsys):
    args = ["sweep", "gan", "--grid", "loss=hinge,no_such_loss", "--data", "ring8", "--steps",
            "3", "--name", "s", "--out", tmp_path, "z_dim=2", "generator.hidden=[8]",
            "discriminator.hidden=[8]", "train.progress=false", "train.tensorboard=false",
            "train.sample_every=3"]  # fmt: skip
    assert cli(*args) == 2  # one run failed: the sweep says so after comparing the others
    captured = capsys.readouterr()
    assert "1 of 2 runs failed: s-loss=no_such_loss" in captured.err
    assert "sorted by modes_covered (higher is better)" in captured.out
    with open(tmp_path / "gan" / "s.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["run"] for r in rows] == ["gan/s-loss=hinge"] and rows[0]["steps"] == "3"
    # Again: the finished run is resumed (a no-op), the failed one starts afresh.
    assert cli(*args, "--dry-run") == 0
    again = capsys.readouterr().out.splitlines()
    assert again[0].startswith(f"gankit train --resume {tmp_path}/gan/s-loss=hinge ")
    assert again[1].startswith("gankit train gan --name s-loss=no_such_loss ")


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["sweep", "bogus", "--grid", "seed=0,1"], "Unknown method 'bogus'"),
        (["sweep", "gan", "--grid", "bogus=1,2"], "bogus"),
        (["sweep", "gan", "--grid", "seed=0,1", "--steps", "-1"], "steps"),
        (["sweep", "gan", "--grid", "seed=0,1", "--name", "a/b"], "name"),
    ],
    ids=["method", "key", "steps", "name"],
)
def test_a_dry_run_checks_every_run_it_would_start(cli, capsys, tmp_path, args, said):
    assert cli(*args, "--out", tmp_path, "--dry-run") == 2
    err = capsys.readouterr().err
    assert said in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert not any(tmp_path.iterdir())
