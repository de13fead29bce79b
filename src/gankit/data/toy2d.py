"""Toy 2-D Gaussian mixtures for studying mode collapse: ring8 and grid25.

The two sets follow the PacGAN code (Lin et al. 2018, "PacGAN: The power of two samples in
generative adversarial networks", section 5.1 and its ``config.py``), which reuses the set-up of
VEEGAN (Srivastava et al. 2017, section 4): a mixture of equally weighted isotropic Gaussians,

- ring8: 8 means on the unit circle, (cos 2 pi k/8, sin 2 pi k/8), sigma 0.01;
- grid25: 25 means on {-4, -2, 0, 2, 4}^2, sigma 0.05.

Each dataset is a fixed sample (PacGAN trains on 100,000 points) drawn with its own seeded
generator, so two runs with the same seed see the same points whatever else uses the global RNG.
The mixture travels with the dataset (``dataset.mixture``) so that
:func:`gankit.metrics.toy2d.mode_coverage` can score generated samples against it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal, overload

import torch

from gankit.config import DataConfig
from gankit.data.base import TensorDataset
from gankit.data.registry import DATASETS
from gankit.errors import DataError

DEFAULT_NUM_SAMPLES = 100_000
RING8_SIGMA = 0.01
GRID25_SIGMA = 0.05


@dataclass(frozen=True)
class GaussianMixture2D:
    """Equally weighted isotropic Gaussians: ``means`` (K, 2) and one standard deviation."""

    means: torch.Tensor
    sigma: float

    @property
    def num_modes(self) -> int:
        return len(self.means)

    def sample(self, count: int, rng: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
        """``count`` points (count, 2) and the index of the mode each was drawn from."""
        modes = torch.randint(self.num_modes, (count,), generator=rng)
        noise = torch.randn((count, self.means.shape[1]), generator=rng)
        return self.means[modes] + self.sigma * noise, modes


class MixtureDataset(TensorDataset):
    """A fixed sample of a :class:`GaussianMixture2D`; labels are the modes of the points."""

    def __init__(self, mixture: GaussianMixture2D, count: int, seed: int, name: str) -> None:
        rng = torch.Generator().manual_seed(seed)
        points, modes = mixture.sample(count, rng)
        super().__init__(
            points,
            modes,
            kind="points",
            num_classes=mixture.num_modes,
            description=(
                f"{name}: {count} points from {mixture.num_modes} Gaussians, "
                f"sigma {mixture.sigma:g}, seed {seed}"
            ),
        )
        self.mixture = mixture


def ring_means(num_modes: int = 8, radius: float = 1.0) -> torch.Tensor:
    """``num_modes`` points evenly spaced on a circle, the first at (radius, 0)."""
    angles = torch.arange(num_modes, dtype=torch.float64) * (2 * math.pi / num_modes)
    return (radius * torch.stack([angles.cos(), angles.sin()], dim=1)).float()


def grid_means(values: tuple[float, ...] = (-4.0, -2.0, 0.0, 2.0, 4.0)) -> torch.Tensor:
    """Every (x, y) with x and y from ``values``, row by row: (len(values)^2, 2)."""
    axis = torch.tensor(values, dtype=torch.float32)
    xs, ys = torch.meshgrid(axis, axis, indexing="ij")
    return torch.stack([xs.flatten(), ys.flatten()], dim=1)


def _mixture_dataset(
    cfg: DataConfig, name: str, means: torch.Tensor, n_samples: int, sigma: float, seed: int
) -> MixtureDataset:
    if cfg.split != "train":
        raise DataError(
            f"Dataset {name!r} has no {cfg.split!r} split: it is one fixed sample. Use "
            f"data.split=train; for fresh points use another seed (data.options.seed)."
        )
    if cfg.image_size is not None or cfg.channels is not None:
        raise DataError(
            f"Dataset {name!r} holds 2-D points, not images, so data.image_size and "
            "data.channels do not apply; set them to null."
        )
    n_samples = _option_number(name, "n_samples", n_samples, whole=True)
    sigma = _option_number(name, "sigma", sigma, whole=False)
    seed = _option_number(name, "seed", seed, whole=True)
    if n_samples < 1 or not sigma > 0:
        raise DataError(
            f"{name}: n_samples and sigma must be positive, got n_samples={n_samples} and "
            f"sigma={sigma}; set data.options.n_samples / data.options.sigma."
        )
    return MixtureDataset(GaussianMixture2D(means, sigma), n_samples, seed, name)


@overload
def _option_number(dataset: str, option: str, value: object, whole: Literal[True]) -> int: ...
@overload
def _option_number(dataset: str, option: str, value: object, whole: Literal[False]) -> float: ...
def _option_number(dataset: str, option: str, value: object, whole: bool) -> float | int:
    """An option given as a number or numeric text (YAML reads ``1e-2`` as text)."""
    try:
        number = float(value) if isinstance(value, (str, int, float)) else math.nan
    except ValueError:
        number = math.nan
    if isinstance(value, bool) or math.isnan(number) or (whole and not number.is_integer()):
        kind = "a whole number" if whole else "a number"
        raise DataError(f"{dataset}: data.options.{option} must be {kind}, got {value!r}.")
    return int(number) if whole else number


POINT_DATASETS = frozenset({"ring8", "grid25"})  # 2-D points, not images


@DATASETS.register("ring8")
def ring8_dataset(
    cfg: DataConfig,
    n_samples: int = DEFAULT_NUM_SAMPLES,
    sigma: float = RING8_SIGMA,
    seed: int = 0,
) -> MixtureDataset:
    """8 Gaussians on the unit circle, sigma 0.01 (PacGAN / VEEGAN toy set); 2-D points."""
    return _mixture_dataset(cfg, "ring8", ring_means(8), n_samples, sigma, seed)


@DATASETS.register("grid25")
def grid25_dataset(
    cfg: DataConfig,
    n_samples: int = DEFAULT_NUM_SAMPLES,
    sigma: float = GRID25_SIGMA,
    seed: int = 0,
) -> MixtureDataset:
    """25 Gaussians on a 5x5 grid {-4,...,4}^2, sigma 0.05 (PacGAN / VEEGAN toy set); 2-D points."""
    return _mixture_dataset(cfg, "grid25", grid_means(), n_samples, sigma, seed)
