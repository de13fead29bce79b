"""Clustering error: the Hungarian matching finds the best one-to-one cluster -> label map."""

import itertools

import numpy as np
import pytest
import torch

from gankit.errors import GankitError
from gankit.metrics import METRICS, clustering_error, match_clusters
from gankit.metrics.clustering import confusion_matrix


def samples_from_confusion(confusion: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    clusters, labels = [], []
    for (i, j), count in np.ndenumerate(confusion):
        clusters += [i] * count
        labels += [j] * count
    return np.array(clusters), np.array(labels)


def test_matching_on_a_constructed_confusion_matrix():
    # Greedy matching takes cluster 0 -> label 0 (count 9) and is left with 1 + 6; the best
    # one-to-one matching is 0 -> 1, 1 -> 0, 2 -> 2: 8 + 7 + 6 = 21 of 33.
    confusion = np.array([[9, 8, 0], [7, 1, 0], [0, 2, 6]])
    clusters, labels = samples_from_confusion(confusion)
    matching = match_clusters(clusters, labels)
    assert np.array_equal(matching.confusion, confusion)
    assert matching.mapping == {0: 1, 1: 0, 2: 2}
    assert matching.matched == 21 and matching.total == 33
    assert clustering_error(clusters, labels) == pytest.approx(12 / 33)


def test_matching_agrees_with_brute_force_over_all_permutations():
    rng = np.random.default_rng(0)
    for _ in range(20):
        confusion = rng.integers(0, 20, size=(5, 5))
        best = max(
            sum(confusion[i, p[i]] for i in range(5)) for p in itertools.permutations(range(5))
        )
        assert match_clusters(*samples_from_confusion(confusion), 5, 5).matched == best


def test_relabelled_clusters_have_zero_error_and_more_clusters_than_labels_are_allowed():
    labels = torch.tensor([0, 1, 2, 3, 0, 1, 2, 3])
    permuted = (labels + 2) % 4  # the same partition under other names
    assert clustering_error(permuted, labels) == 0.0
    matching = match_clusters(torch.tensor([0, 1, 2, 3, 4, 4]), torch.tensor([0, 1, 2, 0, 1, 1]))
    assert len(matching.mapping) == 3  # five clusters, three labels: two stay unmatched
    assert matching.mapping[4] == 1 and matching.error == pytest.approx(2 / 6)


def test_bad_inputs_are_explained():
    with pytest.raises(GankitError, match="must match"):
        confusion_matrix(np.array([0, 1]), np.array([0]))
    with pytest.raises(GankitError, match="non-negative integer"):
        confusion_matrix(np.array([0.5, 1.0]), np.array([0, 1]))
    assert "clustering_error" in METRICS


def test_majority_error_lets_clusters_share_a_label():
    # rows take their largest entry: 9 + 7 + 6 = 22 of 33 (clusters 0 and 1 both take label 0)
    confusion = np.array([[9, 8, 0], [7, 1, 0], [0, 2, 6]])
    matching = match_clusters(*samples_from_confusion(confusion))
    assert matching.majority_error == pytest.approx(11 / 33)
    assert matching.majority_error <= matching.error
