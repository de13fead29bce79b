"""`gankit refine`: gradient-layer refinement of a trained run's samples (Nitanda & Suzuki 2018)."""

from __future__ import annotations

import click


@click.command("refine")
@click.argument("run_dir", type=click.Path(exists=True))
@click.option("--steps", type=int, default=10, show_default=True, help="Gradient layers T.")
@click.option(
    "--eta",
    type=float,
    default=0.5,
    show_default=True,
    help="Step size of each layer. 0.5 suits WGAN-GP critics (gradient norm about 1); "
    "non-saturating critics have steeper gradients and need far less (1e-3 on ring8).",
)
@click.option(
    "--critic-steps",
    type=int,
    default=0,
    show_default=True,
    help="Critic updates T_0 before each layer (Algorithm 2); 0 uses the trained critic as is.",
)
@click.option(
    "--split-layer",
    default="output",
    show_default=True,
    help="Where the layers act: output (after the generator) or a layer of its body, e.g. "
    "net.3 (the gradient then goes through the rest of the generator).",
)
@click.option("--out", type=click.Path(file_okay=False), help="Folder (default: RUN/refined).")
@click.option(
    "-n",
    "count",
    type=click.IntRange(min=2),
    help="Samples to refine and score [2000 images, 2500 toy].",
)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option(
    "--critic-lr",
    type=click.FloatRange(min=0, min_open=True),
    default=1e-4,
    show_default=True,
    help="Adam, for T_0 > 0.",
)
@click.option("--device", default="cpu", show_default=True)
@click.option("--no-metrics", is_flag=True, help="Write the grids only (no FID, no mode coverage).")
def refine_command(
    run_dir: str,
    steps: int,
    eta: float,
    critic_steps: int,
    split_layer: str,
    out: str | None,
    count: int | None,
    seed: int,
    critic_lr: float,
    device: str,
    no_metrics: bool,
) -> None:
    """Refine RUN_DIR's samples by gradient layers x <- x + eta grad D(x); write before/after."""
    from pathlib import Path

    from gankit.runs.refine import refine_run

    if steps < 1 or critic_steps < 0:
        raise click.UsageError("--steps must be at least 1 and --critic-steps at least 0.")
    folder = Path(out) if out else Path(run_dir) / "refined"
    result = refine_run(run_dir, steps, eta, folder, critic_steps, count, seed, critic_lr, device,
                        metrics=not no_metrics, split_layer=split_layer)  # fmt: skip
    click.echo(f"Wrote {folder}/before.png, after.png, metrics.json, gradient_layers.pt")
    score = result["last_critic_score"]
    click.echo(f"  score by the last critic: {score['before']:.4g} -> {score['after']:.4g}")
    if "toy2d" in result:
        before, after = result["toy2d"]["before"], result["toy2d"]["after"]
        click.echo(
            f"  modes covered: {before['modes_covered']} -> {after['modes_covered']} of "
            f"{after['num_modes']}; high quality: {before['high_quality']:.1%} -> "
            f"{after['high_quality']:.1%}"
        )
    if "fid" in result:
        fid = result["fid"]
        click.echo(f"  FID ({fid['features']}): {fid['before']:.4g} -> {fid['after']:.4g}")


COMMANDS = [refine_command]
