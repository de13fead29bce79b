"""`gankit sample`: image grids and latent interpolations from a trained run."""

from __future__ import annotations

import click


@click.command("sample")
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


COMMANDS = [sample_command]
