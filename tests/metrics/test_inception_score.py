"""The Inception Score: its bounds, and torch-fidelity's formula on random logits."""

import numpy as np
import pytest
import torch

from gankit.errors import GankitError
from gankit.metrics import inception_score
from gankit.metrics.features import FeatureSet
from gankit.metrics.inception_score import inception_score_from_logits


def test_identical_predictions_score_one():
    logits = np.tile(np.linspace(-1, 1, 1008), (100, 1))
    assert inception_score_from_logits(logits).mean == pytest.approx(1.0, abs=1e-9)


def test_confident_balanced_predictions_score_the_number_of_classes():
    logits = 50.0 * np.eye(10)[np.arange(1000) % 10]
    score = inception_score_from_logits(logits, shuffle=False)
    assert score.mean == pytest.approx(10.0, rel=1e-6)
    assert score.std == pytest.approx(0.0, abs=1e-6)


def test_matches_the_formula_written_out():
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(100, 12)) * 3
    order = np.random.RandomState(2020).permutation(100)
    shuffled = logits[order]
    scores = []
    for i in range(10):
        part = shuffled[i * 10 : (i + 1) * 10]
        p = np.exp(part) / np.exp(part).sum(axis=1, keepdims=True)
        marginal = p.mean(axis=0)
        scores.append(np.exp(np.mean(np.sum(p * (np.log(p) - np.log(marginal)), axis=1))))
    score = inception_score_from_logits(logits)
    assert score.mean == pytest.approx(np.mean(scores), rel=1e-10)
    assert score.std == pytest.approx(np.std(scores), rel=1e-8)


def test_takes_a_feature_set_with_logits():
    logits = torch.randn(40, 5, generator=torch.Generator().manual_seed(1)).numpy()
    features = FeatureSet(np.zeros((40, 2)), logits)
    assert inception_score(features) == inception_score_from_logits(logits)


def test_features_without_logits_and_too_few_images_are_refused():
    with pytest.raises(GankitError, match="logits"):
        inception_score(FeatureSet(np.zeros((20, 3))))
    with pytest.raises(GankitError, match="at least 10"):
        inception_score_from_logits(np.zeros((5, 3)))
