"""Fixtures for the metric tests: an isolated cache, a local HTTP server, cheap extractors."""

from __future__ import annotations

import os

import pytest
import torch

from gankit.metrics.features import FeatureExtractor

# Read before the autouse fixture clears it, so the data tests can use the real weights.
USER_INCEPTION_WEIGHTS = os.environ.get("GANKIT_INCEPTION")


@pytest.fixture(autouse=True)
def isolated_caches(tmp_path_factory, monkeypatch):
    """No test reads or writes the real caches, data roots or Inception weights."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GANKIT_CACHE", str(home / "gankit-cache"))
    monkeypatch.setenv("TORCH_HOME", str(home / "torch"))
    monkeypatch.delenv("GANKIT_INCEPTION", raising=False)
    monkeypatch.delenv("GANKIT_DATA", raising=False)


@pytest.fixture
def user_inception_weights() -> str | None:
    """``$GANKIT_INCEPTION`` as it was before the tests cleared it (for the data tests)."""
    return USER_INCEPTION_WEIGHTS


class PixelFeatures(FeatureExtractor):
    """Flattened 4x4 average-pooled pixels as features, a fixed projection as 10 logits.

    Milliseconds per batch, so tests of the evaluation pipeline need no Inception forward.
    """

    name = "test-pixels"
    weights_sha256 = "0" * 64
    resize = "average pool to 4x4"
    feature_dim = 48

    def forward(self, images):
        pooled = torch.nn.functional.adaptive_avg_pool2d(images.float(), 4)
        if pooled.shape[1] == 1:
            pooled = pooled.expand(-1, 3, -1, -1)
        features = pooled.flatten(1)
        projection = torch.linspace(-1, 1, 48 * 10).view(48, 10)
        return features, features @ projection


@pytest.fixture
def pixel_features():
    """A cheap FeatureExtractor (48-d pooled pixels, 10 logits), batch size 16."""
    return PixelFeatures(batch_size=16)


@pytest.fixture
def fast_extractor(monkeypatch, pixel_features):
    """Make every run evaluation use the cheap pixel extractor instead of Inception."""
    from gankit.metrics import periodic
    from gankit.runs import evaluate as evaluation

    for module in (evaluation, periodic):
        monkeypatch.setattr(module, "build_extractor", lambda *args, **kwargs: pixel_features)
        monkeypatch.setattr(module, "inception_extractor", lambda *a, **k: pixel_features)
    return pixel_features


@pytest.fixture(autouse=True)
def one_thread():
    """Run each test on one thread: tiny tensors on a shared 2-core machine spend most of their
    time waiting for the second OpenMP thread (a 1-image Inception forward: 0.3 s vs 3 s)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="session")
def random_net():
    """One randomly initialised FID InceptionV3 for the session; tests must not modify it."""
    from gankit.metrics.inception import random_inception

    return random_inception(seed=0)
