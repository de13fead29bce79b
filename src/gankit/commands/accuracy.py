"""`gankit accuracy`: test accuracy of a semi-supervised run's posterior-averaged classifier."""

from __future__ import annotations

import click


@click.command("accuracy")
@click.argument("run_dir", type=click.Path(exists=True))
@click.option("--split", type=click.Choice(["test", "train"]), default="test", show_default=True)
@click.option("--device", default="cpu", show_default=True)
def accuracy_command(run_dir: str, split: str, device: str) -> None:
    """Classify SPLIT of a semi-supervised run's dataset (bayesgan semi.labels=N, ssgan)."""
    from gankit.runs.accuracy import run_accuracy

    result = run_accuracy(run_dir, split, device)
    click.echo(
        f"{result['method']} ({result['labelled']} labels): accuracy {result['accuracy']:.4f} "
        f"on {result['images']} {split} images"
    )


COMMANDS = [accuracy_command]
