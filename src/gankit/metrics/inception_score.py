"""The Inception Score (Salimans et al. 2016, "Improved Techniques for Training GANs", section 4).

``IS = exp(E_x KL(p(y|x) || p(y)))``: high when each image is confidently one class and the
classes are spread. Following the paper's code and torch-fidelity, the class probabilities are
the softmax of InceptionV3's 1008 logits *without* the fc bias (torch-fidelity's
``logits_unbiased``), the images are shuffled with seed 2020, split into 10 parts, the score is
computed per part with that part's marginal p(y), and the mean and (population) standard
deviation over the parts are reported. Any extractor with logits works (e.g. a domain
classifier, giving a "classifier IS"), but only Inception's is comparable with papers.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from gankit.errors import GankitError
from gankit.metrics.features import FeatureExtractor, as_feature_set
from gankit.metrics.summary import MeanStd

SPLITS = 10
SEED = 2020


def inception_score_from_logits(
    logits: np.ndarray | torch.Tensor, splits: int = SPLITS, shuffle: bool = True, seed: int = SEED
) -> MeanStd:
    """The Inception Score of class ``logits`` (N, K): mean and std over ``splits`` parts."""
    logits = torch.as_tensor(np.asarray(logits), dtype=torch.float64)
    if logits.ndim != 2:
        raise GankitError(
            f"The Inception Score needs logits (N, K), got shape {tuple(logits.shape)}."
        )
    count = len(logits)
    if count < splits:
        raise GankitError(
            f"The Inception Score splits the images into {splits} parts, so it needs at least "
            f"{splits} images; got {count}. Generate more, or lower the number of splits."
        )
    if shuffle:
        logits = logits[np.random.RandomState(seed).permutation(count)]
    probabilities = logits.softmax(dim=1)
    log_probabilities = logits.log_softmax(dim=1)
    scores = []
    for i in range(splits):
        part = slice(i * count // splits, (i + 1) * count // splits)
        p, log_p = probabilities[part], log_probabilities[part]
        marginal = p.mean(dim=0, keepdim=True)
        kl = (p * (log_p - marginal.log())).sum(dim=1).mean()
        scores.append(float(kl.exp()))
    return MeanStd(float(np.mean(scores)), float(np.std(scores)))


def inception_score(
    fake: Any,
    extractor: FeatureExtractor | str | None = "inception",
    splits: int = SPLITS,
    progress: bool = False,
) -> MeanStd:
    """The Inception Score of ``fake`` images (N, C, H, W) in [-1, 1], or of a FeatureSet."""
    features = as_feature_set(fake, extractor, progress)
    if features.logits is None:
        raise GankitError(
            "The Inception Score needs class logits, but these features have none; pass images "
            "or a FeatureSet from an extractor with a classifier head (Inception or a domain "
            "classifier)."
        )
    return inception_score_from_logits(features.logits, splits)
