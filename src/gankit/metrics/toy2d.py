"""Mode coverage and sample quality on the toy 2-D Gaussian mixtures (ring8, grid25).

The protocol is VEEGAN's (Srivastava et al. 2017, "VEEGAN: Reducing mode collapse in GANs using
implicit variational learning", section 4.1), also used by PacGAN (Lin et al. 2018, section 5.1):
draw 2500 samples from the generator; a sample is *high quality* if it lies within three
standard deviations of the nearest mixture mean; a mode is *covered* if at least one high-quality
sample has it as its nearest mean. Papers average these numbers over several trained models.
"""

from __future__ import annotations

import numpy as np
import torch

from gankit.errors import GankitError

PROTOCOL_NUM_SAMPLES = 2500  # generator samples scored per model (VEEGAN, section 4.1)
HIGH_QUALITY_THRESHOLD = 3.0  # in standard deviations of the mixture components


def mode_coverage(
    samples: torch.Tensor | np.ndarray,
    means: torch.Tensor | np.ndarray,
    sigma: float,
    threshold: float = HIGH_QUALITY_THRESHOLD,
) -> dict[str, float | int]:
    """Modes covered and the high-quality fraction of ``samples`` (N, D) for mixture ``means``.

    Follows Srivastava et al. 2017 (VEEGAN, section 4.1) and Lin et al. 2018 (PacGAN, section
    5.1); ``threshold`` is in units of ``sigma`` (3 in both papers). Use
    :data:`PROTOCOL_NUM_SAMPLES` samples to compare with their tables.

    Returns ``{"modes_covered": int, "num_modes": int, "high_quality": float in [0, 1]}``.
    """
    samples, means = _as_float64(samples), _as_float64(means)
    if samples.ndim != 2 or means.ndim != 2 or samples.shape[1] != means.shape[1]:
        raise GankitError(
            f"mode_coverage needs samples (N, D) and means (K, D) with the same D; got samples "
            f"{tuple(samples.shape)} and means {tuple(means.shape)}. Pass generator outputs "
            "flattened to (N, D) and the dataset's mixture means."
        )
    if len(samples) == 0 or len(means) == 0:
        raise GankitError(
            f"mode_coverage needs at least one sample and one mean; got {len(samples)} samples "
            f"and {len(means)} means."
        )
    if not sigma > 0 or not threshold > 0:
        raise GankitError(
            f"mode_coverage needs sigma > 0 and threshold > 0; got sigma={sigma}, "
            f"threshold={threshold}."
        )
    # Exact pairwise distances: the matrix-product shortcut loses digits near the threshold.
    distances = torch.cdist(samples, means, compute_mode="donot_use_mm_for_euclid_dist")
    nearest_distance, nearest_mode = distances.min(dim=1)
    high_quality = nearest_distance <= threshold * sigma
    covered = torch.unique(nearest_mode[high_quality])
    return {
        "modes_covered": int(covered.numel()),
        "num_modes": int(len(means)),
        "high_quality": float(high_quality.double().mean()),
    }


def _as_float64(values: torch.Tensor | np.ndarray) -> torch.Tensor:
    if isinstance(values, torch.Tensor):
        return values.detach().to("cpu", torch.float64)
    return torch.from_numpy(np.array(values, dtype=np.float64))
