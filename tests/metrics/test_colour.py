"""Colour statistics, checked against the semantic-map noise study's Table 2."""

import pytest
import torch

from gankit.errors import GankitError
from gankit.metrics import colour_comparison, colour_statistics, percent_error_of_mean


def flat_image(rgb_255, size=8):
    """A (3, size, size) gankit image in [-1, 1] whose every pixel is ``rgb_255``."""
    colour = torch.tensor(rgb_255, dtype=torch.float64) / 127.5 - 1
    return colour.view(3, 1, 1).expand(3, size, size).clone()


TARGET_MEAN = (103.99, 82.54, 69.62)  # Tucker, Table 2, "Target"
NOISY_MEAN = (160.38, 129.81, 109.72)  # Tucker, Table 2, "w.Noise"


def test_percent_error_reproduces_table_2():
    errors = percent_error_of_mean(flat_image(NOISY_MEAN), flat_image(TARGET_MEAN))
    assert errors == pytest.approx([54.2264, 57.2692, 57.5984], abs=1e-3)


def test_the_difference_image_stays_signed():
    # The study's uint8 difference wrapped around; the mean here is the difference of means.
    table = colour_comparison(flat_image(NOISY_MEAN), flat_image(TARGET_MEAN))
    assert table["difference"]["mean"] == pytest.approx([-56.39, -47.27, -40.10], abs=1e-9)
    assert table["target"]["mean"] == pytest.approx(list(TARGET_MEAN), abs=1e-9)
    assert table["output"]["mean"] == pytest.approx(list(NOISY_MEAN), abs=1e-9)


def test_mean_norm_and_variance_of_a_two_colour_image():
    image = flat_image((0, 0, 0))
    image[:, :4] = flat_image((30, 40, 0))[:, :4]  # half the pixels have norm 50
    stats = colour_statistics(image)
    assert stats["mean_norm"] == pytest.approx(25.0)
    assert stats["mean"] == pytest.approx([15.0, 20.0, 0.0])
    assert stats["variance"] == pytest.approx([225.0, 400.0, 0.0])  # population variance


def test_value_range_reads_8_bit_pixels():
    image = torch.full((3, 4, 4), 200.0)
    assert colour_statistics(image, value_range=(0, 255))["mean"] == pytest.approx([200.0] * 3)


def test_refuses_grayscale_and_black_targets():
    with pytest.raises(GankitError, match="RGB"):
        colour_statistics(torch.zeros(1, 8, 8))
    with pytest.raises(GankitError, match="mean is 0"):
        percent_error_of_mean(flat_image((1, 1, 1)), flat_image((0, 5, 5)))
