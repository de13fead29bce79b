"""Feature extraction: pytorch-fid's input handling, batching, precision options, protocols."""

import numpy as np
import pytest
import torch

from gankit.errors import ConfigError, GankitError
from gankit.metrics import InceptionFeatureExtractor, fid
from gankit.metrics.features import FeatureSet, as_feature_set, eight_bit_rgb
from gankit.metrics.inception import random_inception


def test_gankit_images_become_8_bit_rgb_pixel_values():
    images = torch.tensor([-1.0, 0.0, 0.999, 1.5]).view(1, 1, 2, 2)
    x = eight_bit_rgb(images)
    assert x.shape == (1, 3, 2, 2)
    assert torch.equal(x[0, 0], x[0, 2])  # gray replicated
    assert x[0, 0].flatten().tolist() == [0.0, 128.0, 255.0, 255.0]


def test_inception_features_and_logits_of_small_images(random_net):
    extractor = InceptionFeatureExtractor(random_net, "ab" * 32, batch_size=2, channels_last=False)
    images = torch.rand(3, 1, 16, 16, generator=torch.Generator().manual_seed(0)) * 2 - 1
    result = extractor(images)
    assert result.features.shape == (3, 2048) and result.logits.shape == (3, 1008)
    assert np.isfinite(result.features).all()
    single = extractor(images[2:])
    np.testing.assert_allclose(result.features[2:], single.features, rtol=1e-4, atol=1e-6)


def test_the_protocol_names_the_network_weights_resize_and_precision(random_net):
    protocol = InceptionFeatureExtractor(random_net, "ab" * 32, channels_last=False).protocol()
    assert protocol["feature_extractor"] == "inception-v3-fid"
    assert protocol["weights_sha256"] == "ab" * 32
    assert "299x299" in protocol["resize"] and "pytorch-fid" in protocol["resize"]
    assert protocol["precision"] == "float32"


def test_bf16_and_channels_last_stay_close_to_float32():
    net = random_inception(seed=1)
    images = torch.rand(1, 3, 32, 32, generator=torch.Generator().manual_seed(1)) * 2 - 1
    reference = InceptionFeatureExtractor(net, "0" * 64, channels_last=False)(images).features
    nhwc = InceptionFeatureExtractor(net, "0" * 64)(images).features  # channels_last by default
    np.testing.assert_allclose(nhwc, reference, rtol=1e-4, atol=1e-6)
    fast = InceptionFeatureExtractor(net, "0" * 64, precision="bfloat16")
    features = fast(images).features
    assert fast.protocol()["precision"] == "bfloat16"
    relative = np.linalg.norm(features - reference) / np.linalg.norm(reference)
    assert relative < 0.05


def test_unknown_precision_and_bad_batch_size_are_config_errors(random_net):
    with pytest.raises(ConfigError, match="bfloat16"):
        InceptionFeatureExtractor(random_net, "0" * 64, precision="fp8", channels_last=False)
    with pytest.raises(ConfigError, match="at least 1"):
        InceptionFeatureExtractor(random_net, "0" * 64, batch_size=0, channels_last=False)


def test_as_feature_set_takes_features_arrays_and_sets(pixel_features):
    features = np.ones((4, 3))
    assert as_feature_set(features, None).features.shape == (4, 3)
    existing = FeatureSet(features)
    assert as_feature_set(existing, None) is existing
    images = torch.zeros(5, 1, 8, 8)
    assert as_feature_set(images, pixel_features).features.shape == (5, 48)
    with pytest.raises(GankitError, match=r"\(N, C, H, W\)"):
        as_feature_set(torch.zeros(2, 3, 4), pixel_features)
    with pytest.raises(ConfigError, match="FeatureExtractor"):
        as_feature_set(images, "classifier")


def test_metrics_accept_images_with_an_extractor(pixel_features):
    generator = torch.Generator().manual_seed(3)
    images = torch.rand(40, 3, 8, 8, generator=generator) * 2 - 1
    assert fid(images, images, pixel_features) == pytest.approx(0.0, abs=1e-6)
    assert fid(images, images * 0.5, pixel_features) > 0.01
