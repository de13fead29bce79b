"""Domain classifiers: small per-dataset conv nets for offline features and label accuracy.

InceptionV3 needs a 95 MB download and sees 8x8 digits or 28x28 MNIST through a 299x299
ImageNet lens. A small classifier trained on the dataset itself gives features that work
offline and suit the domain: the FID computed on its penultimate features ("classifier FID",
like the LeNet-feature FIDs often reported for MNIST) and, for conditional and translation
models, the accuracy with which generated images are recognised as their intended class. The
network is gankit's own (no paper's architecture), so these numbers compare models evaluated
with the same classifier only; each result records the classifier's weights hash and its test
accuracy.

A classifier (:mod:`.classifier_net`) is trained once per dataset and image size
(:mod:`.classifier_training`) and kept at ``<cache root>/classifiers/<dataset>-<size>.pt``,
loadable with ``weights_only=True``.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import torch

from gankit.config import DataConfig
from gankit.data.transforms import convert_channels, resize_images
from gankit.errors import CheckpointError, ConfigError, GankitError
from gankit.metrics.cache import cache_folder
from gankit.metrics.classifier_net import FEATURE_DIM, TrainedClassifier
from gankit.metrics.classifier_training import train_classifier
from gankit.metrics.features import FeatureExtractor
from gankit.training.checkpoint import save_atomic

logger = logging.getLogger(__name__)


def classifier_path(dataset: str, image_size: int | None) -> Path:
    """``<cache root>/classifiers/<dataset>-<size>.pt`` (``native`` when the size is unset)."""
    size = image_size if image_size is not None else "native"
    return cache_folder("classifiers") / f"{dataset}-{size}.pt"


def load_or_train_classifier(
    data: DataConfig, retrain: bool = False, progress: bool = False, **budget: Any
) -> TrainedClassifier:
    """The cached classifier for ``data``'s dataset and image size, training it if needed.

    ``budget`` (``train_images``, ``batch_size``, ``seed``, ``device``) is passed to
    :func:`gankit.metrics.classifier_training.train_classifier` when training happens.
    """
    name = data.name.partition(":")[0]
    if name == "folder" or ":" in data.name or "/" in data.name:
        raise ConfigError(
            f"Domain classifiers are trained per named dataset (mnist, fashion-mnist, digits, "
            f"cifar10, ...), not for {data.name!r}; use --features inception for image folders."
        )
    path = classifier_path(data.name, data.image_size)
    if path.is_file() and not retrain:
        try:
            state = torch.load(path, map_location="cpu", weights_only=True)
        except Exception as exc:  # torch raises many types for a damaged file
            raise CheckpointError(
                f"The cached classifier {path} cannot be read ({type(exc).__name__}); delete it "
                "and it will be trained again."
            ) from None
        return TrainedClassifier.from_state(state, path)
    trained = train_classifier(data, progress=progress, **budget)
    save_atomic(trained.to_state(), path)
    logger.info(
        "Trained the %s classifier (%d images seen): accuracy %.4f on %s; saved to %s",
        data.name,
        trained.train_images,
        trained.accuracy,
        trained.accuracy_split,
        path,
    )
    return trained


class ClassifierFeatureExtractor(FeatureExtractor):
    """Penultimate (128-d) features and class logits of a :class:`TrainedClassifier`.

    Images of another size are resized to the classifier's (bilinear, antialiased when
    shrinking) and converted to its channels (RGB -> luma, or gray replicated).
    """

    feature_dim = FEATURE_DIM

    def __init__(
        self,
        classifier: TrainedClassifier,
        device: str | torch.device = "cpu",
        batch_size: int = 500,
    ) -> None:
        super().__init__(device, batch_size)
        self.classifier = classifier
        self.net = classifier.net.to(self.device).eval()
        self.name = f"classifier-{classifier.dataset}-{classifier.image_size}"
        self.weights_sha256 = classifier.weights_sha256
        self.resize = f"bilinear to {classifier.image_size}x{classifier.image_size} if different"

    def protocol(self) -> dict[str, Any]:
        return super().protocol() | {
            "classifier_accuracy": self.classifier.accuracy,
            "classifier_accuracy_split": self.classifier.accuracy_split,
        }

    def forward(self, images: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        x = convert_channels(images.float(), self.classifier.channels)
        x = resize_images(x, self.classifier.image_size)
        return self.net(x)


def classifier_extractor(
    data: DataConfig,
    device: str | torch.device = "cpu",
    batch_size: int = 500,
    progress: bool = False,
    **budget: Any,
) -> ClassifierFeatureExtractor:
    """The domain-classifier extractor for ``data``'s dataset (trained and cached if needed).

    A classifier that has to be trained first is trained on ``device`` too, unless ``budget``
    names another.
    """
    budget.setdefault("device", device)
    classifier = load_or_train_classifier(data, progress=progress, **budget)
    return ClassifierFeatureExtractor(classifier, device, batch_size)


def label_accuracy(
    images: torch.Tensor, labels: torch.Tensor, extractor: ClassifierFeatureExtractor
) -> float:
    """The fraction of ``images`` the domain classifier assigns to their intended ``labels``.

    For conditional generators (sampled with given labels) and translation models (whose
    outputs should keep the input's class).
    """
    if len(images) != len(labels):
        raise GankitError(f"{len(images)} images but {len(labels)} labels: they must match.")
    logits = extractor(images).logits
    predicted = torch.from_numpy(logits).argmax(dim=1)
    return float((predicted == labels.cpu().long()).double().mean())
