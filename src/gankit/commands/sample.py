"""`gankit sample`: image grids, latent interpolations, class grids and code traversals, or
individual samples as a folder of PNG files or one .npz for external metric tools."""

from __future__ import annotations

import math
from pathlib import Path

import click
from click.core import ParameterSource

GRID_SUFFIXES = (".png", ".jpg", ".jpeg")


@click.command("sample")
@click.argument("run_dir", type=click.Path(exists=True))
@click.option(
    "-n",
    "count",
    type=click.IntRange(min=1),
    default=64,
    show_default=True,
    help="How many samples.",
)
@click.option(
    "--out",
    type=click.Path(),
    help="PNG to write (default: in the run); with --format, the folder or .npz file.",
)
@click.option(
    "--format",
    "file_format",
    type=click.Choice(["grid", "png-dir", "npz"]),
    default="grid",
    show_default=True,
    help="One grid image, or every sample as its own PNG in a folder, or one .npz (uint8 NHWC).",
)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--interpolate", is_flag=True, help="Rows that walk between two latent codes.")
@click.option("--label", type=int, help="Samples of this class only (class-conditional runs).")
@click.option("--per-class", is_flag=True, help="One row per class, n / classes samples each.")
@click.option("--traverse", metavar="CODE", help="Traverse a latent code, e.g. c1 (infogan).")
@click.option(
    "--range",
    "value_range",
    type=(float, float),
    default=(-2.0, 2.0),
    show_default=True,
    help="The values --traverse runs over.",
)
@click.option(
    "--steps",
    type=click.IntRange(min=2),
    help="Columns of --interpolate (8) or --traverse (10).",
)
@click.option("--device", default="cpu", show_default=True)
@click.option("--no-ema", is_flag=True, help="Use the raw generator even if an EMA was kept.")
def sample_command(
    run_dir: str,
    count: int,
    out: str | None,
    file_format: str,
    seed: int,
    interpolate: bool,
    label: int | None,
    per_class: bool,
    traverse: str | None,
    value_range: tuple[float, float],
    steps: int | None,
    device: str,
    no_ema: bool,
) -> None:
    """Write a grid of samples (or an interpolation, class grid or traversal) from a run.

    \b
    gankit sample runs/cgan/mnist --per-class -n 100
    gankit sample runs/cgan/mnist --label 3 -n 16
    gankit sample runs/infogan/mnist --traverse c1 --range -2 2
    gankit sample runs/dcgan/first -n 50000 --format png-dir --out fake/
    """
    from gankit.runs.sample import write_sample_files, write_samples

    given = click.get_current_context().get_parameter_source("value_range")
    if given is ParameterSource.COMMANDLINE and not traverse:
        raise click.UsageError(
            "--range is the values of --traverse: add --traverse CODE or drop it."
        )
    if steps is not None and not (traverse or interpolate):
        raise click.UsageError("--steps is the columns of --interpolate or --traverse: add one.")
    if not all(math.isfinite(value) for value in value_range):
        raise click.BadParameter(
            f"needs two finite values, got {value_range}.", param_hint="--range"
        )
    if file_format == "grid" and out is not None and Path(out).suffix.lower() not in GRID_SUFFIXES:
        raise click.BadParameter(
            f"a grid is one image: give a file name ending in .png or .jpg, not {out!r} (for a "
            "folder of samples, --format png-dir).",
            param_hint="--out",
        )

    if file_format != "grid":
        if out is None:
            raise click.UsageError(f"--format {file_format} writes many samples: give --out.")
        if interpolate or per_class or traverse:
            raise click.UsageError(
                f"--format {file_format} writes plain samples (or --label ones); drop "
                "--interpolate, --per-class and --traverse."
            )
        path = write_sample_files(
            run_dir, count, out, file_format, seed, label, device=device, use_ema=not no_ema
        )
        click.echo(f"Wrote {count} samples to {path}")
        return

    path = write_samples(
        run_dir,
        count,
        out,
        seed=seed,
        interpolate=interpolate,
        steps=steps,
        device=device,
        use_ema=not no_ema,
        label=label,
        per_class=per_class,
        traverse=traverse,
        value_range=value_range,
    )
    click.echo(f"Wrote {path}")


COMMANDS = [sample_command]
