"""FID, KID and the Inception Score from two folders of PNG files, end to end.

gankit's ``evaluate_folders`` (its default protocol) against pytorch-fid's
``calculate_fid_given_paths`` and torch-fidelity's ``calculate_metrics``, each reading the PNG
files itself. Only the weights differ from a real run: all three load the shared random ones
(gankit's weights lookup, which accepts the pytorch-fid file alone, is replaced). torch-fidelity
runs with pytorch-fid's resize and scaling in the place of its TensorFlow-1 ones (see
``test_crosscheck_features``), so that its reading, batching and metrics are what is compared.

10 reference and 20 generated 32x32 images: KID then draws subsets of 10 (every reference
image, a real draw of the generated ones), and the Inception Score's 10 splits hold 2 images
each. The FID's 2048x2048 matrix square root in pytorch-fid takes most of the time, so that
test is marked slow too (``make crosscheck`` runs it).
"""

from __future__ import annotations

import math

import pytest
from peers import import_peer
from shared_inputs import (
    gankit_extractor,
    pytorch_fid_preprocessing,
    random_images,
    write_pngs,
)

from gankit.runs import evaluate as evaluation

pytestmark = pytest.mark.crosscheck

TOLERANCE = 1e-3
REAL_COUNT, FAKE_COUNT, SIZE = 10, 20, 32


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    root = tmp_path_factory.mktemp("folders")
    real = write_pngs(root / "real", random_images(REAL_COUNT, SIZE, 3, seed=10))
    fake = write_pngs(root / "fake", random_images(FAKE_COUNT, SIZE, 3, seed=20))
    return real, fake


@pytest.fixture(scope="module")
def gankit_results(folders, shared_state):
    real, fake = folders
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            evaluation,
            "inception_extractor",
            lambda weights, device, batch_size, resize: gankit_extractor(
                shared_state, batch_size, resize
            ),
        )
        document = evaluation.evaluate_folders(
            real, fake, metrics=("fid", "kid", "is"), progress=False
        )
    return document["metrics"]


@pytest.fixture(scope="module")
def torch_fidelity_results(folders, weights_file, tmp_path_factory):
    """KID with the reference set as input1 (drawn first, as in gankit); IS of the generated."""
    real, fake = folders
    torch_fidelity = import_peer("torch_fidelity")
    extractor = import_peer("torch_fidelity.feature_extractor_inceptionv3")
    options = {
        "cuda": False,
        "verbose": False,
        "save_cpu_ram": True,  # also: no DataLoader worker processes
        "feature_extractor_weights_path": str(weights_file),
        "cache_root": str(tmp_path_factory.mktemp("torch-fidelity-cache")),
    }
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            extractor, "interpolate_bilinear_2d_like_tensorflow1x", pytorch_fid_preprocessing
        )
        kid = torch_fidelity.calculate_metrics(
            input1=str(real),
            input2=str(fake),
            kid=True,
            kid_subset_size=REAL_COUNT,
            input1_cache_name="real",
            input2_cache_name="fake",
            **options,
        )
        inception_score = torch_fidelity.calculate_metrics(
            input1=str(fake), isc=True, input1_cache_name="fake", **options
        )
    return kid | inception_score


def relative(value: float, reference: float) -> float:
    return abs(value - reference) / abs(reference)


@pytest.mark.slow  # pytorch-fid's scipy sqrtm of a 2048x2048 matrix: ~20 s on one busy core
def test_fid_matches_pytorch_fid(folders, gankit_results, shared_state):
    real, fake = folders
    fid_score = import_peer("pytorch_fid.fid_score")
    inception = import_peer("pytorch_fid.inception")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(inception, "load_state_dict_from_url", lambda *a, **k: shared_state)
        theirs = fid_score.calculate_fid_given_paths(
            [str(real), str(fake)], batch_size=50, device="cpu", dims=2048, num_workers=0
        )
    assert relative(gankit_results["fid"]["value"], theirs) <= TOLERANCE


def test_kid_matches_torch_fidelity_on_the_same_subsets(gankit_results, torch_fidelity_results):
    ours = gankit_results["kid"]
    assert ours["protocol"]["subset_size"] == REAL_COUNT
    mean = torch_fidelity_results["kernel_inception_distance_mean"]
    std = torch_fidelity_results["kernel_inception_distance_std"]
    assert relative(ours["value"], mean) <= TOLERANCE
    assert relative(ours["std"], std) <= TOLERANCE


def test_inception_score_matches_torch_fidelity_on_the_same_splits(
    gankit_results, torch_fidelity_results
):
    ours = gankit_results["is"]
    mean = torch_fidelity_results["inception_score_mean"]
    assert relative(ours["value"], mean) <= TOLERANCE
    # The score is exp(mean KL): its logarithm is the part that carries the information.
    assert relative(math.log(ours["value"]), math.log(mean)) <= TOLERANCE
    assert relative(ours["std"], torch_fidelity_results["inception_score_std"]) <= TOLERANCE
