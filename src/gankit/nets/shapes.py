"""Shape helpers shared by the convolutional nets: which images they can make, in how many steps."""

from __future__ import annotations

from collections.abc import Iterable

from gankit.core.spec import DataSpec
from gankit.errors import ConfigError


def square_image(spec: DataSpec, family: str) -> tuple[int, int]:
    """``(channels, size)`` of the square images ``spec`` describes; anything else is refused."""
    if spec.kind != "image" or len(spec.shape) != 3 or spec.shape[1] != spec.shape[2]:
        raise ConfigError(
            f"{family} nets need square images, but the data has {spec.kind} samples of shape "
            f"{spec.shape}. Use nets=mlp for points, or set data.image_size."
        )
    return spec.shape[0], spec.shape[1]


def pyramid(size: int, bases: Iterable[int], family: str, min_levels: int = 1) -> tuple[int, int]:
    """``(base, levels)`` with ``base * 2**levels == size``, the fewest levels whose base fits.

    A net that starts from a ``base`` x ``base`` map and doubles its size ``levels`` times makes
    ``size`` x ``size`` images; ``bases`` are the starting sizes the net supports.
    """
    bases = set(bases)
    for levels in range(min_levels, 12):
        base, remainder = divmod(size, 2**levels)
        if remainder == 0 and base in bases:
            return base, levels
        if base < min(bases):
            break
    examples = sorted({b * 2**k for b in bases for k in range(max(min_levels, 1), 5)})[:8]
    raise ConfigError(
        f"{family} nets cannot make {size}x{size} images: the size must be one of "
        f"{sorted(bases)} times a power of two (e.g. {', '.join(map(str, examples))}). "
        f"Set data.image_size to one of those."
    )
