"""The FID InceptionV3: pytorch-fid's state-dict layout, its FID-specific pooling, its shapes."""

import json
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F

from gankit.metrics.inception import InceptionV3, _average_pool_without_padding

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "inception_state_dict_layout.json"


def test_state_dict_keys_and_shapes_are_pytorch_fids():
    expected = json.loads(FIXTURE.read_text())
    state = InceptionV3().state_dict()
    assert [[key, list(value.shape)] for key, value in state.items()] == expected["keys"]
    parameters = sum(p.numel() for p in InceptionV3().parameters())
    assert parameters == expected["num_parameters"]


def test_the_fid_blocks_pool_as_tensorflow_does():
    # count_include_pad=False: a corner averages its 4 in-image pixels, not 4 of 9.
    assert torch.equal(
        _average_pool_without_padding(torch.ones(1, 1, 3, 3)), torch.ones(1, 1, 3, 3)
    )
    net = InceptionV3()
    assert not net.Mixed_7b.max_pool and net.Mixed_7c.max_pool
    assert net.fc.out_features == 1008
    assert net.Conv2d_1a_3x3.bn.eps == 0.001 and net.Conv2d_1a_3x3.conv.bias is None


def test_a_fresh_net_is_frozen_and_in_eval_mode():
    net = InceptionV3()
    assert not net.training
    assert not any(p.requires_grad for p in net.parameters())


@pytest.mark.parametrize("size", [299, 32])
def test_a_forward_pass_gives_2048_features_and_1008_logits(random_net, size):
    images = torch.rand(1, 3, size, size, generator=torch.Generator().manual_seed(size))
    with torch.inference_mode():
        features = random_net(images)
        logits = random_net.logits(features)
    assert features.shape == (1, 2048) and logits.shape == (1, 1008)
    assert torch.isfinite(features).all() and features.abs().sum() > 0


def test_it_resizes_to_299_as_pytorch_fid_does(random_net):
    images = torch.rand(1, 3, 32, 32, generator=torch.Generator().manual_seed(1))
    resized = F.interpolate(images, size=(299, 299), mode="bilinear", align_corners=False)
    with torch.inference_mode():
        assert torch.allclose(random_net(images), random_net(resized, resize=False), atol=1e-6)


def test_without_resize_smaller_inputs_still_give_2048_features(random_net):
    with torch.inference_mode():
        features = random_net(torch.rand(1, 3, 107, 107), resize=False)
    assert features.shape == (1, 2048)


def test_logits_without_bias_are_pool3_times_the_fc_weight(random_net):
    features = torch.randn(3, 2048, generator=torch.Generator().manual_seed(2))
    unbiased = random_net.logits(features)
    assert torch.allclose(unbiased, features @ random_net.fc.weight.T)
    assert torch.allclose(random_net.logits(features, bias=True), random_net.fc(features))
