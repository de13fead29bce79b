"""The ``gankit`` command line: parse, call the library, print. No training logic here."""

from __future__ import annotations

import sys

import click

from gankit.errors import GankitError, TrainingInterrupted


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show the full traceback of an error.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Train, sample and compare GANs. `gankit list` shows what is available."""
    ctx.obj = {"debug": debug}


@cli.command("list")
def list_command() -> None:
    """Show the registered methods, datasets, networks, losses and metrics."""
    from rich.console import Console
    from rich.table import Table

    from gankit.catalog import catalog

    console = Console()
    for title, registry in catalog():
        table = Table(title=title, title_justify="left", show_header=False, box=None)
        for name in registry.names():
            table.add_row(f"[bold]{name}[/]", registry.describe(name))
        console.print(table)
        console.print()


@cli.command("config")
@click.argument("method")
def config_command(method: str) -> None:
    """Print METHOD's full default config as YAML."""
    from gankit.config import dump_yaml
    from gankit.methods import METHODS

    click.echo(dump_yaml(METHODS.get(method).config_class()), nl=False)


@cli.command("train", context_settings={"ignore_unknown_options": False, "allow_extra_args": False})
@click.argument("method", required=False)
@click.argument("overrides", nargs=-1)
@click.option("--config", "config_file", type=click.Path(dir_okay=False), help="A YAML config.")
@click.option("--data", help="A dataset name, NAME:LOCATION, or an image folder.")
@click.option("--data-dir", help="Where downloadable datasets are looked for and stored.")
@click.option("--name", help="The run's folder name (default: a time stamp).")
@click.option("--out", help="The folder runs go in (default: runs).")
@click.option("--steps", type=int, help="Generator steps to train for.")
@click.option("--epochs", type=float, help="Passes over the data (instead of --steps).")
@click.option("--device", help="auto, cpu, cuda, cuda:N or mps.")
@click.option("--seed", type=int, help="Random seed.")
@click.option("--resume", type=click.Path(exists=True), help="Continue this run (or checkpoint).")
def train_command(
    method: str | None,
    overrides: tuple[str, ...],
    config_file: str | None,
    data: str | None,
    data_dir: str | None,
    name: str | None,
    out: str | None,
    steps: int | None,
    epochs: float | None,
    device: str | None,
    seed: int | None,
    resume: str | None,
) -> None:
    """Train METHOD; extra KEY.SUB=VALUE arguments override the config.

    \b
    gankit train dcgan --name demo --steps 500
    gankit train gan --data ring8 loss=minimax train.n_critic=2
    gankit train --resume runs/dcgan/demo
    """
    from gankit.train.launch import resolve_config, start
    from gankit.train.launch import resume as resume_run

    if method and "=" in method:  # `gankit train --config f.yaml a.b=c`: no method given
        overrides, method = (method, *overrides), None
    flags = {
        "data.name": data,
        "data.root": data_dir,
        "name": name,
        "out": out,
        "train.steps": steps,
        "train.epochs": epochs,
        "device": device,
        "seed": seed,
    }
    extra = [f"{key}={value}" for key, value in flags.items() if value is not None]
    if steps is not None:
        extra.append("train.epochs=null")
    extra += list(overrides)
    if resume:
        if method or config_file or name or out:
            raise click.UsageError(
                "--resume continues a run as it was; drop METHOD, --config, --name and --out."
            )
        run = resume_run(resume, extra)
    else:
        run = start(resolve_config(method, config_file, extra))
    click.echo(f"Run finished: {run.path}")


@cli.command("sample")
@click.argument("run_dir", type=click.Path(exists=True))
@click.option("-n", "count", type=int, default=64, show_default=True, help="How many samples.")
@click.option("--out", type=click.Path(dir_okay=False), help="PNG to write (default: in the run).")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--interpolate", is_flag=True, help="Rows that walk between two latent codes.")
@click.option("--device", default="cpu", show_default=True)
@click.option("--no-ema", is_flag=True, help="Use the raw generator even if an EMA was kept.")
def sample_command(
    run_dir: str,
    count: int,
    out: str | None,
    seed: int,
    interpolate: bool,
    device: str,
    no_ema: bool,
) -> None:
    """Write a grid of samples (or a latent interpolation) from a trained run."""
    from gankit.sampling import write_samples

    path = write_samples(
        run_dir, count, out, seed=seed, interpolate=interpolate, device=device, use_ema=not no_ema
    )
    click.echo(f"Wrote {path}")


@cli.command("evaluate")
@click.argument("run_dir", type=click.Path(exists=True, file_okay=False), required=False)
@click.option(
    "--metrics",
    default="fid",
    show_default=True,
    help="Comma-separated: fid,kid,is,pr,dc (toy2d for 2-D runs).",
)
@click.option(
    "--n",
    "count",
    type=int,
    default=10000,
    show_default=True,
    help="Generated and reference images.",
)
@click.option(
    "--features",
    type=click.Choice(["inception", "classifier"]),
    default="inception",
    show_default=True,
)
@click.option(
    "--ref",
    type=click.Choice(["train", "test"]),
    default="train",
    show_default=True,
    help="Reference split.",
)
@click.option(
    "--weights", type=click.Path(dir_okay=False), help="The pytorch-fid Inception weights file."
)
@click.option(
    "--real",
    type=click.Path(exists=True, file_okay=False),
    help="A folder of real images (with --fake).",
)
@click.option(
    "--fake",
    type=click.Path(exists=True, file_okay=False),
    help="A folder of generated images (with --real).",
)
@click.option("--device", default="cpu", show_default=True)
@click.option("--batch-size", type=int, default=50, show_default=True)
@click.option(
    "--seed", type=int, default=0, show_default=True, help="Seed of the generated latents."
)
def evaluate_command(
    run_dir: str | None,
    metrics: str,
    count: int,
    features: str,
    ref: str,
    weights: str | None,
    real: str | None,
    fake: str | None,
    device: str,
    batch_size: int,
    seed: int,
) -> None:
    """Score RUN_DIR's generator (eval/<step>.json and metrics.jsonl), or --real vs --fake folders."""
    from gankit.evaluation import evaluate_folders, evaluate_run, summary_lines

    names = [m.strip() for m in metrics.split(",") if m.strip()]
    if run_dir and (real or fake):
        raise click.UsageError("Give RUN_DIR, or --real and --fake, not both.")
    if run_dir:
        document = evaluate_run(
            run_dir, names, count, features, ref, weights, device, batch_size, True, seed
        )
        click.echo(f"{document['method']} at step {document['step']}:")
    elif real and fake:
        if features != "inception":
            raise click.UsageError("Folders are compared with Inception features only.")
        document = evaluate_folders(
            real, fake, names, None if count <= 0 else count, weights, device, batch_size
        )
        click.echo(f"{fake} against {real}:")
    else:
        raise click.UsageError("Give a RUN_DIR, or both --real DIR and --fake DIR.")
    for line in summary_lines(document["metrics"]):
        click.echo("  " + line)


def main(argv: list[str] | None = None) -> None:
    """Entry point: GankitErrors print as one message (``--debug`` for the traceback)."""
    args = sys.argv[1:] if argv is None else argv
    try:
        cli.main(args=args, prog_name="gankit", standalone_mode=False)
    except TrainingInterrupted as exc:
        click.echo(str(exc), err=True)
        sys.exit(130)
    except GankitError as exc:
        if "--debug" in args:
            raise
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
