import numpy as np
import pytest
from PIL import Image

from gankit.data.prepare import (
    edge_map,
    pixel_noise,
    semantic_map,
    split_folder,
    stitch,
    stitch_folders,
)
from gankit.errors import DataError


def picture(seed=0, size=24):
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, size=(size, size, 3), dtype=np.uint8)


def test_kmeans_map_has_exactly_k_colours_before_the_blur():
    mapped = semantic_map(picture(), k=4, blur=0.0, seed=0)
    assert len(np.unique(mapped.reshape(-1, 3), axis=0)) == 4
    blurred = semantic_map(picture(), k=4, blur=1.0, seed=0)
    assert blurred.shape == (24, 24, 3) and len(np.unique(blurred.reshape(-1, 3), axis=0)) > 4


def test_noise_replaces_the_requested_fraction():
    image = np.zeros((40, 50, 3), dtype=np.uint8)
    noisy = pixel_noise(image, 0.25, np.random.default_rng(0))
    changed = (noisy != 0).any(axis=2).mean()
    assert abs(changed - 0.25) < 0.01  # exactly 500 pixels drawn; a random triple may be black
    assert np.array_equal(image, np.zeros_like(image))  # the input is untouched
    with pytest.raises(DataError, match="between 0 and 1"):
        pixel_noise(image, 1.5, np.random.default_rng(0))


def test_edges_draw_dark_lines_on_white():
    image = np.zeros((16, 16, 3), dtype=np.uint8)
    image[:, 8:] = 255
    edges = edge_map(image)
    assert edges.shape == (16, 16, 3)
    assert edges[:, 2].min() == 255 and edges[:, 7:9].min() < 128


def test_stitch_checks_sizes(tmp_path):
    assert stitch(picture(size=8), picture(size=8)).shape == (8, 16, 3)
    with pytest.raises(DataError, match="A is 8x8 but B is 9x9"):
        stitch(picture(size=8), picture(size=9), "x")
    (tmp_path / "A").mkdir(), (tmp_path / "B").mkdir()
    Image.fromarray(picture(size=8)).save(tmp_path / "A" / "one.png")
    Image.fromarray(picture(size=8)).save(tmp_path / "B" / "two.png")
    with pytest.raises(DataError, match="no partner"):
        list(stitch_folders(tmp_path / "A", tmp_path / "B", tmp_path / "out"))


def test_split_moves_or_copies(tmp_path):
    for i in range(10):
        Image.fromarray(picture(i, 4)).save(tmp_path / f"{i}.png")
    counts = split_folder(tmp_path, tmp_path / "copy", 0.2, 0.1, seed=0)
    assert counts == {"train": 7, "val": 2, "test": 1}
    assert len(list(tmp_path.glob("*.png"))) == 10  # copied
    split_folder(tmp_path, tmp_path, 0.2, 0.1, seed=0)
    assert not list(tmp_path.glob("*.png")) and len(list((tmp_path / "train").glob("*.png"))) == 7
