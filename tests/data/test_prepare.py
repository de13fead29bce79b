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


def colours(image):
    return len(np.unique(image.reshape(-1, 3), axis=0))


def photo_crop(size=128):
    """A real crop: the temple photograph scikit-learn ships (the embedded photos' source)."""
    from sklearn.datasets import load_sample_images

    return load_sample_images().images[0][100 : 100 + size, 200 : 200 + size]


@pytest.mark.parametrize("blur", [0.0, 1.0, 2.5])
def test_semantic_map_has_at_most_k_colours(blur):
    for image in (picture(), photo_crop()):
        for k in (2, 4):
            mapped = semantic_map(image, k=k, blur=blur, seed=0)
            assert mapped.shape == image.shape and mapped.dtype == np.uint8
            assert colours(mapped) <= k
    assert colours(semantic_map(photo_crop(), k=4, blur=blur)) == 4  # a photo fills all four


def test_semantic_map_blurs_before_quantising():
    from scipy.ndimage import gaussian_filter

    image = np.zeros((24, 24, 3), dtype=np.uint8)  # left: one-pixel checks, right: black
    image[:, :12] = (np.indices((24, 12)).sum(axis=0) % 2 * 255)[..., None]
    mapped = semantic_map(image, k=2, blur=1.0)
    # The checks average to grey before k-means sees them: two colours, grey and black.
    # Quantising first would find black and white, and the blur would then add dozens of greys.
    assert colours(mapped) == 2
    assert mapped[4:20, 2:8].min() > 64 and mapped[4:20, 2:8].max() < 192
    assert mapped[:, 16:].max() < 32
    blurred = np.rint(gaussian_filter(image.astype(np.float64), sigma=(1, 1, 0))).astype(np.uint8)
    assert np.array_equal(mapped, semantic_map(blurred, k=2, blur=0.0))


def test_semantic_map_is_deterministic():
    image = photo_crop(64)
    assert np.array_equal(semantic_map(image, seed=3), semantic_map(image, seed=3))


def test_semantic_map_rejects_impossible_options():
    with pytest.raises(DataError, match="k >= 1 colours and blur >= 0"):
        semantic_map(picture(), k=0)
    with pytest.raises(DataError, match="k >= 1 colours and blur >= 0"):
        semantic_map(picture(), blur=-1.0)


def test_semantic_maps_command_writes_k_colour_maps(cli, tmp_path):
    source = tmp_path / "photos"
    source.mkdir()
    Image.fromarray(picture()).save(source / "noise.png")
    Image.fromarray(photo_crop()).save(source / "temple.png")
    for out in ("maps", "again"):
        assert cli("prepare", "semantic-maps", source, tmp_path / out, "--k", 3) == 0
    for name in ("noise.png", "temple.png"):
        mapped = np.asarray(Image.open(tmp_path / "maps" / name))
        assert mapped.shape == (picture().shape if name == "noise.png" else (128, 128, 3))
        assert colours(mapped) <= 3
        again = np.asarray(Image.open(tmp_path / "again" / name))
        assert np.array_equal(mapped, again)  # same seed, same maps


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


def test_the_split_command_notes_an_empty_split(tmp_path, cli, capsys):
    for i in range(4):
        Image.fromarray(picture(i, 4)).save(tmp_path / f"{i}.png")
    assert cli("prepare", "split", tmp_path, tmp_path / "out") == 0
    err = capsys.readouterr().err
    assert "note: val is empty" in err and "note: test is empty" in err
