"""gankit export: safetensors (read back by gankit.load) and pt2 (torch.export, runs without
gankit)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import torch

import gankit
from gankit.errors import ConfigError

TINY = ["data.image_size=16", "data.batch_size=16", "z_dim=8", "train.progress=false"]


@pytest.fixture
def cgan_run(tmp_path):
    overrides = [*TINY, "generator.width=8", "discriminator.width=8"]
    return gankit.train("cgan", data="digits", steps=2, name="c", out=tmp_path, overrides=overrides)


def test_a_safetensors_export_loads_back_and_samples_as_the_run(cli, cgan_run, tmp_path, capsys):
    out = tmp_path / "export"
    assert cli("export", cgan_run.path, "--out", out) == 0
    assert "Exported" in capsys.readouterr().out
    described = json.loads((out / "config.json").read_text())
    assert described["method"] == "cgan" and described["file"] == "generator.safetensors"
    assert described["inputs"][0]["shape"] == [None, 8]
    assert described["inputs"][1]["values"] == "class labels 0..9"
    assert described["output"] == {"shape": [None, 1, 16, 16], "range": [-1, 1], "dtype": "float32"}
    exported = gankit.load(out)  # no run folder needed
    assert torch.equal(exported.sample(6, seed=3), cgan_run.sample(6, seed=3))
    assert exported.metrics == [] and exported.config.method == "cgan"


def test_a_pt2_export_runs_without_gankit_at_any_batch_size(cli, cgan_run, tmp_path):
    out = tmp_path / "pt2"
    assert cli("export", cgan_run.path, "--format", "pt2", "--out", out) == 0
    z, labels = cgan_run.method.sample_latent(5, torch.Generator().manual_seed(1))
    expected = cgan_run.method.generate((z, labels), cgan_run.generator)
    torch.save({"z": z, "labels": labels}, tmp_path / "inputs.pt")
    code = (
        "import sys, torch; sys.modules['gankit'] = None  # gankit cannot be imported\n"
        f"net = torch.export.load({str(out / 'generator.pt2')!r}).module()\n"
        f"x = torch.load({str(tmp_path / 'inputs.pt')!r})\n"
        f"torch.save(net(x['z'], x['labels']), {str(tmp_path / 'out.pt')!r})\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)
    assert torch.allclose(torch.load(tmp_path / "out.pt"), expected, atol=1e-5)
    with pytest.raises(ConfigError, match="reads safetensors"):
        gankit.load(out)


def test_a_translation_run_exports_as_safetensors_only(tmp_path):
    from gankit.runs.export import export_run

    overrides = ["data.image_size=32", "data.options={count: 4, crop: 64}", "data.batch_size=2",
                 "train.progress=false", "generator={width: 8}",
                 "discriminator={width: 8, receptive_field: 16}"]  # fmt: skip
    run = gankit.train("pix2pix", steps=1, name="p", out=tmp_path, overrides=overrides)
    with pytest.raises(ConfigError, match="dropout at test time.*safetensors"):
        export_run(run.path, tmp_path / "pt2", "pt2")
    exported = gankit.load(export_run(run.path, tmp_path / "st"))
    images = torch.rand(2, 3, 32, 32) * 2 - 1
    torch.manual_seed(0)
    ours = exported.translate(images)
    torch.manual_seed(0)
    assert torch.equal(ours, run.translate(images))  # same weights, same dropout draws


def test_a_weights_file_that_does_not_fit_is_one_line(cli, cgan_run, tmp_path):
    from safetensors.torch import save_file

    from gankit.errors import CheckpointError

    out = tmp_path / "export"
    assert cli("export", cgan_run.path, "--out", out) == 0
    save_file({"other": torch.zeros(2)}, str(out / "generator.safetensors"))
    with pytest.raises(CheckpointError, match="does not hold this cgan network's weights"):
        gankit.load(out)
