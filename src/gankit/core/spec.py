"""The shape of one sample (:class:`DataSpec`): what a dataset gives and a method builds from."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DataSpec:
    """The shape of one sample, as a method needs it to build its networks.

    ``kind`` is ``"image"`` (``shape`` is C, H, W; values in [-1, 1]), ``"points"`` (``shape``
    is D,; e.g. the toy 2-D mixtures) or ``"paired"`` (image-to-image data: ``input_shape`` is
    the input image's C, H, W, ``shape`` the target's, and ``targets`` how many valid targets
    each input has).
    """

    kind: str
    shape: tuple[int, ...]
    num_classes: int | None = None
    input_shape: tuple[int, ...] | None = None
    targets: int = 1

    def to_dict(self) -> dict:
        """Plain values (lists for shapes), as checkpoints store them."""
        return {
            "kind": self.kind,
            "shape": list(self.shape),
            "num_classes": self.num_classes,
            "input_shape": list(self.input_shape) if self.input_shape is not None else None,
            "targets": self.targets,
        }

    @classmethod
    def from_dict(cls, values: dict) -> DataSpec:
        input_shape = values.get("input_shape")
        return cls(
            values["kind"],
            tuple(values["shape"]),
            values.get("num_classes"),
            tuple(input_shape) if input_shape is not None else None,
            values.get("targets", 1),
        )
