"""The small result types the metric functions return."""

from __future__ import annotations

from typing import NamedTuple


class MeanStd(NamedTuple):
    """A score averaged over subsets or splits, with the standard deviation across them."""

    mean: float
    std: float
