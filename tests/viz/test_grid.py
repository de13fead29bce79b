import numpy as np
import pytest
import torch
from PIL import Image

from gankit.viz import make_grid, save_image_grid


def test_grid_layout_and_pixel_values():
    images = torch.stack([torch.full((1, 2, 2), v) for v in (-1.0, 0.0, 1.0)])
    grid = make_grid(images, nrow=2, padding=1, pad_value=0.5)
    assert grid.shape == (1 + 2 * 3, 1 + 3 * 2)  # 2 rows, 2 columns, 1-pixel gaps
    assert grid.dtype == np.uint8
    assert grid[1, 1] == 0 and grid[1, 4] == 128 and grid[4, 1] == 255  # -1, 0, 1
    assert grid[0, 0] == 128  # padding
    assert grid[4, 4] == 128  # the empty fourth cell stays padding


def test_rgb_grid_is_height_width_channels():
    grid = make_grid(torch.zeros(4, 3, 5, 5), padding=0)
    assert grid.shape == (10, 10, 3)


def test_saved_png_is_upscaled_exactly(tmp_path):
    images = torch.rand(4, 1, 8, 8) * 2 - 1
    path = save_image_grid(images, tmp_path / "g.png", nrow=2, min_width=100)
    picture = np.asarray(Image.open(path))
    small = make_grid(images, nrow=2)
    factor = picture.shape[1] // small.shape[1]
    assert factor * small.shape[1] >= 100
    assert np.array_equal(picture[::factor, ::factor], small)


def test_bad_shapes_are_refused():
    with pytest.raises(ValueError, match="N, C, H, W"):
        make_grid(torch.zeros(3, 8, 8))
    with pytest.raises(ValueError, match="channels"):
        save_image_grid(torch.zeros(2, 2, 8, 8), "x.png")
