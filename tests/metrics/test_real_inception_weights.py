"""The real pytorch-fid weights file, where present (marked ``data``; skipped otherwise)."""

import importlib.util
import json
from pathlib import Path

import pytest
import torch

from gankit.metrics import inception_weights as iw
from gankit.metrics.cache import file_sha256

pytestmark = pytest.mark.data

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@pytest.fixture(scope="module")
def probe():
    """tests/fixtures/inception_probe.py: the fixed input and the comparison."""
    spec = importlib.util.spec_from_file_location(
        "inception_probe", FIXTURES / "inception_probe.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def probe_images(probe):
    return probe.probe_images()


@pytest.fixture
def real_weights(shared_data, user_inception_weights) -> Path:
    candidates = [
        *([Path(user_inception_weights)] if user_inception_weights else []),
        shared_data / iw.WEIGHTS_FILE,
        shared_data / "inception" / iw.WEIGHTS_FILE,
        shared_data / "weights" / iw.WEIGHTS_FILE,
    ]
    for path in candidates:
        if path.is_file():
            return path
    pytest.skip(
        f"the real {iw.WEIGHTS_FILE} is absent (looked at {', '.join(map(str, candidates))}); "
        f"put it in {shared_data} or set $GANKIT_INCEPTION to run this test"
    )


def test_the_file_has_the_expected_sha256(real_weights):
    digest = file_sha256(real_weights)
    assert digest.startswith(iw.SHA256_PREFIX)
    assert real_weights.stat().st_size == iw.WEIGHTS_BYTES
    assert digest == iw.REPORTED_SHA256, (
        f"{real_weights} is pytorch-fid's file (prefix matches) but its SHA-256 {digest} is not "
        "the one pinned for torch-fidelity's copy; update REPORTED_SHA256 and its note."
    )


def test_the_loaded_net_gives_finite_features_and_logits(real_weights, probe_images):
    net, sha256 = iw.load_inception(real_weights, download=False)
    with torch.inference_mode():
        features = net(probe_images)
        logits = net.logits(features)
    assert sha256.startswith(iw.SHA256_PREFIX)
    assert features.shape == (2, 2048) and logits.shape == (2, 1008)
    assert torch.isfinite(features).all() and torch.isfinite(logits).all()
    assert (features >= 0).all() and features.abs().sum() > 0  # averages of ReLU outputs


def test_features_match_pytorch_fids_recorded_values(real_weights, probe):
    recorded = FIXTURES / "inception_reference_values.json"
    if not recorded.is_file():
        pytest.skip(
            "no reference values recorded yet: run `make inception-reference WEIGHTS=PATH` "
            "(pytorch-fid in .venv-crosscheck) and commit tests/fixtures/inception_reference_values.json"
        )
    net, _ = iw.load_inception(real_weights, download=False)
    assert probe.matches(net, json.loads(recorded.read_text()))
