"""What every dataset gives the rest of gankit: items, a shape, and a kind."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch.utils.data import Dataset

from gankit.errors import DataError


@dataclass(frozen=True)
class DataSpec:
    """The shape of one sample, as a method needs it to build its networks.

    ``kind`` is ``"image"`` (``shape`` is C, H, W; values in [-1, 1]) or ``"points"``
    (``shape`` is D,; e.g. the toy 2-D mixtures).
    """

    kind: str
    shape: tuple[int, ...]
    num_classes: int | None = None


class GanDataset(Dataset):
    """A map-style dataset of ``(x, label)`` pairs; ``label`` is -1 where there is none."""

    spec: DataSpec
    description: str = ""

    @property
    def in_memory(self) -> bool:
        """True when :attr:`tensors` holds the whole dataset, so batches can be sliced directly."""
        return False


class TensorDataset(GanDataset):
    """A dataset held in memory as one tensor of samples and one of labels."""

    def __init__(
        self,
        samples: torch.Tensor,
        labels: torch.Tensor | None,
        kind: str,
        num_classes: int | None = None,
        description: str = "",
    ) -> None:
        if labels is None:
            labels = torch.full((len(samples),), -1, dtype=torch.long)
        if len(labels) != len(samples):
            raise DataError(f"{len(samples)} samples but {len(labels)} labels: they must match.")
        self.samples = samples.float().contiguous()
        self.labels = labels.long()
        self.spec = DataSpec(kind, tuple(samples.shape[1:]), num_classes)
        self.description = description

    @property
    def in_memory(self) -> bool:
        return True

    @property
    def tensors(self) -> tuple[torch.Tensor, torch.Tensor]:
        return self.samples, self.labels

    def __len__(self) -> int:
        return len(self.samples)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, int]:
        return self.samples[index], int(self.labels[index])
