"""gankit's InceptionV3 pool3 features and logits against pytorch-fid, torch-fidelity, clean-fid.

All four load the same random weights (``shared_inputs``) and see the same uint8 images: 32 px
RGB (CIFAR-10's size), 28 px grayscale (MNIST's) and 299 px (no resize). The difference is
``max |gankit - peer| / max |peer|`` over the batch; gankit runs with its defaults
(channels-last, float32), which alone moves features by ~1e-7.

gankit follows pytorch-fid's protocol: bilinear resize by ``F.interpolate`` (align_corners
False) of the [0, 1] image, then ``2x - 1``. torch-fidelity follows the TensorFlow 1 graph
instead: TF1's bilinear resize (no half-pixel centres) of the 0-255 image, then
``(x - 128) / 128``. Its network is compared here on pytorch-fid's preprocessing, and gankit's
network on torch-fidelity's preprocessing; the two full pipelines differ by design.
"""

from __future__ import annotations

import pytest
import torch
from peers import import_peer
from shared_inputs import (
    max_relative_difference,
    pytorch_fid_preprocessing,
    random_images,
    to_gankit,
    write_pngs,
)

pytestmark = pytest.mark.crosscheck

TOLERANCE = 1e-4
SHAPES = {"32px-rgb": (32, 3), "28px-gray": (28, 1), "299px-rgb": (299, 3)}
COUNT = 2


def images_for(case: str) -> torch.Tensor:
    size, channels = SHAPES[case]
    return random_images(COUNT, size, channels, seed=size)


def as_rgb(images: torch.Tensor) -> torch.Tensor:
    """What the peers read from a grayscale PNG (``convert("RGB")``): the channel repeated."""
    return images.expand(-1, 3, -1, -1).contiguous()


@pytest.fixture(scope="module")
def gankit_outputs(gankit_features):
    """gankit's features and logits per case, computed once."""
    return {case: gankit_features(to_gankit(images_for(case))) for case in SHAPES}


@pytest.mark.parametrize("case", SHAPES)
def test_features_and_logits_match_pytorch_fid(case, gankit_outputs, pytorch_fid_net, shared_state):
    images = as_rgb(images_for(case))
    with torch.no_grad():
        features = pytorch_fid_net(images.float() / 255)[0].flatten(1)
    # pytorch-fid returns pool3 only; torch-fidelity's "logits_unbiased" is pool3 @ fc.weight^T.
    logits = features @ shared_state["fc.weight"].T
    ours = gankit_outputs[case]
    assert max_relative_difference(ours.features, features) <= TOLERANCE
    assert max_relative_difference(ours.logits, logits) <= TOLERANCE


@pytest.mark.parametrize("case", SHAPES)
def test_torch_fidelity_network_matches_on_pytorch_fids_preprocessing(
    case, gankit_outputs, torch_fidelity_net, monkeypatch
):
    module = import_peer("torch_fidelity.feature_extractor_inceptionv3")
    monkeypatch.setattr(
        module, "interpolate_bilinear_2d_like_tensorflow1x", pytorch_fid_preprocessing
    )
    with torch.no_grad():
        features, logits = torch_fidelity_net(as_rgb(images_for(case)))
    ours = gankit_outputs[case]
    assert max_relative_difference(ours.features, features) <= TOLERANCE
    assert max_relative_difference(ours.logits, logits) <= TOLERANCE


@pytest.mark.parametrize("case", ["32px-rgb", "299px-rgb"])
def test_gankit_network_on_torch_fidelitys_preprocessing_matches_torch_fidelity(
    case, gankit_features, torch_fidelity_net
):
    module = import_peer("torch_fidelity.feature_extractor_inceptionv3")
    images = as_rgb(images_for(case))
    resized = module.interpolate_bilinear_2d_like_tensorflow1x(
        images.float(), size=(299, 299), align_corners=False
    )
    unit = ((resized - 128) / 128 + 1) / 2  # torch-fidelity's [-1, 1] input, as gankit's [0, 1]
    net = gankit_features.net
    with torch.no_grad():
        ours = net(unit.contiguous(memory_format=torch.channels_last), resize=False)
        theirs, their_logits = torch_fidelity_net(images)
    assert max_relative_difference(ours, theirs) <= TOLERANCE
    assert max_relative_difference(net.logits(ours), their_logits) <= TOLERANCE


@pytest.mark.xfail(
    strict=True,
    reason="protocol difference, documented by both peers: torch-fidelity matches the "
    "TensorFlow 1 graph (TF1 bilinear resize without half-pixel centres, (x - 128) / 128); "
    "gankit follows pytorch-fid (F.interpolate bilinear, 2x/255 - 1). Measured with the shared "
    "random weights: 8.9e-3 (32 px), 1.9e-2 (28 px), 2.9e-3 (299 px, the scaling alone)",
)
@pytest.mark.parametrize("case", SHAPES)
def test_torch_fidelitys_own_protocol_gives_other_features(
    case, gankit_outputs, torch_fidelity_net
):
    with torch.no_grad():
        features, _ = torch_fidelity_net(as_rgb(images_for(case)))
    assert max_relative_difference(gankit_outputs[case].features, features) <= TOLERANCE


@pytest.mark.parametrize("size, channels", [(32, 3), (28, 1)])
def test_clean_fid_legacy_pytorch_mode_matches_from_png_files(
    size, channels, gankit_features, shared_state, tmp_path, monkeypatch
):
    """clean-fid's ``legacy_pytorch`` mode (its copy of pytorch-fid's network, resizing the
    0-255 image) reads the same PNG files, grayscale ones as RGB. Its default ``clean`` mode
    (PIL bicubic resize, then a TorchScript export of the TensorFlow graph that it downloads at
    run time) cannot take the shared weights, so it is not compared."""
    from gankit.data.folder import ImageFolderDataset

    fid = import_peer("cleanfid.fid")
    features_module = import_peer("cleanfid.features")
    inception = import_peer("cleanfid.inception_pytorch")
    folder = write_pngs(tmp_path / "images", random_images(2, size, channels, seed=5))
    monkeypatch.setattr(inception, "load_state_dict_from_url", lambda *a, **k: shared_state)
    model = features_module.build_feature_extractor(
        "legacy_pytorch", torch.device("cpu"), use_dataparallel=False
    )
    theirs = fid.get_folder_features(
        str(folder),
        model,
        num_workers=0,
        batch_size=8,
        device=torch.device("cpu"),
        mode="legacy_pytorch",
        verbose=False,
    )
    dataset = ImageFolderDataset(folder, image_size=size)
    assert dataset.channels == channels
    ours = gankit_features(torch.stack([dataset[i][0] for i in range(len(dataset))]))
    assert max_relative_difference(ours.features, theirs) <= TOLERANCE


def test_the_reference_value_recorder_uses_pytorch_fid_and_gankit_matches_it(
    weights_file, shared_state, tmp_path
):
    """tests/fixtures/inception_probe.py, which records the real-weights reference values
    (``make inception-reference``), run here on the shared weights: it must import pytorch-fid
    in this environment, and gankit's network must pass the comparison the data test makes."""
    import importlib.util
    from pathlib import Path

    from gankit.metrics.inception import InceptionV3

    path = Path(__file__).resolve().parents[1] / "fixtures" / "inception_probe.py"
    spec = importlib.util.spec_from_file_location("inception_probe", path)
    probe = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(probe)
    values = probe.record(weights_file, tmp_path / "values.json")
    assert (tmp_path / "values.json").is_file() and len(values["features"]) == 2
    net = InceptionV3()
    net.load_state_dict(shared_state)
    assert probe.matches(net, values)
    other = InceptionV3()
    other.load_state_dict(shared_state | {"fc.weight": shared_state["fc.weight"] * 1.01})
    assert not probe.matches(other, values)
