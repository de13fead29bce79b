"""Sample-quality metrics, found by name."""

from gankit.metrics.registry import METRICS
from gankit.metrics.toy2d import mode_coverage

METRICS.register(
    "toy2d", "Modes covered and % high-quality samples on the toy 2-D mixtures (VEEGAN protocol)."
)(mode_coverage)

__all__ = ["METRICS", "mode_coverage"]
