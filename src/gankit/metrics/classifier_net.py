"""The domain classifier network and its trained, saved form (see :mod:`.classifier`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch import nn

from gankit.errors import CheckpointError
from gankit.metrics.cache import state_dict_sha256

FORMAT = "gankit-domain-classifier"
VERSION = 1
FEATURE_DIM = 128


class DomainClassifier(nn.Module):
    """Three 3x3 conv blocks (32, 64, 64 channels, BatchNorm, ReLU) with two 2x2 max pools, an
    average pool to 2x2 (any input size from 8x8 up), a 256 -> 128 layer whose ReLU outputs are
    the features, and a linear layer to the class logits."""

    def __init__(self, channels: int, num_classes: int) -> None:
        super().__init__()

        def block(c_in: int, c_out: int) -> list[nn.Module]:
            return [nn.Conv2d(c_in, c_out, 3, padding=1), nn.BatchNorm2d(c_out), nn.ReLU()]

        self.body = nn.Sequential(
            *block(channels, 32),
            nn.MaxPool2d(2),
            *block(32, 64),
            nn.MaxPool2d(2),
            *block(64, 64),
            nn.AdaptiveAvgPool2d(2),
            nn.Flatten(),
            nn.Linear(64 * 4, FEATURE_DIM),
            nn.ReLU(),
        )
        self.head = nn.Linear(FEATURE_DIM, num_classes)

    def forward(self, images: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Penultimate features (N, 128) and class logits (N, K) of images in [-1, 1]."""
        features = self.body(images)
        return features, self.head(features)


@dataclass
class TrainedClassifier:
    """A domain classifier with what it was trained on and how well it classifies."""

    net: DomainClassifier
    dataset: str
    image_size: int
    channels: int
    num_classes: int
    accuracy: float
    accuracy_split: str
    train_images: int

    @property
    def weights_sha256(self) -> str:
        return state_dict_sha256(self.net.state_dict())

    def to_state(self) -> dict[str, Any]:
        """Plain tensors and numbers, for ``save_atomic`` and ``weights_only`` loading."""
        return {
            "format": FORMAT,
            "version": VERSION,
            "state_dict": self.net.state_dict(),
            "dataset": self.dataset,
            "image_size": self.image_size,
            "channels": self.channels,
            "num_classes": self.num_classes,
            "accuracy": self.accuracy,
            "accuracy_split": self.accuracy_split,
            "train_images": self.train_images,
        }

    @classmethod
    def from_state(cls, state: dict[str, Any], source: Path | str) -> TrainedClassifier:
        if not isinstance(state, dict) or state.get("format") != FORMAT:
            raise CheckpointError(f"{source} is not a gankit domain classifier; delete it.")
        net = DomainClassifier(state["channels"], state["num_classes"])
        net.load_state_dict(state["state_dict"])
        net.requires_grad_(False).eval()
        fields = ("dataset", "image_size", "channels", "num_classes", "accuracy",
                  "accuracy_split", "train_images")  # fmt: skip
        return cls(net, *(state[name] for name in fields))
