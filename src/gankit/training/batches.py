"""An endless, resumable stream of training batches.

Each epoch visits the dataset in a permutation drawn from ``(seed, epoch)`` alone, so the
stream's position is two integers (epoch, batch within the epoch) and a resumed run sees exactly
the batches the uninterrupted run would have seen. In-memory datasets are sliced directly (on the
training device); datasets read from disk go through a DataLoader with workers.

The permutation comes from PyTorch's DistributedSampler: with several processes (torchrun) every
rank draws the same permutation and takes its own slice of it (padded by repetition to an equal
length), so the ranks see disjoint shards and reach the end of an epoch at the same step. With
one process the slice is the whole permutation.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, cast

import torch
from torch.utils.data import DataLoader, DistributedSampler, Sampler, default_collate

from gankit.data.base import GanDataset, InMemoryDataset
from gankit.errors import DataError

Batch = tuple[torch.Tensor, torch.Tensor]


class _EpochBatches(Sampler[list[int]]):
    """The batches of one epoch, starting at batch ``start``."""

    def __init__(self, order: torch.Tensor, batch_size: int, start: int) -> None:
        self.order, self.batch_size, self.start = order, batch_size, start

    def __len__(self) -> int:
        return len(self.order) // self.batch_size - self.start

    def __iter__(self) -> Iterator[list[int]]:
        for b in range(self.start, len(self.order) // self.batch_size):
            yield self.order[b * self.batch_size : (b + 1) * self.batch_size].tolist()


class BatchStream:
    """Batches forever, epoch after epoch; ``state_dict`` records where it is."""

    def __init__(
        self,
        dataset: GanDataset,
        batch_size: int,
        seed: int,
        device: torch.device,
        num_workers: int = 0,
        rank: int = 0,
        world_size: int = 1,
    ) -> None:
        # Epoch e of seed s is shuffled by generator seed s * 1_000_003 + e: nearby seeds never meet.
        self.sampler: DistributedSampler[Any] = DistributedSampler(
            dataset, num_replicas=world_size, rank=rank, shuffle=True, seed=seed * 1_000_003
        )
        if self.sampler.num_samples < batch_size:
            share = f", {self.sampler.num_samples} per process," if world_size > 1 else ""
            raise DataError(
                f"The dataset has {len(dataset)} samples{share} fewer than one batch of "
                f"{batch_size}. Lower data.batch_size or add data."
            )
        self.dataset, self.batch_size, self.seed = dataset, batch_size, seed
        self.device, self.num_workers = torch.device(device), num_workers
        self.epoch, self.index = 0, 0
        self.memory_format: torch.memory_format | None = None  # e.g. torch.channels_last
        self._iterator: Iterator[Batch] | None = None
        if dataset.in_memory:
            samples, labels = cast(InMemoryDataset, dataset).tensors
            self._tensors = (samples.to(self.device), labels.to(self.device))

    @property
    def batches_per_epoch(self) -> int:
        return self.sampler.num_samples // self.batch_size

    def __iter__(self) -> BatchStream:
        return self

    def __next__(self) -> Batch:
        if self._iterator is None:
            self._iterator = self._epoch_iterator()
        try:
            batch = next(self._iterator)
        except StopIteration:
            self.epoch, self.index = self.epoch + 1, 0
            self._iterator = self._epoch_iterator()
            batch = next(self._iterator)
        self.index += 1
        return self._formatted(batch)

    def first(self, n: int) -> Batch:
        """The dataset's first ``n`` samples as one batch, made as the stream makes its batches
        (on its device, in its memory format, copies of the data), without moving the stream."""
        if self.dataset.in_memory:
            samples, labels = self._tensors
            return self._formatted((samples[:n].clone(), labels[:n].clone()))
        samples, labels = default_collate([self.dataset[i] for i in range(n)])
        return self._formatted((samples.to(self.device), labels.to(self.device)))

    def _formatted(self, batch: Batch) -> Batch:
        if self.memory_format is not None and batch[0].dim() == 4:
            batch = (batch[0].contiguous(memory_format=self.memory_format), batch[1])
        return batch

    def _epoch_iterator(self) -> Iterator[Batch]:
        self.sampler.set_epoch(self.epoch)
        order = torch.tensor(list(self.sampler))
        if self.dataset.in_memory:
            return self._slices(order)
        loader = DataLoader(
            self.dataset,
            batch_sampler=_EpochBatches(order, self.batch_size, self.index),
            num_workers=self.num_workers,
            pin_memory=self.device.type == "cuda",
        )
        return ((x.to(self.device, non_blocking=True), y.to(self.device)) for x, y in loader)

    def _slices(self, order: torch.Tensor) -> Iterator[Batch]:
        samples, labels = self._tensors
        order = order.to(self.device)
        for b in range(self.index, self.batches_per_epoch):
            index = order[b * self.batch_size : (b + 1) * self.batch_size]
            yield samples[index], labels[index]

    def state_dict(self) -> dict[str, int]:
        return {"epoch": self.epoch, "index": self.index}

    def load_state_dict(self, state: dict[str, int]) -> None:
        self.epoch, self.index = int(state["epoch"]), int(state["index"])
        self._iterator = None
