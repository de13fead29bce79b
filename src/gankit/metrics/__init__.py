"""Sample-quality metrics, found by name.

From Python, ``fid(real, fake)``, ``kid``, ``inception_score``, ``precision_recall`` and
``density_coverage`` take images (N, C, H, W) in [-1, 1] or precomputed features; the pixel
metrics (``l1``, ``l2``, ``psnr``, ``ssim``) and colour statistics compare image pairs. The
registry lists every metric for ``gankit list``; ``gankit.runs.evaluate`` runs the set metrics on
trained runs with their protocol recorded.
"""

from gankit.metrics.classifier import (
    ClassifierFeatureExtractor,
    classifier_extractor,
    label_accuracy,
    load_or_train_classifier,
)
from gankit.metrics.clustering import ClusterMatching, clustering_error, match_clusters
from gankit.metrics.colour import colour_comparison, colour_statistics, percent_error_of_mean
from gankit.metrics.features import (
    FeatureExtractor,
    FeatureSet,
    InceptionFeatureExtractor,
    inception_extractor,
)
from gankit.metrics.frechet import fid, frechet_distance, trace_sqrt_product
from gankit.metrics.inception_score import inception_score
from gankit.metrics.kid import kid
from gankit.metrics.pixel import l1, l2, psnr, ssim
from gankit.metrics.precision_recall import density_coverage, precision_recall
from gankit.metrics.reference_stats import FeatureStatistics, reference_features
from gankit.metrics.registry import METRICS
from gankit.metrics.suite import SET_METRICS, compute_set_metrics, flatten_results
from gankit.metrics.toy2d import mode_coverage

METRICS.register(
    "toy2d", "Modes covered and % high-quality samples on the toy 2-D mixtures (VEEGAN protocol)."
)(mode_coverage)
for _name, _metric in SET_METRICS.items():
    METRICS.register(_name, _metric.description)(_metric)
METRICS.register("l1", "Mean absolute pixel difference of image pairs (translation).")(l1)
METRICS.register("l2", "Mean squared pixel difference of image pairs (translation).")(l2)
METRICS.register("psnr", "Peak signal-to-noise ratio of image pairs, in dB.")(psnr)
METRICS.register(
    "ssim", "Structural similarity of image pairs (Wang et al. 2004; Gaussian 11, sigma 1.5)."
)(ssim)
METRICS.register(
    "colour",
    "Per-channel RGB mean, variance, mean norm and % error of the mean against a target.",
)(colour_comparison)
METRICS.register(
    "label_accuracy", "Share of generated images a domain classifier gives their intended label."
)(label_accuracy)
METRICS.register(
    "clustering_error",
    "Error of clusters (e.g. InfoGAN's categorical code) against labels, best 1-1 matching.",
)(clustering_error)

__all__ = [
    "METRICS",
    "SET_METRICS",
    "ClassifierFeatureExtractor",
    "ClusterMatching",
    "FeatureExtractor",
    "FeatureSet",
    "FeatureStatistics",
    "InceptionFeatureExtractor",
    "classifier_extractor",
    "clustering_error",
    "colour_comparison",
    "colour_statistics",
    "compute_set_metrics",
    "density_coverage",
    "fid",
    "flatten_results",
    "frechet_distance",
    "inception_extractor",
    "inception_score",
    "kid",
    "l1",
    "l2",
    "label_accuracy",
    "load_or_train_classifier",
    "match_clusters",
    "mode_coverage",
    "percent_error_of_mean",
    "precision_recall",
    "psnr",
    "reference_features",
    "ssim",
    "trace_sqrt_product",
]
