"""What every dataset gives the rest of gankit: items, a shape, and a kind."""

from __future__ import annotations

from typing import TYPE_CHECKING

import torch
from torch.utils.data import Dataset

from gankit.core.spec import DataSpec
from gankit.errors import DataError


class GanDataset(Dataset):
    """A map-style dataset of ``(x, label)`` pairs; ``label`` is -1 where there is none."""

    spec: DataSpec
    description: str = ""

    if TYPE_CHECKING:  # every subclass defines it; torch's Dataset leaves it out

        def __len__(self) -> int: ...

    @property
    def in_memory(self) -> bool:
        """True when :attr:`tensors` holds the whole dataset, so batches can be sliced directly."""
        return False


class InMemoryDataset(GanDataset):
    """A dataset whose :attr:`tensors` (two, first axis the sample) hold all of it; each
    subclass says which two tensors those are."""

    if TYPE_CHECKING:  # a property of each subclass (a plugin's may set an attribute)

        @property
        def tensors(self) -> tuple[torch.Tensor, torch.Tensor]: ...

    @property
    def in_memory(self) -> bool:
        return True

    def __len__(self) -> int:
        return len(self.tensors[0])


class TensorDataset(InMemoryDataset):
    """A dataset held in memory as one tensor of samples and one of labels."""

    # set on the multidomain datasets alone: each sample's label in its own dataset, and the
    # names of the datasets used as domains
    class_labels: torch.Tensor
    domain_names: list[str]

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
    def tensors(self) -> tuple[torch.Tensor, torch.Tensor]:
        return self.samples, self.labels

    def __getitem__(self, index: int) -> tuple[torch.Tensor, int]:
        return self.samples[index], int(self.labels[index])


class PairedTensorDataset(InMemoryDataset):
    """Image pairs in memory: inputs (N, C_a, H, W) and targets (N, k, C_b, H, W), k >= 1.

    Items and batches are ``(input, targets)``; several targets per input (one photo, five
    sketches) keep their own axis.
    """

    def __init__(self, inputs: torch.Tensor, targets: torch.Tensor, description: str = "") -> None:
        if targets.dim() == 4:
            targets = targets.unsqueeze(1)
        if len(inputs) != len(targets) or inputs.shape[-2:] != targets.shape[-2:]:
            raise DataError(
                f"Inputs {tuple(inputs.shape)} and targets {tuple(targets.shape)} do not pair up: "
                "they need the same count and image size."
            )
        self.inputs, self.targets = inputs.float().contiguous(), targets.float().contiguous()
        self.spec = DataSpec(
            "paired",
            tuple(targets.shape[2:]),
            input_shape=tuple(inputs.shape[1:]),
            targets=targets.shape[1],
        )
        self.description = description

    @property
    def tensors(self) -> tuple[torch.Tensor, torch.Tensor]:
        return self.inputs, self.targets

    def __getitem__(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:
        return self.inputs[index], self.targets[index]
