"""Samples from a trained run: grids, latent interpolations, toy scatter plots."""

from __future__ import annotations

from pathlib import Path

import torch

from gankit.errors import ConfigError
from gankit.train.launch import load_trained
from gankit.train.snapshots import render_samples


def write_samples(
    run_dir: str | Path,
    n: int = 64,
    out: str | Path | None = None,
    seed: int = 0,
    interpolate: bool = False,
    steps: int = 8,
    device: str = "cpu",
    use_ema: bool = True,
) -> Path:
    """Draw ``n`` samples from a run (EMA weights when kept) and write them to ``out``.

    With ``interpolate``, each of ``n // steps`` rows walks the latent space from one random code
    to another in ``steps`` images. Samples are reproducible for a given ``seed``.
    """
    method, _, net = load_trained(run_dir, device=device, use_ema=use_ema)
    generator = torch.Generator().manual_seed(seed)
    kind = "interpolation" if interpolate else "sample"
    out = Path(out) if out else Path(run_dir) / "samples" / f"{kind}_seed{seed}.png"
    if interpolate:
        if method.spec.kind != "image":
            raise ConfigError("Latent interpolation grids are for image data; drop --interpolate.")
        rows = max(1, n // steps)
        start = method.sample_latent(rows, generator)
        end = method.sample_latent(rows, generator)
        latent = method.interpolate_latents(start, end, steps).flatten(0, 1)
    else:
        latent = method.sample_latent(n, generator)
    samples = method.generate(latent, net)
    if interpolate:
        from gankit.viz.grid import make_grid, write_png

        write_png(make_grid(samples, nrow=steps), out)
    else:
        render_samples(samples, method.spec, out)
    return out
