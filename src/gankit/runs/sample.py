"""Samples from a trained run: grids, latent interpolations, toy scatter plots, class-conditional
grids and latent-code traversals; and individual samples as files for external tools."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any, cast

import numpy as np
import torch

from gankit.core.method import ConditionalSampler, Latent, Method, Traversable
from gankit.errors import ConfigError
from gankit.runs.launch import load_trained
from gankit.training.snapshots import render_samples
from gankit.viz.grid import save_image, to_uint8

DEFAULT_TRAVERSAL_STEPS = 10
FILE_FORMATS = ("png-dir", "npz")


def write_samples(
    run_dir: str | Path,
    n: int = 64,
    out: str | Path | None = None,
    seed: int = 0,
    interpolate: bool = False,
    steps: int | None = None,
    device: str = "cpu",
    use_ema: bool = True,
    label: int | None = None,
    per_class: bool = False,
    traverse: str | None = None,
    value_range: tuple[float, float] = (-2.0, 2.0),
) -> Path:
    """Draw samples from a run (EMA weights when kept) and write them to ``out``.

    - by default, ``n`` samples in a near-square grid;
    - ``interpolate``: each of ``n // steps`` rows walks the latent space from one random code to
      another in ``steps`` (8) images;
    - ``label``: ``n`` samples of one class (class-conditional runs, e.g. ``cgan``);
    - ``per_class``: one row per class, ``n // classes`` samples each (``n`` at least the
      number of classes);
    - ``traverse``: a latent code's traversal (``infogan``; e.g. ``c1``): one row per category,
      ``steps`` (10) columns as the code runs over ``value_range``.

    Samples are reproducible for a given ``seed``.
    """
    modes = [interpolate, label is not None, per_class, traverse is not None]
    if sum(modes) > 1:
        raise ConfigError("Choose one of --interpolate, --label, --per-class and --traverse.")
    method, _, net = load_trained(run_dir, device=device, use_ema=use_ema)
    rng = torch.Generator().manual_seed(seed)
    nrow: int | None = None
    if traverse is not None:
        codes = _capable(method, Traversable, "--traverse", "latent codes (infogan)")
        latent, nrow = codes.traversal(
            traverse, *value_range, steps or DEFAULT_TRAVERSAL_STEPS, rng
        )
        kind = f"traverse_{traverse}"
    elif per_class:
        conditional = _capable(method, ConditionalSampler, "--per-class", "class labels (cgan)")
        if n < conditional.num_classes:
            raise ConfigError(
                f"--per-class gives each class a row: {conditional.num_classes} classes need "
                f"-n {conditional.num_classes} or more, not {n}."
            )
        nrow = n // conditional.num_classes
        latent, kind = conditional.per_class_latent(nrow, rng), "per_class"
    elif label is not None:
        conditional = _capable(method, ConditionalSampler, "--label", "class labels (cgan)")
        latent, kind = (
            conditional.labelled_latent(torch.full((n,), label, dtype=torch.long), rng),
            f"label{label}",
        )
    elif interpolate:
        if method.spec.kind != "image":
            raise ConfigError("Latent interpolation grids are for image data; drop --interpolate.")
        nrow = steps or 8
        latent, kind = _interpolation(method, max(1, n // nrow), nrow, rng), "interpolation"
    else:
        latent, kind = method.sample_latent(n, rng), "sample"
    out = Path(out) if out else Path(run_dir) / "samples" / f"{kind}_seed{seed}.png"
    samples = method.generate(latent, net)
    render_samples(samples, method.spec, out, nrow=nrow)
    return out


def _interpolation(method: Method, rows: int, steps: int, rng: torch.Generator) -> Latent:
    start = method.sample_latent(rows, rng)
    end = method.sample_latent(rows, rng)
    path = method.interpolate_latents(start, end, steps)
    if isinstance(path, tuple):
        return tuple(part.flatten(0, 1) for part in path)
    return path.flatten(0, 1)


def _capable(method: Method, capability: type, flag: str, needs: str) -> Any:
    """``method`` itself, once it is known to have ``capability`` (a protocol of
    :mod:`gankit.core.method`); one line naming the flag otherwise."""
    if not isinstance(method, capability):
        raise ConfigError(
            f"{flag} needs a run whose generator takes {needs}; this run is "
            f"{method.cfg.method!r}. Drop {flag}."
        )
    return method


def write_sample_files(
    run_dir: str | Path,
    n: int,
    out: str | Path,
    file_format: str = "png-dir",
    seed: int = 0,
    label: int | None = None,
    batch_size: int = 250,
    device: str = "cpu",
    use_ema: bool = True,
    progress: bool = True,
) -> Path:
    """``n`` samples of a run as individual 8-bit images, for external metric tools.

    ``png-dir``: ``out/000000.png``, ``000001.png``, ... (grayscale or RGB); ``npz``: one file
    holding ``arr_0``, a uint8 array (N, H, W, C), the layout of OpenAI's and clean-fid's sample
    files. Samples are drawn ``batch_size`` at a time from latent codes seeded by ``seed`` (with
    ``label``, all of that class); pixel p in [-1, 1] becomes round((p + 1) * 127.5).
    """
    if file_format not in FILE_FORMATS:
        raise ConfigError(
            f"Unknown sample format {file_format!r}; use one of {', '.join(FILE_FORMATS)}."
        )
    out = Path(out)
    if file_format == "png-dir" and out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise ConfigError(
            f"{out} exists and is not an empty folder; pass a new --out folder for the PNG files."
        )
    method, _, net = load_trained(run_dir, device=device, use_ema=use_ema)
    if method.spec.kind != "image":
        raise ConfigError(
            f"Runs on {method.cfg.data.name} generate points, not images; use a grid."
        )
    rng = torch.Generator().manual_seed(seed)
    labelled = None
    if label is not None:
        labelled = _capable(
            method, ConditionalSampler, "--label", "class labels (cgan)"
        ).labelled_latent
    batches: Iterable[int] = [min(batch_size, n - start) for start in range(0, n, batch_size)]
    if progress:
        from rich.console import Console
        from rich.progress import track

        batches = track(batches, description=f"sampling {n}", console=Console(file=sys.stderr))
    written, arrays = 0, []
    for size in batches:
        if labelled is None:
            latent = method.sample_latent(size, rng)
        else:
            # labelled is set only when a label is given
            latent = labelled(torch.full((size,), cast(int, label), dtype=torch.long), rng)
        images = method.generate(latent, net)
        if file_format == "npz":
            arrays.append(to_uint8(images).permute(0, 2, 3, 1).numpy())  # N, H, W, C
            continue
        out.mkdir(parents=True, exist_ok=True)
        for image in images:
            save_image(image, out / f"{written:06d}.png")
            written += 1
    if file_format == "npz":
        out = out if out.suffix == ".npz" else out.with_name(out.name + ".npz")
        out.parent.mkdir(parents=True, exist_ok=True)
        temporary = out.with_name(f".{out.name}.{os.getpid()}.tmp")
        with open(temporary, "wb") as handle:
            np.savez(handle, arr_0=np.concatenate(arrays))
        os.replace(temporary, out)
    return out
