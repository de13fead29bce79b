"""Feature extractors and the feature sets they produce, for the set-level metrics.

A :class:`FeatureExtractor` turns gankit images (float (N, C, H, W) in [-1, 1]) into feature
vectors, and says what it is: a name, the SHA-256 of its weights and how it resizes. Those go
into every result's protocol, because a different network, weights file or resize method is the
most common reason two toolkits' FIDs disagree. The metrics take a :class:`FeatureSet` (features
and, for the Inception Score, logits) or anything :func:`as_feature_set` can turn into one.
"""

from __future__ import annotations

import contextlib
import sys
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import torch

from gankit.errors import ConfigError, GankitError
from gankit.metrics.inception import FEATURE_DIM, InceptionV3
from gankit.metrics.inception_weights import load_inception
from gankit.metrics.resize import resize_protocol

PRECISIONS = {"float32": None, "bfloat16": torch.bfloat16}


@dataclass
class FeatureSet:
    """Features (N, D) of a set of images, their logits (N, K) when the extractor has them."""

    features: np.ndarray
    logits: np.ndarray | None = None
    protocol: dict[str, Any] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.features)

    @cached_property
    def mean(self) -> np.ndarray:
        return self.features.astype(np.float64).mean(axis=0)

    @cached_property
    def covariance(self) -> np.ndarray:
        """The unbiased sample covariance (``np.cov``, N - 1), as pytorch-fid computes it."""
        return np.atleast_2d(np.cov(self.features.astype(np.float64), rowvar=False))


class FeatureExtractor(ABC):
    """Images in [-1, 1] -> features (and logits), batch by batch, on one device.

    Subclasses set :attr:`name`, :attr:`weights_sha256`, :attr:`resize` and :attr:`feature_dim`
    and define :meth:`forward`.
    """

    name: str
    weights_sha256: str
    resize: str
    feature_dim: int

    def __init__(self, device: str | torch.device = "cpu", batch_size: int = 50) -> None:
        if batch_size < 1:
            raise ConfigError(f"The feature batch size must be at least 1, got {batch_size}.")
        self.device = torch.device(device)
        self.batch_size = batch_size

    @abstractmethod
    def forward(self, images: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Features (B, D) and logits (B, K) or None, for a batch already on :attr:`device`."""

    def protocol(self) -> dict[str, Any]:
        """What a result must record about the features it was computed from."""
        return {
            "feature_extractor": self.name,
            "weights_sha256": self.weights_sha256,
            "resize": self.resize,
        }

    def __call__(self, images: torch.Tensor, progress: bool = False) -> FeatureSet:
        """The features of a whole image tensor, :attr:`batch_size` images at a time."""
        if images.ndim != 4:
            raise GankitError(
                f"Expected images shaped (N, C, H, W), got {tuple(images.shape)}; pass a batch of "
                "images in [-1, 1] (or features shaped (N, D))."
            )
        batches = images.split(self.batch_size)
        return self.extract(batches, total=len(batches), progress=progress)

    def extract(
        self,
        batches: Iterable[torch.Tensor],
        total: int | None = None,
        progress: bool = False,
        description: str = "features",
    ) -> FeatureSet:
        """The features of a stream of image batches (e.g. a generator drawing samples)."""
        features, logits = [], []
        for batch in _track(batches, total, progress, f"{self.name} {description}"):
            # Only the extractor runs in inference mode: the batches may come from a generator
            # that is still being trained, whose tensors must stay ordinary ones.
            with torch.inference_mode():
                batch_features, batch_logits = self.forward(batch.to(self.device))
            features.append(batch_features.float().cpu())
            if batch_logits is not None:
                logits.append(batch_logits.float().cpu())
        if not features:
            raise GankitError("No images were given to extract features from.")
        return FeatureSet(
            torch.cat(features).numpy(),
            torch.cat(logits).numpy() if logits else None,
            self.protocol(),
        )


class InceptionFeatureExtractor(FeatureExtractor):
    """Pool3 features of the FID InceptionV3 at 299x299, by pytorch-fid's protocol or another.

    gankit images are mapped to [0, 1], rounded to 8 bits (as if saved as PNG, like the real
    images they are compared with) and grayscale is replicated to RGB. ``resize`` names how
    they are then brought to the network's 299x299 input (:mod:`gankit.metrics.resize`):
    ``"pytorch"`` (the default) exactly as pytorch-fid, ``"tf"`` as the original TensorFlow FID
    code and torch-fidelity (use it to compare with published tables), ``"clean"`` as clean-fid.

    ``channels_last`` (the default) runs the network in NHWC layout, which oneDNN and cuDNN
    convolve faster; features match the NCHW ones to ~1e-7 (benchmarks/fid_speed.py). It
    converts ``net``'s weights in place. ``precision="bfloat16"`` runs it under bf16 autocast:
    several times faster where the hardware has bf16 units, but features move by ~1% and an FID
    by ~2%, so the protocol records it and reported numbers should use float32.
    """

    feature_dim = FEATURE_DIM

    def __init__(
        self,
        net: InceptionV3,
        weights_sha256: str,
        device: str | torch.device = "cpu",
        batch_size: int = 50,
        precision: str = "float32",
        channels_last: bool = True,
        name: str = "inception-v3-fid",
        resize: str = "pytorch",
    ) -> None:
        super().__init__(device, batch_size)
        self.resize_protocol = resize_protocol(resize)
        self.resize = self.resize_protocol.description
        if precision not in PRECISIONS:
            raise ConfigError(
                f"Unknown feature precision {precision!r}; use one of {', '.join(PRECISIONS)}."
            )
        self.name, self.weights_sha256 = name, weights_sha256
        self.precision, self.channels_last = precision, channels_last
        self.net = net.to(self.device).eval()
        if channels_last:
            # Module.to takes memory_format; torch's overloads leave it out
            self.net = self.net.to(memory_format=torch.channels_last)  # type: ignore[call-overload]

    def protocol(self) -> dict[str, Any]:
        return super().protocol() | {
            "input": "8-bit quantised RGB (grayscale replicated)",
            "precision": self.precision,
        }

    def forward(self, images: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        x = self.resize_protocol(eight_bit_rgb(images))
        if self.channels_last:
            x = x.contiguous(memory_format=torch.channels_last)
        dtype = PRECISIONS[self.precision]
        autocast = (
            torch.autocast(self.device.type, dtype=dtype)
            if dtype is not None
            else contextlib.nullcontext()
        )
        with autocast:
            features = self.net.pool3(x).float()
        return features, self.net.logits(features)


def eight_bit_rgb(images: torch.Tensor) -> torch.Tensor:
    """gankit images in [-1, 1] -> RGB pixel values 0-255 (whole numbers, float), as read from
    an 8-bit PNG; grayscale replicated."""
    return _as_rgb(torch.round((images.float().clamp(-1, 1) + 1) / 2 * 255))


def _as_rgb(x: torch.Tensor) -> torch.Tensor:
    if x.shape[1] == 1:
        x = x.expand(-1, 3, -1, -1)
    elif x.shape[1] != 3:
        raise GankitError(
            f"Inception features need 1- or 3-channel images, got {x.shape[1]} channels."
        )
    return x


def inception_extractor(
    weights: str | None = None,
    device: str | torch.device = "cpu",
    batch_size: int = 50,
    download: bool = True,
    precision: str = "float32",
    channels_last: bool = True,
    resize: str = "pytorch",
) -> InceptionFeatureExtractor:
    """The standard FID extractor with the pytorch-fid weights (found or downloaded), resizing
    by protocol ``resize`` (``pytorch``, ``tf`` or ``clean``)."""

    protocol = resize_protocol(resize)  # a misspelt name fails before the weights are read
    net, sha256 = load_inception(weights, download)
    return InceptionFeatureExtractor(
        net, sha256, device, batch_size, precision, channels_last, resize=protocol.name
    )


def as_feature_set(
    value: Any, extractor: FeatureExtractor | str | None, progress: bool = False
) -> FeatureSet:
    """A :class:`FeatureSet` from images (N, C, H, W), features (N, D) or a FeatureSet.

    Images need an ``extractor``: a :class:`FeatureExtractor`, or ``"inception"`` to load the
    standard one (pass an instance to reuse it across calls).
    """
    if isinstance(value, FeatureSet):
        return value
    if isinstance(value, np.ndarray):
        value = torch.from_numpy(value)
    if not isinstance(value, torch.Tensor):
        raise GankitError(
            f"Expected images (N, C, H, W), features (N, D) or a FeatureSet, got "
            f"{type(value).__name__}."
        )
    if value.ndim == 2:
        return FeatureSet(value.detach().cpu().double().numpy(), protocol={"features": "given"})
    if value.ndim != 4:
        raise GankitError(
            f"Expected images (N, C, H, W) or features (N, D), got shape {tuple(value.shape)}."
        )
    if extractor is None or extractor == "inception":
        extractor = inception_extractor()
    elif isinstance(extractor, str):
        raise ConfigError(
            f"Feature extractor {extractor!r} cannot be built from its name alone; pass a "
            "FeatureExtractor (e.g. gankit.metrics.classifier_extractor(data_config))."
        )
    return extractor(value, progress=progress)


def _track(
    batches: Iterable[torch.Tensor], total: int | None, enabled: bool, description: str
) -> Iterator[torch.Tensor]:
    if not enabled:
        yield from batches
        return
    from rich.console import Console
    from rich.progress import track

    yield from track(
        batches, description=description, total=total, console=Console(file=sys.stderr)
    )
