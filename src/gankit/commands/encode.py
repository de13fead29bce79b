"""`gankit encode`: a dataset's features under a trained run's encoder."""

from __future__ import annotations

import click


@click.command("encode")
@click.argument("run_dir", type=click.Path(exists=True))
@click.option(
    "--out", type=click.Path(dir_okay=False), required=True, help="Features, a .npy file."
)
@click.option("--data", help="A dataset name (default: the run's own).")
@click.option("--data-dir", help="Where the dataset's files are.")
@click.option("--split", default="test", show_default=True)
@click.option("--limit", type=click.IntRange(min=1), help="Encode only the first N images.")
@click.option("--batch-size", type=click.IntRange(min=1), default=500, show_default=True)
@click.option("--device", default="cpu", show_default=True)
def encode_command(
    run_dir: str,
    out: str,
    data: str | None,
    data_dir: str | None,
    split: str,
    limit: int | None,
    batch_size: int,
    device: str,
) -> None:
    """Write E(x) (bigan) or Q's code estimates (infogan) for a dataset to a .npy file.

    \b
    gankit encode runs/bigan/mnist --data mnist --data-dir ../shared/data --out feats.npy
    """
    from gankit.runs.encode import write_features

    if not out.endswith(".npy"):
        raise click.BadParameter(f"the features are written as .npy: {out!r} does not end in "
                                 ".npy.", param_hint="--out")  # fmt: skip

    path, labels_path, count = write_features(
        run_dir,
        out,
        data=data,
        data_dir=data_dir,
        split=split,
        batch_size=batch_size,
        device=device,
        limit=limit,
    )
    click.echo(f"Wrote {count} feature vectors to {path}")
    if labels_path is not None:
        click.echo(f"Wrote their labels to {labels_path}")


COMMANDS = [encode_command]
