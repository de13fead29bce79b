"""Samples from a fixed batch of noise, written at every sample interval.

Images become a grid (``samples/step_NNNNNN.png``). Points (the toy 2-D mixtures) become a
scatter plot over the mixture's modes, scored by mode coverage on the protocol's 2500 samples.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from gankit.config import RunConfig
from gankit.data.base import DataSpec
from gankit.methods.base import Method
from gankit.metrics.toy2d import PROTOCOL_NUM_SAMPLES, mode_coverage
from gankit.viz.grid import make_grid, write_png


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
    from gankit.viz.plots import scatter_points

    means = mixture.means if mixture is not None else None
    scatter_points(samples, path, means=means, title=path.stem)
    return None


class Snapshots:
    """The fixed inputs of a run's sample grids, and what to do with the samples drawn from them."""

    def __init__(self, cfg: RunConfig, method: Method, dataset: Any) -> None:
        self.method = method
        self.mixture = getattr(dataset, "mixture", None)
        count = PROTOCOL_NUM_SAMPLES if method.spec.kind == "points" else cfg.train.num_samples
        # A private RNG: drawing the fixed inputs must not move the training RNG streams.
        generator = torch.Generator().manual_seed(cfg.seed + 1)
        self.inputs = method.fixed_inputs(count, generator, dataset)

    def write(self, path: Path, net: nn.Module | None = None) -> tuple[np.ndarray | None, dict]:
        samples, nrow = self.method.render(self.inputs, net)
        pixels = render_samples(samples, self.method.spec, path, self.mixture, nrow)
        metrics: dict[str, float] = {}
        if self.mixture is not None:
            metrics = mode_coverage(samples, self.mixture.means, self.mixture.sigma)
        return pixels, metrics
