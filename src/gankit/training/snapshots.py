"""Samples from a fixed batch of noise, written at every sample interval.

Images become a grid (``samples/step_NNNNNN.png``). Points (the toy 2-D mixtures) become a
scatter plot over the mixture's modes, scored by mode coverage on the protocol's 2500 samples.

Translation methods (pix2pix, cyclegan, stargan: a :class:`gankit.core.method.Translator`)
also get a grid of fixed *held-out* inputs at every sample step,
``samples/heldout/step_NNNNNN.png``, laid out as the training grid (pix2pix: input | output |
target), so over-fitting shows beside training progress (Tucker 2022, section 5: the validation
image translated after every generation; Gao 2020, §6.0.1: watch the generated images of the
training and the test sets). The held-out split is ``data.val_split``, else ``test`` (see
:func:`gankit.training.validation.heldout_dataset`); a dataset with neither gets one line on
stderr and the training grid alone. The held-out grid is drawn on a forked RNG, so a run trains
bit-identically with and without it.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from gankit.config import RunConfig
from gankit.core.method import Method, Translator
from gankit.core.spec import DataSpec
from gankit.errors import DataError, GankitError
from gankit.metrics.toy2d import PROTOCOL_NUM_SAMPLES, mode_coverage
from gankit.training.run_folder import RunFolder
from gankit.training.validation import heldout_dataset
from gankit.viz.grid import make_grid, write_png

HELDOUT_FOLDER = "heldout"  # samples/heldout/step_NNNNNN.png
SATURATED = 0.999  # |pixel| at or above this (in [-1, 1]) counts as saturated


def render_samples(
    samples: torch.Tensor,
    spec: DataSpec,
    path: Path,
    mixture: Any = None,
    nrow: int | None = None,
) -> np.ndarray | None:
    """Write ``samples`` to ``path`` as an image grid (returned) or a 2-D scatter plot."""
    if samples.dim() == 4:
        grid = make_grid(samples, nrow=nrow or math.ceil(math.sqrt(len(samples))))
        write_png(grid, path)
        return grid
    from gankit.viz.plots import scatter_points  # matplotlib, only for 2-D runs

    means = mixture.means if mixture is not None else None
    scatter_points(samples, path, means=means, title=path.stem)
    return None


def _saturated_data(dataset: Any, count: int = 64) -> bool:
    """Whether the first ``count`` training images are themselves all at -1 or 1."""
    images = [dataset[i][0] for i in range(min(count, len(dataset)))]
    return all(bool((torch.as_tensor(x).abs() >= SATURATED).all()) for x in images)


class Snapshots:
    """The fixed inputs of a run's sample grids, and what to do with the samples drawn from them."""

    def __init__(self, cfg: RunConfig, method: Method, dataset: Any) -> None:
        self.method = method
        self.mixture = getattr(dataset, "mixture", None)
        count = PROTOCOL_NUM_SAMPLES if method.spec.kind == "points" else cfg.train.num_samples
        # A private RNG: drawing the fixed inputs must not move the training RNG streams.
        rng = torch.Generator().manual_seed(cfg.seed + 1)
        self.inputs = method.fixed_inputs(count, rng, dataset)
        # Only a generator's own grid can saturate (a translation grid shows real images too),
        # and only data that is not itself all -1 and 1 (binarised images) can tell.
        self.watch_saturation = (
            method.spec.kind == "image"
            and not isinstance(method, Translator)
            and not _saturated_data(dataset)
        )
        self.saturated = False  # the last grid's every pixel was at -1 or 1

    def write(self, path: Path, net: nn.Module | None = None) -> tuple[np.ndarray | None, dict]:
        samples, nrow = self.method.render(self.inputs, net)
        if self.watch_saturation:
            self.saturated = bool((samples.abs() >= SATURATED).all())
        pixels = render_samples(samples, self.method.spec, path, self.mixture, nrow)
        metrics: dict[str, float] = {}
        if self.mixture is not None:
            metrics = mode_coverage(samples, self.mixture.means, self.mixture.sigma)
        return pixels, metrics


class HeldOutSnapshots(Snapshots):
    """The same grid from fixed inputs of the held-out split, drawn on a forked RNG."""

    def write(self, path: Path, net: nn.Module | None = None) -> tuple[np.ndarray | None, dict]:
        device = self.method.device
        with torch.random.fork_rng([device] if device.type == "cuda" else []):
            return super().write(path, net)


def heldout_path(run: RunFolder, step: int) -> Path:
    """``samples/heldout/step_NNNNNN.png``: beside the training grid of the same step."""
    return run.samples / HELDOUT_FOLDER / run.sample_path(step).name


def heldout_snapshots(
    cfg: RunConfig, method: Method, dataset: Any, validation: Any = None
) -> HeldOutSnapshots | None:
    """The held-out grids of a translation method; None for other methods, or (with one line on
    stderr) when the dataset has no readable held-out split. ``validation``: the
    ``data.val_split`` dataset when validation already built it."""
    if not isinstance(method, Translator):
        return None
    data = cfg.data
    try:
        if validation is not None and data.val_split != data.split:
            split, heldout = data.val_split, validation
        else:
            split, heldout = heldout_dataset(data)
        if _layout(heldout.spec) != _layout(dataset.spec):
            raise DataError(
                f"the {split!r} split holds {heldout.spec.shape} images but training "
                f"{dataset.spec.shape}; set data.image_size and data.channels to one size."
            )
        return HeldOutSnapshots(cfg, method, heldout)
    except GankitError as exc:
        print(
            f"No held-out sample grids: {exc} Only the training grids samples/step_NNNNNN.png "
            f"are written; set data.val_split to a held-out split for samples/heldout/.",
            file=sys.stderr,
            flush=True,
        )
        return None


def _layout(spec: DataSpec) -> tuple:
    return spec.kind, tuple(spec.shape), spec.input_shape and tuple(spec.input_shape)
