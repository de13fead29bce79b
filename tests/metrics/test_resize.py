"""The resize protocols that bring images to Inception's 299x299 input, by hand computation.

The peers' own code is compared in tests/crosscheck (torch-fidelity for ``tf``, clean-fid for
``clean``, pytorch-fid for ``pytorch``); these tests pin down what each protocol computes.
"""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from gankit.errors import ConfigError
from gankit.metrics import InceptionFeatureExtractor
from gankit.metrics.resize import (
    RESIZE_PROTOCOLS,
    pil_bicubic_resize,
    resize_protocol,
    tf1_bilinear_resize,
)


def test_tf1_bilinear_samples_without_half_pixel_centres():
    # 2 -> 4 pixels: source positions 0, 0.5, 1, 1.5; the last one's right neighbour is clamped.
    row = torch.tensor([10.0, 30.0]).view(1, 1, 1, 2).expand(1, 1, 2, 2)
    resized = tf1_bilinear_resize(row, size=4)
    assert resized[0, 0, 0].tolist() == [10.0, 20.0, 30.0, 30.0]
    # F.interpolate (half-pixel centres) gives another answer: the protocols really differ.
    half_pixel = F.interpolate(row, size=(4, 4), mode="bilinear", align_corners=False)
    assert half_pixel[0, 0, 0].tolist() == [10.0, 15.0, 25.0, 30.0]


def test_tf1_bilinear_keeps_a_299_pixel_image_unchanged():
    image = torch.rand(1, 3, 299, 299, generator=torch.Generator().manual_seed(0)) * 255
    assert torch.equal(tf1_bilinear_resize(image), image)


@pytest.mark.parametrize("name, scaled", [("pytorch", 2 * 64 / 255 - 1), ("tf", -0.5)])
def test_each_protocol_scales_a_flat_image_its_own_way(name, scaled):
    flat = torch.full((2, 3, 28, 28), 64.0)
    out = resize_protocol(name)(flat)
    assert out.shape == (2, 3, 299, 299)
    assert torch.allclose(out, torch.full_like(out, scaled), atol=1e-6)


def test_clean_protocol_is_pil_bicubic_in_float_clipped_then_scaled():
    flat = torch.full((1, 3, 32, 32), 64.0)
    assert torch.allclose(resize_protocol("clean")(flat), torch.full((1, 3, 299, 299), -0.5))
    # Bicubic overshoots at a sharp edge; clean-fid clips the float image to 0-255.
    edge = torch.zeros(1, 1, 8, 8)
    edge[..., 4:] = 255
    resized = pil_bicubic_resize(edge, size=32)
    assert resized.min() == 0 and resized.max() == 255
    # PIL antialiases when it shrinks: a 1-pixel checkerboard halved becomes its mean grey,
    # where TF1's bilinear resize samples every other pixel and sees black (Parmar et al.'s
    # aliasing example).
    checker = (torch.arange(598).view(1, -1) + torch.arange(598).view(-1, 1)) % 2 * 255.0
    checker = checker.view(1, 1, 598, 598)
    inside = (slice(None), slice(None), slice(2, -2), slice(2, -2))  # away from the borders
    assert torch.allclose(pil_bicubic_resize(checker)[inside], torch.tensor(127.5), atol=0.5)
    assert torch.equal(tf1_bilinear_resize(checker), torch.zeros(1, 1, 299, 299))


def test_the_extractor_records_and_uses_its_protocol(random_net):
    images = torch.rand(2, 3, 32, 32, generator=torch.Generator().manual_seed(1)) * 2 - 1
    results = {}
    for name in RESIZE_PROTOCOLS:
        extractor = InceptionFeatureExtractor(
            random_net, "ab" * 32, channels_last=False, resize=name
        )
        assert extractor.protocol()["resize"] == RESIZE_PROTOCOLS[name].description
        results[name] = extractor(images).features
    assert "TensorFlow" in RESIZE_PROTOCOLS["tf"].description
    assert "clean-fid" in RESIZE_PROTOCOLS["clean"].description
    for other in ("tf", "clean"):
        assert not np.allclose(results["pytorch"], results[other], rtol=1e-4, atol=0)


def test_an_unknown_protocol_is_refused_with_the_choices():
    with pytest.raises(ConfigError, match="pytorch, tf, clean"):
        resize_protocol("bicubic")
