"""The set-level metrics by name, each result carrying its protocol next to its value.

``fid``, ``kid``, ``is``, ``pr`` (precision and recall) and ``dc`` (density and coverage) score
a set of generated images, against a reference set for all but ``is``. They all work on the
:class:`~gankit.metrics.features.FeatureSet` s of one feature extractor, so one extraction
serves them all. Every result is ``{"value": float, ["std": float,] "protocol": {...}}``, the
protocol naming the number of generated and reference images, the reference, the feature
extractor with its weights SHA-256, the resize method, and the metric's own parameters:
differing protocols are the main reason FIDs disagree between toolkits.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from gankit.errors import GankitError, UnknownNameError
from gankit.metrics.features import FeatureSet
from gankit.metrics.frechet import frechet_distance
from gankit.metrics.inception_score import SEED as IS_SEED
from gankit.metrics.inception_score import SPLITS, inception_score_from_logits
from gankit.metrics.kid import SEED as KID_SEED
from gankit.metrics.kid import SUBSETS, kid_from_features, whole_sets
from gankit.metrics.precision_recall import (
    DENSITY_COVERAGE_K,
    PRECISION_RECALL_K,
    density_coverage_from_features,
    precision_recall_from_features,
)
from gankit.metrics.reference_stats import FeatureStatistics

Reference = FeatureSet | FeatureStatistics
Results = dict[str, dict[str, Any]]


@dataclass(frozen=True)
class SetMetric:
    """A metric of a generated set: what it needs, and how to compute it from features."""

    name: str
    description: str
    needs_reference: bool
    needs_reference_features: bool  # not just the mean and covariance
    needs_logits: bool
    # its first argument is the reference the needs_* flags ask for: a FeatureSet, only the
    # statistics, or None
    compute: Callable[[Any, FeatureSet], Results]

    def __call__(self, real: Reference | None, fake: FeatureSet) -> Results:
        return self.compute(real, fake)


def _fid(real: Reference, fake: FeatureSet) -> Results:
    value = frechet_distance(real.mean, real.covariance, fake.mean, fake.covariance)
    return {"fid": {"value": value, "parameters": {"sqrt": "eigh"}}}


def _kid(real: FeatureSet, fake: FeatureSet) -> Results:
    value, size = kid_from_features(real.features, fake.features)
    parameters = {
        "subsets": 1 if whole_sets(size, real.features, fake.features) else SUBSETS,
        "subset_size": size,
        "kernel": "cubic polynomial (x.y/d + 1)^3",
        "seed": KID_SEED,
    }
    return {"kid": {"value": value.mean, "std": value.std, "parameters": parameters}}


def _inception_score(real: Reference | None, fake: FeatureSet) -> Results:
    assert fake.logits is not None  # needs_logits: the extractor kept them
    value = inception_score_from_logits(fake.logits, SPLITS)
    parameters = {"splits": SPLITS, "logits": "without fc bias", "seed": IS_SEED}
    return {"is": {"value": value.mean, "std": value.std, "parameters": parameters}}


def _precision_recall(real: FeatureSet, fake: FeatureSet) -> Results:
    k = PRECISION_RECALL_K
    value = precision_recall_from_features(real.features, fake.features, k)
    return {
        "precision": {"value": value.precision, "parameters": {"k": k}},
        "recall": {"value": value.recall, "parameters": {"k": k}},
    }


def _density_coverage(real: FeatureSet, fake: FeatureSet) -> Results:
    k = DENSITY_COVERAGE_K
    value = density_coverage_from_features(real.features, fake.features, k)
    return {
        "density": {"value": value.density, "parameters": {"k": k}},
        "coverage": {"value": value.coverage, "parameters": {"k": k}},
    }


SET_METRICS: dict[str, SetMetric] = {
    metric.name: metric
    for metric in (
        SetMetric(
            "fid",
            "Frechet Inception Distance (Heusel et al. 2017), pytorch-fid compatible.",
            True,
            False,
            False,
            _fid,
        ),
        SetMetric(
            "kid",
            "Kernel Inception Distance (Binkowski et al. 2018): cubic kernel, 100 subsets of 1000.",
            True,
            True,
            False,
            _kid,
        ),
        SetMetric(
            "is",
            "Inception Score (Salimans et al. 2016): 10 splits, torch-fidelity's unbiased logits.",
            False,
            False,
            True,
            _inception_score,
        ),
        SetMetric(
            "pr",
            "Improved precision and recall (Kynkaanniemi et al. 2019), k=3.",
            True,
            True,
            False,
            _precision_recall,
        ),
        SetMetric(
            "dc",
            "Density and coverage (Naeem et al. 2020), k=5.",
            True,
            True,
            False,
            _density_coverage,
        ),
    )
}


def set_metrics(names: Sequence[str]) -> list[SetMetric]:
    """The set metrics named, in order; an unknown name lists the valid ones."""
    if not names:
        raise GankitError(f"No metric asked for; name some of {', '.join(SET_METRICS)}.")
    unknown = [name for name in names if name not in SET_METRICS]
    if unknown:
        raise UnknownNameError(
            "set metric",
            unknown[0],
            SET_METRICS,
            hint="Pixel and colour metrics compare image pairs: call them from Python.",
        )
    return [SET_METRICS[name] for name in dict.fromkeys(names)]


def compute_set_metrics(
    names: Sequence[str],
    real: Reference | None,
    fake: FeatureSet,
    extra_protocol: dict[str, Any] | None = None,
) -> Results:
    """Every named metric of ``fake`` (against ``real``), each with its full protocol."""
    metrics = set_metrics(names)
    if any(m.needs_logits for m in metrics) and fake.logits is None:
        raise GankitError("The Inception Score needs class logits; this extractor gives none.")
    if any(m.needs_reference for m in metrics) and real is None:
        raise GankitError(f"{', '.join(names)} need a reference set; none was given.")
    if any(m.needs_reference_features for m in metrics) and not isinstance(real, FeatureSet):
        raise GankitError(
            "KID, precision/recall and density/coverage need the reference features, not just "
            "their mean and covariance; compute the reference with need_features=True."
        )
    _check_same_extractor(real, fake)
    protocol = {"num_generated": len(fake)} | fake.protocol
    if real is not None:
        protocol["num_reference"] = len(real)
        protocol["reference"] = real.protocol.get("reference", "given")
    protocol |= extra_protocol or {}
    results: Results = {}
    for metric in metrics:
        for key, result in metric(real, fake).items():
            parameters = result.pop("parameters", {})
            results[key] = result | {"protocol": protocol | parameters}
    return results


def _check_same_extractor(real: Reference | None, fake: FeatureSet) -> None:
    if real is None:
        return
    for key in ("feature_extractor", "weights_sha256", "precision"):
        if (
            key in real.protocol
            and key in fake.protocol
            and real.protocol[key] != fake.protocol[key]
        ):
            raise GankitError(
                f"The reference and generated features come from different extractors "
                f"({key}: {real.protocol[key]!r} vs {fake.protocol[key]!r}); their distances "
                "mean nothing. Extract both with the same one."
            )


def flatten_results(results: Results, prefix: str = "eval/") -> dict[str, float]:
    """``{"eval/fid": 12.3, "eval/kid": ..., "eval/kid_std": ...}``: the numbers alone, for logs."""
    flat = {}
    for key, result in results.items():
        flat[f"{prefix}{key}"] = result["value"]
        if "std" in result:
            flat[f"{prefix}{key}_std"] = result["std"]
    return flat
