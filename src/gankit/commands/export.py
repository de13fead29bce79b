"""`gankit export`: a run's sampling network as safetensors or a torch.export program."""

from __future__ import annotations

import click


@click.command("export")
@click.argument("run_dir", type=click.Path(exists=True))
@click.option(
    "--format",
    "file_format",
    type=click.Choice(["safetensors", "pt2"]),
    default="safetensors",
    show_default=True,
    help="safetensors: weights + config (gankit.load reads it back); pt2: a torch.export "
    "program that runs without gankit.",
)
@click.option("--out", required=True, type=click.Path(file_okay=False), help="Folder to write.")
@click.option("--no-ema", is_flag=True, help="Export the raw generator even if an EMA was kept.")
def export_command(run_dir: str, file_format: str, out: str, no_ema: bool) -> None:
    """Export RUN_DIR's sampling network (its config.json says how to call it).

    \b
    gankit export runs/dcgan/first --out export/                       # safetensors
    gankit export runs/dcgan/first --format pt2 --out pt2/
    python -c "import torch; g = torch.export.load('pt2/generator.pt2').module(); print(g(torch.randn(4, 100)).shape)"
    """
    from gankit.runs.export import export_run

    path = export_run(run_dir, out, file_format, use_ema=not no_ema)
    click.echo(f"Exported {run_dir} ({file_format}) to {path}")


COMMANDS = [export_command]
