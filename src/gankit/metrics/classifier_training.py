"""Training a domain classifier once, on a dataset's train split, and measuring its accuracy.

Adam (lr 1e-3) with cross-entropy, batch 128, a fixed seed, on the CPU or GPU given. The budget
is small on purpose: 60,000 images seen by default (one pass over MNIST, three over the shared
CIFAR-10 copy, about 40 over digits), about a minute on two CPU cores at 28x28. The classifier
only needs to be a good, fixed feature extractor, trained at most once per dataset and size. The
accuracy is measured on the test split; a dataset without one (``digits``) holds out a fixed
20% of its train split instead, and the split used is recorded with the accuracy.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterable
from typing import cast

import torch
import torch.nn.functional as F

from gankit.config import DataConfig
from gankit.data import build_dataset
from gankit.data.base import InMemoryDataset
from gankit.errors import DataError
from gankit.metrics.classifier_net import DomainClassifier, TrainedClassifier

logger = logging.getLogger(__name__)

TRAIN_IMAGES = 60_000
BATCH_SIZE = 128
LEARNING_RATE = 1e-3
HELD_OUT_FRACTION = 0.2
SEED = 0


def train_classifier(
    data: DataConfig,
    train_images: int | None = None,
    batch_size: int = BATCH_SIZE,
    seed: int = SEED,
    device: str | torch.device = "cpu",
    progress: bool = False,
) -> TrainedClassifier:
    """Train a :class:`DomainClassifier` on ``data``'s dataset (native channels, its size).

    Trains for ``train_images`` images (:data:`TRAIN_IMAGES` when None), rounded to whole
    batches of ``batch_size``, reshuffling the train split at every pass. The global RNG is left
    as it was.
    """
    config = dataclasses.replace(data, split="train", channels=None)
    train = build_dataset(config)
    if not getattr(train, "in_memory", False) or train.spec.num_classes is None:
        raise DataError(
            f"Dataset {data.name!r} is not an in-memory labelled image dataset, so no domain "
            "classifier can be trained on it; use --features inception."
        )
    images, labels = cast(InMemoryDataset, train).tensors  # in_memory, checked above
    test_images, test_labels, accuracy_split = _test_split(config, train)
    if accuracy_split.startswith("held-out"):
        images, labels = images[: -len(test_images)], labels[: -len(test_images)]
    device = torch.device(device)
    steps = max(1, round((train_images or TRAIN_IMAGES) / batch_size))
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        net = DomainClassifier(images.shape[1], train.spec.num_classes).to(device)
        optimizer = torch.optim.Adam(net.parameters(), lr=LEARNING_RATE)
        order = torch.randperm(len(images))
        position = 0
        net.train()
        for _ in _steps(steps, f"training the {data.name} domain classifier", progress):
            if position + batch_size > len(order):
                order, position = torch.randperm(len(images)), 0
            index = order[position : position + batch_size]
            position += batch_size
            _, logits = net(images[index].to(device))
            loss = F.cross_entropy(logits, labels[index].to(device))
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
    net.requires_grad_(False).eval()
    accuracy = _accuracy(net, test_images, test_labels, device)
    _, height, width = images.shape[1:]
    return TrainedClassifier(
        net.cpu(),
        data.name,
        data.image_size if data.image_size is not None else height,
        images.shape[1],
        train.spec.num_classes,
        accuracy,
        accuracy_split,
        steps * batch_size,
    )


def _steps(count: int, description: str, progress: bool) -> Iterable[int]:
    """``range(count)``, with a progress bar when ``progress`` (first use takes minutes)."""
    if not progress:
        return range(count)
    from rich.progress import track

    return track(range(count), description=description, transient=True)


def _test_split(config: DataConfig, train) -> tuple[torch.Tensor, torch.Tensor, str]:
    """The test split's images and labels, or a fixed held-out 20% of the train split."""
    try:
        test = build_dataset(dataclasses.replace(config, split="test"))
    except DataError as exc:
        count = max(1, int(len(train) * HELD_OUT_FRACTION))
        images, labels = train.tensors
        logger.info(
            "No test split for %s (%s); holding out %d train images", config.name, exc, count
        )
        return images[-count:], labels[-count:], f"held-out last {count} of train"
    images, labels = cast(InMemoryDataset, test).tensors  # another split of the train set's data
    return images, labels, "test"


def _accuracy(
    net: DomainClassifier, images: torch.Tensor, labels: torch.Tensor, device: torch.device
) -> float:
    correct = 0
    with torch.inference_mode():
        for batch, batch_labels in zip(images.split(500), labels.split(500)):
            _, logits = net(batch.to(device))
            correct += int((logits.argmax(dim=1).cpu() == batch_labels).sum())
    return correct / len(images)
