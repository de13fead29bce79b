"""The shared image conversions: range, resizing, channel changes."""

import numpy as np
import pytest
import torch

from gankit.data.transforms import (
    check_image_options,
    convert_channels,
    images_from_pixels,
    pixels_to_tensor,
    resize_images,
)
from gankit.errors import DataError


def test_pixels_to_tensor_maps_uint8_and_custom_max_to_minus_one_one():
    out = pixels_to_tensor(np.array([0, 51, 255], dtype=np.uint8))
    assert out.dtype == torch.float32
    assert torch.allclose(out, torch.tensor([-1.0, -0.6, 1.0]))
    assert torch.allclose(
        pixels_to_tensor(np.array([0.0, 8.0, 16.0]), 16.0), torch.tensor([-1.0, 0.0, 1.0])
    )


def test_pixels_to_tensor_leaves_its_input_untouched():
    source = torch.tensor([0.0, 255.0])
    pixels_to_tensor(source)
    assert source.tolist() == [0.0, 255.0]


def test_resize_images_downsamples_with_antialiasing_and_keeps_range():
    # A one-pixel checkerboard averages to mid-gray when antialiased, not to aliased stripes.
    board = (torch.arange(32)[:, None] + torch.arange(32)[None, :]) % 2
    images = (board.float() * 2 - 1)[None, None]
    small = resize_images(images, 8)
    assert small.shape == (1, 1, 8, 8)
    assert small.abs().max() < 0.2


def test_resize_images_crops_the_center_of_non_square_images():
    images = torch.zeros(1, 1, 10, 20)
    images[..., 5:15] = 1.0  # the middle half of the width is white
    out = resize_images(images, 10)
    assert out.shape == (1, 1, 10, 10)
    assert torch.all(out == 1.0)


def test_resize_images_upsamples_within_range():
    images = torch.rand(2, 3, 8, 8) * 2 - 1
    out = resize_images(images, 32)
    assert out.shape == (2, 3, 32, 32)
    assert out.min() >= images.min() and out.max() <= images.max()


def test_convert_channels_replicates_gray_and_takes_luma_of_rgb():
    gray = torch.rand(2, 1, 4, 4)
    rgb = convert_channels(gray, 3)
    assert rgb.shape == (2, 3, 4, 4)
    assert torch.equal(rgb[:, 0], rgb[:, 2])
    assert torch.allclose(convert_channels(rgb, 1), gray, atol=1e-6)
    with pytest.raises(DataError, match="channels"):
        convert_channels(gray, 2)


def test_images_from_pixels_chunks_give_the_same_result():
    pixels = np.random.default_rng(0).integers(0, 256, (10, 6, 6), dtype=np.uint8)
    whole = images_from_pixels(pixels, 255.0, image_size=12, channels=3)
    chunked = images_from_pixels(pixels, 255.0, image_size=12, channels=3, chunk_size=3)
    assert whole.shape == (10, 3, 12, 12)
    assert torch.equal(whole, chunked)


@pytest.mark.parametrize(("size", "channels"), [(0, None), (-4, None), (32.5, None), (None, 2)])
def test_check_image_options_rejects_bad_values(size, channels):
    with pytest.raises(DataError, match="data\\."):
        check_image_options("x", size, channels)
