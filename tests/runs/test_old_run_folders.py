"""Run folders saved before the translation methods' net keys changed (``generator: resnet`` with
``generator_options``, in config.yaml and the checkpoint) load, translate, evaluate, export and
resume as they did; tests/fixtures/old-layout/pix2pix/tiny was trained by the code of then."""

import json
import shutil
from pathlib import Path

import pytest
import torch
import yaml

import gankit
from gankit.errors import ConfigError
from gankit.runs.compare import summarize
from gankit.runs.export import DESCRIPTION
from gankit.runs.launch import resume

pytestmark = pytest.mark.usefixtures("one_thread")

FIXTURE = Path(__file__).parents[1] / "fixtures" / "old-layout" / "pix2pix" / "tiny"
TINY = ["data.image_size=32", "data.options={count: 4, crop: 64}", "data.batch_size=2",
        "generator_net=resnet", "generator={width: 2, blocks: 1}",
        "discriminator={width: 2, receptive_field: 16}", "train.checkpoint_every=2",
        "train.keep_checkpoints=0", "train.sample_every=2", "train.num_samples=2",
        "train.log_every=1", "train.tensorboard=false", "train.progress=false",
        "train.check_memory=false", "device=cpu"]  # fmt: skip
# today's key -> the key a run saved before the rename
OLD_KEYS = {"generator_net": "generator", "generator": "generator_options",
            "discriminator_net": "discriminator", "discriminator": "discriminator_options"}  # fmt: skip


@pytest.fixture
def old_run(tmp_path):
    return Path(shutil.copytree(FIXTURE, tmp_path / "pix2pix" / "tiny"))


def old_layout(config: dict) -> dict:
    """A pix2pix config as gankit saved it before the rename, written out by hand."""
    return {OLD_KEYS.get(key, key): value for key, value in config.items()}


def test_an_old_run_loads_translates_evaluates_and_exports(cli, old_run, tmp_path, capsys):
    run = gankit.load(old_run)
    assert (run.config.generator_net, run.config.generator) == ("resnet", {"width": 2, "blocks": 1})
    assert run.translate(torch.zeros(2, 3, 32, 32)).shape == (2, 3, 32, 32)
    assert cli("evaluate", old_run, "--n", "2") == 0
    assert summarize(old_run).config["generator_net"] == "resnet"  # gankit compare's columns
    assert cli("export", old_run, "--out", tmp_path / "export") == 0
    description = tmp_path / "export" / DESCRIPTION
    saved = json.loads(description.read_text())
    saved["config"] = old_layout(saved["config"])  # an export written before the rename
    description.write_text(json.dumps(saved))
    assert gankit.load(tmp_path / "export").config.discriminator_net == "patch"
    capsys.readouterr()
    assert cli("sample", old_run) == 2  # as from any translation run: translate, not sample
    assert "translates images rather than sampling noise" in capsys.readouterr().err


def test_an_old_run_resumes_and_its_config_yaml_takes_the_new_layout(cli, old_run):
    assert cli("train", "--resume", old_run, "--steps", "3") == 0
    config = yaml.safe_load((old_run / "config.yaml").read_text())
    assert (config["generator_net"], config["generator"]) == ("resnet", {"width": 2, "blocks": 1})
    assert torch.load(old_run / "checkpoints" / "last.pt", weights_only=True)["step"] == 3
    assert cli("train", "--resume", old_run, "--steps", "4") == 0


@pytest.mark.parametrize(
    ("override", "said"),
    [
        ("generator.width=4", "it was started with generator.width=2"),
        ("generator_net=unet", "it was started with generator_net=resnet"),
        ("generator_options.width=4", "generator_options is now generator"),
    ],
)
def test_an_old_run_refuses_a_net_change_on_resume_in_one_line(
    cli, old_run, capsys, override, said
):
    capsys.readouterr()
    assert cli("train", "--resume", old_run, override) == 2
    err = capsys.readouterr().err.strip()
    assert said in err and len(err.splitlines()) == 1, err


def test_a_resume_in_the_old_layout_ends_as_the_uninterrupted_run(tmp_path):
    resumed = gankit.train("pix2pix", steps=2, name="old", out=tmp_path, overrides=TINY).path
    last = resumed / "checkpoints" / "last.pt"
    state = torch.load(last, weights_only=False)
    state["config"] = old_layout(state["config"])
    torch.save(state, last)
    config = yaml.safe_load((resumed / "config.yaml").read_text())
    (resumed / "config.yaml").write_text(yaml.safe_dump(old_layout(config), sort_keys=False))
    with pytest.raises(ConfigError, match="generator=resnet names a net"):
        gankit.train(config=resumed / "config.yaml", name="copy", out=tmp_path)  # as a recipe
    resume(resumed, ["train.steps=4"])
    whole = gankit.train("pix2pix", steps=4, name="whole", out=tmp_path, overrides=TINY).path

    def logged(run: Path) -> list[dict]:
        lines = (run / "metrics.jsonl").read_text().splitlines()
        return [{k: v for k, v in json.loads(line).items() if k != "time"} for line in lines]

    assert logged(resumed) == logged(whole)
    a, b = (
        torch.load(run / "checkpoints" / "last.pt", weights_only=True) for run in (resumed, whole)
    )
    assert same(a["method_state"], b["method_state"]) and same(a["rng"], b["rng"])


def same(a: object, b: object) -> bool:
    """Equal to the bit: tensors, and dicts and lists of them."""
    if isinstance(a, torch.Tensor):
        return isinstance(b, torch.Tensor) and torch.equal(a, b)
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple):
        return isinstance(b, list | tuple) and len(a) == len(b) and all(map(same, a, b))
    return a == b
