"""`gankit train`: start a run, or resume one (under torchrun, on several processes)."""

from __future__ import annotations

import os

import click

from gankit.early_checks import check_new_run, check_resume


@click.command(
    "train", context_settings={"ignore_unknown_options": False, "allow_extra_args": False}
)
@click.argument("method", required=False)
@click.argument("overrides", nargs=-1)
@click.option(
    "--config",
    "config_file",
    help="A YAML config file, or a recipe by name (`gankit list recipes`).",
)
@click.option("--data", help="A dataset name, NAME:LOCATION, or an image folder.")
@click.option("--data-dir", help="Where downloadable datasets are looked for and stored.")
@click.option("--name", help="The run's folder name, taken as text (default: a time stamp).")
@click.option("--out", help="The folder runs go in (default: runs).")
@click.option("--steps", type=int, help="Generator steps to train for.")
@click.option("--epochs", type=float, help="Passes over the data (instead of --steps).")
@click.option("--device", help="auto, cpu, cuda, cuda:N or mps.")
@click.option("--seed", type=int, help="Random seed.")
@click.option(
    "--resume",
    type=click.Path(exists=True),
    help="Continue this run (or checkpoint); KEY=VALUE may change its length, intervals, "
    "learning rates, EMA, device and eval.* settings.",
)
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
    gankit train --resume runs/dcgan/demo --steps 2000 optim.generator.lr=1e-4
    torchrun --nproc_per_node=4 -m gankit train dcgan --name ddp
    """
    if method and "=" in method:  # `gankit train --config f.yaml a.b=c`: no method given
        overrides, method = (method, *overrides), None
    flags = {
        "data.name": data,
        "data.root": data_dir,
        "name": name,
        "out": out,
        "train.epochs": epochs,
        "train.steps": steps,  # after epochs: --steps wins over --epochs
        "device": device,
        "seed": seed,
    }
    # Flags go in as typed pairs, never re-read as YAML: `--name 007` names the run "007".
    extra: list[str | tuple[str, object]] = [
        (key, value) for key, value in flags.items() if value is not None
    ]
    extra += list(overrides)
    if resume and (method or config_file or name or out):
        raise click.UsageError(
            "--resume continues a run as it was; drop METHOD, --config, --name and --out."
        )
    # A bad value is answered before torch is imported (a second or more), then checked in full.
    if resume:
        check_resume(resume, extra)
    else:
        check_new_run(config_file, extra)
    from gankit.runs import launch  # imports torch

    run = (
        launch.resume(resume, extra)
        if resume
        else launch.start(launch.resolve_config(method, config_file, extra))
    )
    if os.environ.get("RANK", "0") == "0":  # torchrun's other processes keep quiet
        click.echo(f"Run finished: {run.path}")


COMMANDS = [train_command]
