"""Plots of a run: loss curves and toy 2-D scatter plots (matplotlib, no display needed)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import torch  # noqa: E402


def plot_losses(records: Sequence[dict], path: str | Path, title: str = "") -> Path | None:
    """Loss curves (keys ending in ``loss``) above the other logged scalars, against step."""
    if not records:
        return None
    keys = sorted({k for r in records for k in r if k not in ("step", "time", "epoch")})
    losses = [k for k in keys if k.endswith("loss")]
    others = [k for k in keys if k not in losses and not k.startswith("lr")]
    panels = [group for group in (losses, others) if group]
    figure, axes = plt.subplots(len(panels), 1, figsize=(8, 3.2 * len(panels)), sharex=True)
    axes = [axes] if len(panels) == 1 else axes
    for ax, group in zip(axes, panels):
        for key in group:
            points = [(r["step"], r[key]) for r in records if key in r]
            ax.plot(*zip(*points), label=key, linewidth=1)
        ax.legend(loc="upper right", fontsize="small")
        ax.grid(alpha=0.3)
    axes[0].set_title(title)
    axes[-1].set_xlabel("step")
    figure.tight_layout()
    path = Path(path)
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return path


def scatter_points(
    points: torch.Tensor,
    path: str | Path,
    means: torch.Tensor | None = None,
    title: str = "",
) -> Path:
    """Generated 2-D points (blue), with the mixture's means (red crosses) when given."""
    figure, ax = plt.subplots(figsize=(5, 5))
    data = points.detach().float().cpu()
    ax.scatter(data[:, 0], data[:, 1], s=2, alpha=0.4, color="tab:blue", label="generated")
    if means is not None:
        ax.scatter(means[:, 0], means[:, 1], marker="x", s=60, color="tab:red", label="modes")
        span = float(means.abs().max()) * 1.5 + 0.5
        ax.set_xlim(-span, span)
        ax.set_ylim(-span, span)
    ax.set_aspect("equal")
    ax.set_title(title)
    ax.legend(loc="upper right", fontsize="small")
    figure.tight_layout()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return path
