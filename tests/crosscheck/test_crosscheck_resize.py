"""gankit's ``tf`` and ``clean`` resize protocols against the peers that define them.

``--resize tf`` is the original TensorFlow FID code's input pipeline as torch-fidelity
reproduces it (TF1 bilinear resize, ``(x - 128) / 128``); ``--resize clean`` is clean-fid's
default mode (PIL bicubic resize of float channels, ``(x - 128) / 128``). Each is compared twice:
the resize alone, bit for bit, and FID/KID (and for torch-fidelity the Inception Score) end to
end from the same PNG folders, read by each library itself, to 1e-3.

clean-fid's network in its ``clean`` mode is a TorchScript export of the TensorFlow graph that it
downloads at run time and that cannot take other weights; it is replaced here by pytorch-fid's
port of the same graph on the shared weights, fed exactly what clean-fid feeds its own network
(the resized 0-255 image; the export computes ``(x - 128) / 128`` first, as clean-fid's
``InceptionV3W`` does for its ``resize_inside=False`` path).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from peers import import_peer
from shared_inputs import gankit_extractor, random_images, write_pngs

from gankit.metrics.resize import pil_bicubic_resize, tf1_bilinear_resize
from gankit.runs import evaluate as evaluation

pytestmark = pytest.mark.crosscheck

TOLERANCE = 1e-3


@pytest.mark.parametrize("size, channels", [(32, 3), (28, 1), (64, 3)])
def test_tf_resize_is_torch_fidelitys_bit_for_bit(size, channels):
    module = import_peer("torch_fidelity.interpolate_compat_tensorflow")
    images = random_images(3, size, channels, seed=size).float()
    theirs = module.interpolate_bilinear_2d_like_tensorflow1x(
        images, size=(299, 299), align_corners=False
    )
    assert torch.equal(tf1_bilinear_resize(images), theirs)


@pytest.mark.parametrize("size", [32, 28, 512])
def test_clean_resize_is_clean_fids_bit_for_bit(size):
    resize = import_peer("cleanfid.resize")
    theirs = resize.make_resizer("PIL", False, "bicubic", (299, 299))
    images = random_images(2, size, 3, seed=size)
    ours = pil_bicubic_resize(images.float())
    for image, resized in zip(images, ours, strict=True):
        expected = theirs(image.permute(1, 2, 0).numpy())  # H x W x C, as clean-fid reads it
        assert np.array_equal(resized.permute(1, 2, 0).numpy(), expected)


def gankit_folder_metrics(real, fake, state, resize, metrics):
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            evaluation,
            "inception_extractor",
            lambda weights, device, batch_size, resize: gankit_extractor(state, batch_size, resize),
        )
        document = evaluation.evaluate_folders(
            real, fake, metrics=metrics, progress=False, resize=resize
        )
    return document["metrics"]


def relative(value: float, reference: float) -> float:
    return abs(value - reference) / abs(reference)


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    """10 reference and 20 generated 32 px images (KID subsets of 10, IS splits of 2)."""
    root = tmp_path_factory.mktemp("resize-folders")
    real = write_pngs(root / "real", random_images(10, 32, 3, seed=30))
    fake = write_pngs(root / "fake", random_images(20, 32, 3, seed=40))
    return real, fake


@pytest.mark.slow  # two 2048x2048 matrix square roots
def test_tf_protocol_matches_torch_fidelity_end_to_end(
    folders, shared_state, weights_file, tmp_path_factory
):
    real, fake = folders
    ours = gankit_folder_metrics(real, fake, shared_state, "tf", ("fid", "kid", "is"))
    torch_fidelity = import_peer("torch_fidelity")
    options = {
        "cuda": False,
        "verbose": False,
        "save_cpu_ram": True,
        "feature_extractor_weights_path": str(weights_file),
        "cache_root": str(tmp_path_factory.mktemp("torch-fidelity-cache")),
    }
    theirs = torch_fidelity.calculate_metrics(
        input1=str(real),
        input2=str(fake),
        fid=True,
        kid=True,
        kid_subset_size=10,
        input1_cache_name="real",
        input2_cache_name="fake",
        **options,
    ) | torch_fidelity.calculate_metrics(
        input1=str(fake), isc=True, input1_cache_name="fake", **options
    )
    assert "TensorFlow" in ours["fid"]["protocol"]["resize"]
    assert relative(ours["fid"]["value"], theirs["frechet_inception_distance"]) <= TOLERANCE
    assert relative(ours["kid"]["value"], theirs["kernel_inception_distance_mean"]) <= TOLERANCE
    mean = theirs["inception_score_mean"]
    assert relative(math.log(ours["is"]["value"]), math.log(mean)) <= TOLERANCE
    assert relative(ours["is"]["std"], theirs["inception_score_std"]) <= TOLERANCE


@pytest.mark.slow  # a 2048x2048 matrix square root, and PIL resizes of 24 images
def test_clean_protocol_matches_clean_fid_end_to_end(shared_state, tmp_path, monkeypatch):
    """Two folders of 12 images: clean-fid's KID then draws each subset as the whole set, so
    its 100 random subsets all give one deterministic value, gankit's whole-set KID."""
    real = write_pngs(tmp_path / "real", random_images(12, 32, 3, seed=50))
    fake = write_pngs(tmp_path / "fake", random_images(12, 32, 3, seed=60))
    ours = gankit_folder_metrics(real, fake, shared_state, "clean", ("fid", "kid"))

    inception = import_peer("pytorch_fid.inception")
    fid = import_peer("cleanfid.fid")
    monkeypatch.setattr(inception, "load_state_dict_from_url", lambda *a, **k: shared_state)
    port = inception.InceptionV3(
        [inception.InceptionV3.BLOCK_INDEX_BY_DIM[2048]],
        resize_input=False,
        normalize_input=False,
    ).eval()

    def clean_network(batch: torch.Tensor) -> torch.Tensor:
        return port((batch - 128) / 128)[0].flatten(1)

    monkeypatch.setattr(fid, "build_feature_extractor", lambda *a, **k: clean_network)
    options = {"mode": "clean", "num_workers": 0, "device": torch.device("cpu"), "verbose": False}
    their_fid = fid.compute_fid(str(real), str(fake), **options)
    their_kid = fid.compute_kid(str(real), str(fake), **options)
    assert "clean-fid" in ours["fid"]["protocol"]["resize"]
    assert relative(ours["fid"]["value"], their_fid) <= TOLERANCE
    assert relative(ours["kid"]["value"], their_kid) <= TOLERANCE
