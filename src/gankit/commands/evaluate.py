"""`gankit evaluate`: set metrics of a run, or of two image folders."""

from __future__ import annotations

import click


@click.command("evaluate")
@click.argument("run_dir", type=click.Path(exists=True, file_okay=False), required=False)
@click.option(
    "--metrics",
    default="fid",
    show_default=True,
    help="Comma-separated: fid,kid,is,pr,dc; toy2d for 2-D runs, pixel for pix2pix, labels for "
    "cyclegan and stargan (their default).",
)
@click.option(
    "--n",
    "count",
    type=click.IntRange(min=2),  # a covariance needs two samples
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
    "--resize",
    type=click.Choice(["pytorch", "tf", "clean"]),
    default="pytorch",
    show_default=True,
    help="How images reach Inception's 299x299 input: as pytorch-fid, as the original "
    "TensorFlow FID code and torch-fidelity (to compare with published tables), or as clean-fid.",
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
@click.option(
    "--image-size",
    type=click.IntRange(min=1),
    help="With --real/--fake: resize both folders' images to this size first (default: each "
    "folder at its images' stored size).",
)
@click.option(
    "--classifier",
    metavar="DATASET",
    help="With --real/--fake and --features classifier: the dataset whose domain classifier "
    "gives the features (mnist, usps, fashion-mnist, cifar10, ...).",
)
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False),
    help="Where that dataset lives, to train its classifier on first use.",
)
@click.option("--device", default="cpu", show_default=True)
@click.option("--batch-size", type=int, default=50, show_default=True)
@click.option(
    "--seed",
    type=int,
    default=0,
    show_default=True,
    help="Seed of the generated latents (of the dropout noise for pix2pix).",
)
def evaluate_command(
    run_dir: str | None,
    metrics: str,
    count: int,
    features: str,
    ref: str,
    weights: str | None,
    resize: str,
    real: str | None,
    fake: str | None,
    image_size: int | None,
    classifier: str | None,
    data_dir: str | None,
    device: str,
    batch_size: int,
    seed: int,
) -> None:
    """Score RUN_DIR's generator (eval/<step>.json and metrics.jsonl), or --real vs --fake folders."""
    from gankit.runs.evaluate import evaluate_folders, evaluate_run, summary_lines

    names = [m.strip() for m in metrics.split(",") if m.strip()]
    if run_dir and (real or fake):
        raise click.UsageError("Give RUN_DIR, or --real and --fake, not both.")
    if run_dir and (classifier or data_dir or image_size):
        raise click.UsageError(
            "--classifier, --data-dir and --image-size are for --real/--fake folders; a run is "
            "scored at its own image size, with its own dataset's classifier (--features "
            "classifier)."
        )
    if run_dir:
        document = evaluate_run(
            run_dir,
            names,
            count,
            features,
            ref,
            weights,
            device,
            batch_size,
            True,
            seed,
            resize=resize,
        )
        click.echo(f"{document['method']} at step {document['step']}:")
    elif real and fake:
        if (features == "classifier") != (classifier is not None):
            raise click.UsageError(
                "Folders compared with classifier features need the classifier's dataset: "
                "--features classifier --classifier mnist (or usps, fashion-mnist, cifar10); "
                "--classifier goes with --features classifier only."
            )
        document = evaluate_folders(
            real,
            fake,
            names,
            None if count <= 0 else count,
            weights,
            device,
            batch_size,
            image_size=image_size,
            classifier=classifier,
            data_root=data_dir,
            resize=resize,
        )
        click.echo(f"{fake} against {real}:")
    else:
        raise click.UsageError("Give a RUN_DIR, or both --real DIR and --fake DIR.")
    # a run's eval/<step>.json also keeps the metrics of earlier evaluations: printed apart
    updated = set(document.get("updated", document["metrics"]))
    for line in summary_lines({k: v for k, v in document["metrics"].items() if k in updated}):
        click.echo("  " + line)
    kept = {k: v for k, v in document["metrics"].items() if k not in updated}
    if kept:
        click.echo(f"kept from an earlier evaluation (eval/{document['step']}.json):")
        for line in summary_lines(kept):
            click.echo("  " + line)


COMMANDS = [evaluate_command]
