"""`--name` is a plain string and one folder name: the run always lands in OUT/METHOD/NAME."""

from types import SimpleNamespace

import pytest
import yaml

import gankit.runs.launch

pytestmark = pytest.mark.usefixtures("one_thread")


@pytest.mark.parametrize("name", ["../../escape", "../escape", "a/b", "..", "/tmp/abs"])
def test_a_name_that_leaves_the_output_folder_is_refused(refused, tiny_dcgan, tmp_path, name):
    work = tmp_path / "deep" / "er"
    work.mkdir(parents=True)
    message = refused("train", "dcgan", "--name", name, *tiny_dcgan[:-1], "--out", work / "runs")
    assert message.startswith(f"Run name {name!r} (--name) is not a plain folder name")
    assert not (work / "runs").exists()
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["deep", "er"]  # nothing written


def test_a_name_that_yaml_would_read_as_a_number_stays_text(cli, tiny_dcgan, tmp_path):
    assert cli("train", "dcgan", "--name", "007", "--steps", 1, *tiny_dcgan) == 0
    run = tmp_path / "runs" / "dcgan" / "007"
    assert yaml.safe_load((run / "config.yaml").read_text())["name"] == "007"
    assert (run / "checkpoints" / "last.pt").exists()


@pytest.mark.parametrize("name", ["null", "off", "true", "1e3", "[x]", "~"])
def test_a_name_is_never_parsed_as_yaml(cli, tiny_dcgan, monkeypatch, name):
    started = []

    def fake_start(cfg):
        started.append(cfg)
        return SimpleNamespace(path="unused")

    monkeypatch.setattr(gankit.runs.launch, "start", fake_start)
    assert cli("train", "dcgan", "--name", name, "--out", "off", *tiny_dcgan[:-1]) == 0
    assert started[0].name == name and started[0].out == "off"
