"""The Frechet Inception Distance (Heusel et al. 2017, "GANs Trained by a Two Time-Scale Update
Rule Converge to a Local Nash Equilibrium", section 4, equation 6).

Both feature sets are modelled as Gaussians and compared with the Frechet (2-Wasserstein)
distance between them::

    d^2 = ||mu_1 - mu_2||^2 + Tr(S_1 + S_2 - 2 (S_1 S_2)^(1/2))

The only delicate term is the trace of the matrix square root. pytorch-fid takes
``scipy.linalg.sqrtm(S_1 @ S_2)``, which fails or leaves complex residue when the covariances are
near-singular (fewer images than feature dimensions, or dead features). Here the same trace is
computed from symmetric eigendecompositions: with R = S_1^(1/2), the matrix R S_2 R is symmetric
positive semi-definite and similar to S_1 S_2, so Tr((S_1 S_2)^(1/2)) is the sum of the square
roots of its eigenvalues. ``method="sqrtm"`` reproduces pytorch-fid's computation instead.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from gankit.errors import GankitError
from gankit.metrics.features import FeatureExtractor, as_feature_set
from gankit.metrics.reference_stats import FeatureStatistics

SQRTM_EPS = 1e-6  # pytorch-fid's diagonal offset when S_1 S_2 is singular
IMAGINARY_ATOL = 1e-3  # pytorch-fid's tolerance on the imaginary part of sqrtm's diagonal
NEGATIVE_EIGENVALUE_RTOL = 1e-6  # below -rtol * largest eigenvalue a covariance is not PSD


def trace_sqrt_product(sigma1: np.ndarray, sigma2: np.ndarray) -> float:
    """Tr((S_1 S_2)^(1/2)) for symmetric positive semi-definite S_1, S_2, via ``eigh``.

    Eigenvalues that rounding pushes slightly below zero are clipped to zero; clearly negative
    ones mean an input is not a covariance matrix and raise a GankitError.
    """
    sigma1 = _symmetric(sigma1, "sigma1")
    sigma2 = _symmetric(sigma2, "sigma2")
    root1 = _psd_sqrt(sigma1, "sigma1")
    middle = root1 @ sigma2 @ root1
    eigenvalues = _check_psd(np.linalg.eigvalsh((middle + middle.T) / 2), "S_1^(1/2) S_2 S_1^(1/2)")
    return float(np.sqrt(eigenvalues).sum())


def trace_sqrt_product_scipy(
    sigma1: np.ndarray, sigma2: np.ndarray, eps: float = SQRTM_EPS
) -> float:
    """Tr((S_1 S_2)^(1/2)) exactly as pytorch-fid's ``calculate_frechet_distance`` computes it.

    ``scipy.linalg.sqrtm`` of the product; if that is not finite, ``eps`` is added to both
    diagonals and it is retried; an imaginary part above 1e-3 on the diagonal is an error, a
    smaller one is dropped.
    """
    from scipy import linalg

    with warnings.catch_warnings():
        # Older SciPy warns about a singular product; it is handled below, as pytorch-fid does.
        warnings.simplefilter("ignore")
        root = linalg.sqrtm(sigma1.dot(sigma2))
    if not np.isfinite(root).all():
        offset = np.eye(sigma1.shape[0]) * eps
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            root = linalg.sqrtm((sigma1 + offset).dot(sigma2 + offset))
    if np.iscomplexobj(root):
        if not np.allclose(np.diagonal(root).imag, 0, atol=IMAGINARY_ATOL):
            raise GankitError(
                f"The matrix square root in the FID has an imaginary component of "
                f"{np.max(np.abs(root.imag)):.3g}: the covariances are too ill-conditioned. Use "
                "more images than feature dimensions, or method='eigh'."
            )
        root = root.real
    return float(np.trace(root))


def frechet_distance(
    mu1: np.ndarray,
    sigma1: np.ndarray,
    mu2: np.ndarray,
    sigma2: np.ndarray,
    method: str = "eigh",
) -> float:
    """The Frechet distance between N(mu1, sigma1) and N(mu2, sigma2) (Heusel et al., eq. 6).

    ``method`` is ``"eigh"`` (stable for near-singular covariances; the default) or ``"sqrtm"``
    (pytorch-fid's ``scipy.linalg.sqrtm`` route, for bit-level comparisons).
    """
    mu1, mu2 = (
        np.atleast_1d(np.asarray(mu1, np.float64)),
        np.atleast_1d(np.asarray(mu2, np.float64)),
    )
    sigma1 = np.atleast_2d(np.asarray(sigma1, np.float64))
    sigma2 = np.atleast_2d(np.asarray(sigma2, np.float64))
    if mu1.shape != mu2.shape or sigma1.shape != sigma2.shape or sigma1.shape != mu1.shape * 2:
        raise GankitError(
            f"FID needs means and covariances of one dimension D: got means {mu1.shape} and "
            f"{mu2.shape}, covariances {sigma1.shape} and {sigma2.shape}. Were the two sets "
            "extracted with the same feature extractor?"
        )
    if method == "eigh":
        trace_root = trace_sqrt_product(sigma1, sigma2)
    elif method == "sqrtm":
        trace_root = trace_sqrt_product_scipy(sigma1, sigma2)
    else:
        raise GankitError(f"Unknown FID square-root method {method!r}; use 'eigh' or 'sqrtm'.")
    difference = mu1 - mu2
    return float(difference @ difference + np.trace(sigma1) + np.trace(sigma2) - 2 * trace_root)


def fid(
    real: Any,
    fake: Any,
    extractor: FeatureExtractor | str | None = "inception",
    method: str = "eigh",
    progress: bool = False,
) -> float:
    """The FID between ``real`` and ``fake`` (Heusel et al. 2017, eq. 6); 0 for identical sets.

    Each argument is images (N, C, H, W) in [-1, 1] (features are extracted with ``extractor``,
    the pytorch-fid InceptionV3 by default), features (N, D), a :class:`FeatureSet`, or reference
    :class:`~gankit.metrics.reference_stats.FeatureStatistics` (mean and covariance only). Heusel et al. recommend at least
    10,000 images per set; fewer give a biased (higher) value.
    """
    mu1, sigma1 = _statistics(real, extractor, progress)
    mu2, sigma2 = _statistics(fake, extractor, progress)
    return frechet_distance(mu1, sigma1, mu2, sigma2, method)


def _statistics(value: Any, extractor: Any, progress: bool) -> tuple[np.ndarray, np.ndarray]:
    if isinstance(value, FeatureStatistics):
        return value.mean, value.covariance
    features = as_feature_set(value, extractor, progress)
    if len(features) < 2:
        raise GankitError(
            f"FID needs at least 2 images per set to estimate a covariance, got {len(features)}."
        )
    return features.mean, features.covariance


def _symmetric(matrix: np.ndarray, name: str) -> np.ndarray:
    if not np.isfinite(matrix).all():
        raise GankitError(f"{name} holds NaN or infinite values; check the features it came from.")
    return (matrix + matrix.T) / 2


def _psd_sqrt(matrix: np.ndarray, name: str) -> np.ndarray:
    eigenvalues, eigenvectors = np.linalg.eigh(matrix)
    eigenvalues = _check_psd(eigenvalues, name)
    return (eigenvectors * np.sqrt(eigenvalues)) @ eigenvectors.T


def _check_psd(eigenvalues: np.ndarray, name: str) -> np.ndarray:
    scale = max(float(np.abs(eigenvalues).max(initial=0.0)), np.finfo(np.float64).tiny)
    if eigenvalues.min(initial=0.0) < -NEGATIVE_EIGENVALUE_RTOL * scale * len(eigenvalues):
        raise GankitError(
            f"{name} is not positive semi-definite (eigenvalue {eigenvalues.min():.3g} against a "
            f"largest of {scale:.3g}); pass covariance matrices."
        )
    return np.clip(eigenvalues, 0.0, None)
