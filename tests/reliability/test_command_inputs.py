"""Bad input to the commands other than `gankit train`: one line, exit code 2, nothing lost.

Each case was a traceback, or a silent wrong result, when a probe of every command tried it
(2026-12-07): half-written logs of a killed run, outputs that overwrite inputs or a run's own
files, impossible counts, unwritable paths.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image

TINY_DCGAN = ["data.image_size=16", "data.batch_size=16", "generator.width=8",
              "discriminator.width=8", "z_dim=8", "train.progress=false", "train.num_samples=16",
              "train.check_memory=false"]  # fmt: skip
TINY_PIX2PIX = ["data.image_size=32", "data.options={count: 4, crop: 64}", "data.batch_size=2",
                "generator={width: 2}", "discriminator={width: 2, receptive_field: 16}",
                "train.tensorboard=false", "train.progress=false", "train.check_memory=false"]  # fmt: skip


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """A tiny DCGAN, pix2pix and cGAN run, trained once for the module."""
    from gankit.cli import main

    root = tmp_path_factory.mktemp("runs")

    def train(*args: str) -> Path:
        try:
            main(["train", *args, f"out={root}", "--steps", "2"])
        except SystemExit as exit:
            assert exit.code in (0, None)
        return root

    train("dcgan", "--name", "d", *TINY_DCGAN)
    train("pix2pix", "--name", "p", *TINY_PIX2PIX)
    train("cgan", "--name", "c", *TINY_DCGAN)
    return {"dcgan": root / "dcgan" / "d", "pix2pix": root / "pix2pix" / "p",
            "cgan": root / "cgan" / "c"}  # fmt: skip


@pytest.fixture
def usage_error(cli, capsys):
    """Run the CLI, expect click's usage error (exit 2), and return its ``Error:`` line."""

    def run(*args: object) -> str:
        capsys.readouterr()
        code = cli(*args)
        err = capsys.readouterr().err
        assert code == 2 and "Traceback" not in err, err
        errors = [line for line in err.splitlines() if line.startswith(("Error: ", "error: "))]
        assert len(errors) == 1, err
        return errors[0]

    return run


@pytest.fixture
def images(tmp_path):
    folder = tmp_path / "images"
    folder.mkdir()
    for i in range(2):
        Image.new("RGB", (32, 32), (40 * i, 90, 200)).save(folder / f"{i}.png")
    return folder


def contents(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}  # fmt: skip


def copy_of(run: Path, tmp_path: Path) -> Path:
    import shutil

    return Path(shutil.copytree(run, tmp_path / run.parent.name / f"{run.name}-copy"))


def test_a_half_written_log_line_of_a_killed_run_is_left_out_with_a_note(
    cli, capsys, runs, tmp_path
):
    run = copy_of(runs["dcgan"], tmp_path)
    with open(run / "metrics.jsonl", "a") as log:
        log.write('{"step": 3, "loss')  # where kill -9 stopped the write
    assert cli("compare", run) == 0
    assert cli("report", run, "--out", tmp_path / "r.html") == 0
    err = capsys.readouterr().err
    assert "Traceback" not in err and "metrics.jsonl line 2 is not a JSON record" in err


def test_a_run_with_a_broken_config_or_evaluation_file_is_refused_in_one_line(
    refused, runs, tmp_path
):
    broken = copy_of(runs["dcgan"], tmp_path)
    with open(broken / "metrics.jsonl", "a") as log:
        log.write(json.dumps({"step": 2, "eval/fid": 1.5}) + "\n")  # as gankit evaluate logs
    (broken / "eval").mkdir(exist_ok=True)
    (broken / "eval" / "2.json").write_text("{not json")
    said = refused("report", broken, "--out", tmp_path / "r.html")
    assert "eval/2.json" in said and "not valid JSON" in said
    (broken / "config.yaml").write_text("a: [")
    said = refused("compare", broken)
    assert "config.yaml" in said and "not valid YAML" in said
    (broken / "config.yaml").write_text("- 1\n")
    assert "mapping" in refused("compare", broken)
    (broken / "config.yaml").write_text("")  # a folder whose run never wrote its config
    said = refused("compare", runs["dcgan"], broken)
    assert "config.yaml" in said and "names no method" in said


def test_report_writes_html_only_so_it_cannot_overwrite_a_runs_files(usage_error, runs):
    config = runs["dcgan"] / "config.yaml"
    before = config.read_bytes()
    said = usage_error("report", runs["dcgan"], "--out", config)
    assert "--out" in said and ".html" in said
    assert config.read_bytes() == before


def test_translate_never_writes_over_its_input_or_into_an_unnamed_folder(usage_error, runs, images):
    before = contents(images)
    assert "--input" in usage_error("translate", runs["pix2pix"], "--input", images,
                                    "--output", images)  # fmt: skip
    assert "--output" in usage_error("translate", runs["pix2pix"], "--input", images,
                                     "--output", "")  # fmt: skip
    assert "--input" in usage_error("translate", runs["pix2pix"], "--input", images / "0.png",
                                    "--output", images)  # one image, into its own folder  # fmt: skip
    assert contents(images) == before


def test_prepare_never_writes_over_its_source(refused, images):
    before = contents(images)
    assert "source" in refused("prepare", "semantic-maps", images, images)
    assert contents(images) == before


# each case: its command line (split at spaces) and the option its one line must name
IMPOSSIBLE = {
    "translate-batch-0": ("translate {pix2pix} --input {images} --output {tmp}/t --batch-size 0", "--batch-size"),
    "translate-batch-negative": ("translate {pix2pix} --input {images} --output {tmp}/t --batch-size -1", "--batch-size"),
    "encode-batch-0": ("encode {dcgan} --out {tmp}/e.npy --batch-size 0", "--batch-size"),
    "encode-limit": ("encode {dcgan} --out {tmp}/e.npy --limit -5", "--limit"),
    "encode-not-npy": ("encode {dcgan} --out {tmp}/e.txt", "--out"),
    "refine-critic-lr": ("refine {dcgan} --critic-lr -1 --no-metrics", "--critic-lr"),
    "sample-steps": ("sample {dcgan} --interpolate --steps -3 -n 2", "--steps"),
    "sample-grid-suffix": ("sample {dcgan} --out {tmp}/grid.txt", "--out"),
    "sample-range-nan": ("sample {dcgan} --traverse c1 --range nan inf", "--range"),
    "sample-range-alone": ("sample {dcgan} --range 1 2", "--range"),
    "sample-steps-alone": ("sample {dcgan} --steps 5", "--steps"),
    "reproduce-quick-full": ("reproduce dcgan-digits --quick --full --out {tmp}/rp", "--full"),
    "reproduce-all-and-name": ("reproduce --all dcgan-digits --out {tmp}/rp", "--all"),
    "reproduce-list-and-name": ("reproduce --list dcgan-digits --out {tmp}/rp", "--list"),
}  # fmt: skip


@pytest.mark.parametrize(("args", "option"), IMPOSSIBLE.values(), ids=IMPOSSIBLE.keys())
def test_impossible_options_are_refused_before_any_work(usage_error, runs, images, tmp_path,
                                                        args, option):  # fmt: skip
    fill = {"pix2pix": runs["pix2pix"], "dcgan": runs["dcgan"], "images": images, "tmp": tmp_path}
    said = usage_error(*[arg.format(**fill) for arg in args.split()])
    assert option in said
    assert not (tmp_path / "t").exists() and not list(tmp_path.glob("e.*"))
    assert not (tmp_path / "rp").exists()


def test_refine_says_which_critics_it_needs(refused, runs):
    said = refused("refine", runs["cgan"], "--steps", "1", "-n", "4", "--no-metrics")
    assert "D(x)" in said and "cgan" in said
    said = refused("refine", runs["pix2pix"], "--steps", "1", "-n", "4", "--no-metrics")
    assert "pix2pix" in said


def test_an_output_path_that_cannot_exist_is_one_line(refused, runs, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    said = refused("sample", runs["dcgan"], "--out", blocker / "grid.png")
    assert str(blocker) in said
    said = refused("compare", runs["dcgan"], "--csv", blocker / "table.csv")
    assert str(blocker) in said
    assert json.loads(json.dumps(said))  # printable, one line


def test_a_file_that_is_no_checkpoint_is_named_as_given(refused, tmp_path):
    script = tmp_path / "t.sh"
    script.write_text("echo\n")
    said = refused("sample", script)
    assert str(script) in said and "not a run folder" in said


def test_a_domain_index_for_a_pix2pix_run_says_which_option_it_takes(
    refused, runs, images, tmp_path
):
    said = refused("translate", runs["pix2pix"], "--input", images, "--output", tmp_path / "t",
                   "--target-domain", "1")  # fmt: skip
    assert "--direction" in said and "stargan" in said


def test_a_size_that_cannot_be_allocated_is_one_line(refused, images, tmp_path):
    said = refused("evaluate", "--real", images, "--fake", images, "--image-size", "100000",
                   "--features", "classifier", "--classifier", "digits")  # fmt: skip
    assert said.startswith("out of memory") and "allocate" in said
