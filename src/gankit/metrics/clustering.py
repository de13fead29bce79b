"""Clusters against labels: the error under the best one-to-one matching (Hungarian method).

Unsupervised codes (InfoGAN's categorical code, cluster indices) carry no names: cluster 3 may
hold the sevens. The clustering error matches clusters to labels one-to-one so as to agree on
the most samples, and counts the rest as errors. The matching is the linear assignment problem,
solved exactly by the Hungarian method (Kuhn 1955; ``scipy.optimize.linear_sum_assignment``).
This is how Chen et al. 2016 score InfoGAN's c1 "by matching each category in c1 to a
digit type" (5% error on MNIST).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from gankit.errors import GankitError


@dataclass
class ClusterMatching:
    """The best one-to-one matching of clusters to labels, and how well it agrees."""

    confusion: np.ndarray  # (clusters, labels) counts
    mapping: dict[int, int]  # cluster -> label; unmatched clusters are absent
    matched: int  # samples whose cluster maps to their label

    @property
    def total(self) -> int:
        return int(self.confusion.sum())

    @property
    def accuracy(self) -> float:
        return self.matched / self.total

    @property
    def error(self) -> float:
        return 1.0 - self.accuracy

    @property
    def majority_error(self) -> float:
        """The error when each cluster takes its most frequent label (many clusters may take the
        same one): the looser reading of "matching each category to a digit type"."""
        return 1.0 - float(self.confusion.max(axis=1).sum()) / self.total


def confusion_matrix(
    clusters: np.ndarray | torch.Tensor,
    labels: np.ndarray | torch.Tensor,
    num_clusters: int | None = None,
    num_labels: int | None = None,
) -> np.ndarray:
    """Counts (num_clusters, num_labels): entry (i, j) holds samples of cluster i and label j."""
    clusters, labels = _integers(clusters, "clusters"), _integers(labels, "labels")
    if len(clusters) != len(labels):
        raise GankitError(f"{len(clusters)} clusters but {len(labels)} labels: they must match.")
    if len(clusters) == 0:
        raise GankitError("No samples were given to match clusters on.")
    rows = num_clusters or int(clusters.max()) + 1
    columns = num_labels or int(labels.max()) + 1
    confusion = np.zeros((rows, columns), dtype=np.int64)
    np.add.at(confusion, (clusters, labels), 1)
    return confusion


def match_clusters(
    clusters: np.ndarray | torch.Tensor,
    labels: np.ndarray | torch.Tensor,
    num_clusters: int | None = None,
    num_labels: int | None = None,
) -> ClusterMatching:
    """The one-to-one cluster -> label matching with the most agreeing samples."""
    from scipy.optimize import linear_sum_assignment

    confusion = confusion_matrix(clusters, labels, num_clusters, num_labels)
    rows, columns = linear_sum_assignment(confusion, maximize=True)
    mapping = {int(r): int(c) for r, c in zip(rows, columns)}
    return ClusterMatching(confusion, mapping, int(confusion[rows, columns].sum()))


def clustering_error(
    clusters: np.ndarray | torch.Tensor,
    labels: np.ndarray | torch.Tensor,
    num_clusters: int | None = None,
    num_labels: int | None = None,
) -> float:
    """The fraction of samples misassigned under the best one-to-one cluster -> label matching."""
    return match_clusters(clusters, labels, num_clusters, num_labels).error


def _integers(values: np.ndarray | torch.Tensor, name: str) -> np.ndarray:
    array = (
        values.detach().cpu().numpy() if isinstance(values, torch.Tensor) else np.asarray(values)
    )
    array = array.reshape(-1)
    if array.size and (not np.issubdtype(array.dtype, np.integer) or array.min() < 0):
        raise GankitError(f"The {name} must be non-negative integer indices, got {array.dtype}.")
    return array.astype(np.int64)
