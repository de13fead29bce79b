"""`gankit translate`: translate image files with a trained image-to-image run."""

from __future__ import annotations

import click


@click.command("translate")
@click.argument("run_dir", type=click.Path(exists=True))
@click.option(
    "--input",
    "source",
    required=True,
    type=click.Path(exists=True),
    help="An image or a folder of images.",
)
@click.option(
    "--output",
    "destination",
    required=True,
    type=click.Path(file_okay=False),
    help="Folder for the results (same file names, as PNG).",
)
@click.option(
    "--direction", type=click.Choice(["AtoB", "BtoA"]), help="Default: the run's own direction."
)
@click.option("--target-domain", type=int, help="The domain index to translate into (stargan).")
@click.option("--device", default="cpu", show_default=True)
@click.option("--batch-size", type=click.IntRange(min=1), default=8, show_default=True)
def translate_command(
    run_dir: str,
    source: str,
    destination: str,
    direction: str | None,
    target_domain: int | None,
    device: str,
    batch_size: int,
) -> None:
    """Translate --input (a file or a folder) with RUN_DIR's generator into --output.

    Each image is resized to the model's size, translated and resized back to its own size.
    """
    from gankit.runs.translate import translate_files

    if direction is not None and target_domain is not None:
        raise click.UsageError(
            "--direction is for pix2pix and cyclegan runs, --target-domain for stargan: give one."
        )
    if not destination.strip():
        raise click.BadParameter("names no folder: give the folder for the results.",
                                 param_hint="--output")  # fmt: skip
    target = direction if direction is not None else target_domain
    written = translate_files(run_dir, source, destination, target, device, batch_size)
    click.echo(f"Translated {len(written)} images into {destination}")


COMMANDS = [translate_command]
