"""Set metrics of a generator, against reference features computed once: the evaluator the
trainer calls every ``eval.every`` steps and ``gankit evaluate`` uses for a run.

Generated images are drawn from a fixed seed, so evaluations of one generator at different
steps use the same latent codes.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence
from typing import Any

import torch
from torch import nn

from gankit.config import DataConfig, RunConfig
from gankit.errors import ConfigError
from gankit.metrics.classifier import classifier_extractor
from gankit.metrics.features import FeatureExtractor, FeatureSet, inception_extractor
from gankit.metrics.reference_stats import FeatureStatistics, reference_features
from gankit.metrics.suite import compute_set_metrics, flatten_results, set_metrics

FEATURES = ("inception", "classifier")
DEFAULT_SEED = 0


def build_extractor(
    features: str,
    data: DataConfig | None,
    weights: str | None = None,
    device: str | torch.device = "cpu",
    batch_size: int = 50,
    progress: bool = False,
    resize: str = "pytorch",
) -> FeatureExtractor:
    """``"inception"`` (pytorch-fid weights, resized by protocol ``resize``: ``pytorch``,
    ``tf`` or ``clean``, see :mod:`gankit.metrics.resize`) or ``"classifier"`` (the domain
    classifier of ``data``'s dataset, trained and cached on first use)."""
    if features == "inception":
        return inception_extractor(weights, device, batch_size, resize=resize)
    if features == "classifier":
        if data is None:
            raise ConfigError("--features classifier needs a dataset; use it with a run.")
        if weights is not None:
            raise ConfigError("--weights is for the Inception network; drop it for classifiers.")
        if resize != "pytorch":
            raise ConfigError(
                f"--resize {resize} is an Inception protocol; a domain classifier reads images "
                "at its own size. Drop --resize with --features classifier."
            )
        train = dataclasses.replace(data, split="train")
        return classifier_extractor(train, device, batch_size, progress)
    raise ConfigError(f"Unknown feature extractor {features!r}; use one of {', '.join(FEATURES)}.")


def generated_batches(
    method: Any, net: nn.Module | None, count: int, batch_size: int, seed: int = DEFAULT_SEED
) -> Iterator[torch.Tensor]:
    """``count`` samples from ``net`` in batches, from a private RNG seeded with ``seed``."""
    rng = torch.Generator().manual_seed(seed)
    for start in range(0, count, batch_size):
        size = min(batch_size, count - start)
        yield method.generate(method.sample_latent(size, rng), net)


class PeriodicEvaluator:
    """Set metrics of a generator during training, against reference features computed once.

    Build it once with the run's data config (and the dataset the trainer already built, to
    avoid reading it again); call it with the method and the net to sample from. Returns
    ``{"eval/fid": ..., "eval/kid": ..., "eval/kid_std": ...}`` for the metrics log;
    :attr:`last_results` keeps the full results with their protocols.
    """

    def __init__(
        self,
        data: DataConfig,
        metrics: Sequence[str] = ("fid",),
        n: int = 5000,
        features: str = "inception",
        ref_split: str | None = None,
        weights: str | None = None,
        device: str | torch.device = "cpu",
        batch_size: int = 50,
        seed: int = DEFAULT_SEED,
        dataset: Any = None,
        extractor: FeatureExtractor | None = None,
        resize: str = "pytorch",
    ) -> None:
        self.metrics = [m.name for m in set_metrics(metrics)]
        self.n, self.seed = n, seed
        self.reference_data = dataclasses.replace(data, split=ref_split or data.split)
        self.dataset = dataset if self.reference_data.split == data.split else None
        self.extractor = extractor or build_extractor(
            features, data, weights, device, batch_size, resize=resize
        )
        self._reference: FeatureSet | FeatureStatistics | None = None
        self.last_results: dict[str, dict[str, Any]] = {}

    def reference(self, progress: bool = False) -> FeatureSet | FeatureStatistics | None:
        """The reference features (computed, or read from the cache, on first use)."""
        chosen = set_metrics(self.metrics)
        if not any(m.needs_reference for m in chosen):
            return None
        if self._reference is None:
            self._reference = reference_features(
                self.reference_data,
                self.extractor,
                self.n,
                need_features=any(m.needs_reference_features for m in chosen),
                progress=progress,
                dataset=self.dataset,
            )
        return self._reference

    def results(self, method: Any, net: nn.Module | None, progress: bool = False) -> dict[str, Any]:
        """The full results, each ``{"value", ["std"], "protocol"}``."""
        reference = self.reference(progress)
        batches = generated_batches(method, net, self.n, self.extractor.batch_size, self.seed)
        total = -(-self.n // self.extractor.batch_size)
        fake = self.extractor.extract(batches, total, progress, description="generated images")
        extra = {"generator_seed": self.seed}
        self.last_results = compute_set_metrics(self.metrics, reference, fake, extra)
        return self.last_results

    def __call__(self, method: Any, net: nn.Module | None) -> dict[str, float]:
        """The flat ``{"eval/<metric>": value}`` numbers; ``net`` None samples the method's own
        sampling net (as ``Method.generate`` does)."""
        return flatten_results(self.results(method, net))


def evaluator_for(
    cfg: RunConfig, method: Any, dataset: Any, is_main: bool = True
) -> PeriodicEvaluator | None:
    """The evaluator ``cfg.eval`` asks the trainer to run every ``eval.every`` steps, or None
    (evaluation off, or a process other than rank 0, which waits for it at the next step).
    Toy 2-D runs are refused: they are scored by mode coverage at every sample step already."""
    settings = cfg.eval
    if settings.every <= 0:
        return None
    if method.spec.kind != "image":
        raise ConfigError(
            "eval.every computes image metrics (FID, KID, ...); toy 2-D runs are scored by "
            "mode coverage at every sample step already. Set eval.every=0."
        )
    if not is_main:
        return None
    return PeriodicEvaluator(
        cfg.data,
        settings.metrics,
        settings.n,
        settings.features,
        settings.ref,
        settings.weights,
        method.device,
        settings.batch_size,
        dataset=dataset,
        resize=settings.resize,
    )
