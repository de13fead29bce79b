"""Image folders: recursion, sizes, modes, labels, and the errors a bad folder gives."""

import warnings

import numpy as np
import pytest
import torch
from PIL import Image

from gankit.config import DataConfig
from gankit.data import build_dataset
from gankit.data.folder import ImageFolderDataset
from gankit.errors import DataError


def save(path, mode="RGB", size=(40, 30), value=128, fmt=None):
    path.parent.mkdir(parents=True, exist_ok=True)
    channels = {"L": (), "RGB": (3,), "RGBA": (4,)}[mode]
    pixels = np.full((size[1], size[0], *channels), value, dtype=np.uint8)
    Image.fromarray(pixels, mode).save(path, format=fmt)
    return path


def folder_cfg(path, **fields):
    return DataConfig(name=f"folder:{path}", **fields)


def test_reads_recursively_every_extension_in_any_case(tmp_path):
    save(tmp_path / "a.png")
    save(tmp_path / "deep" / "er" / "b.JPG", fmt="JPEG")
    save(tmp_path / "c.jpeg", fmt="JPEG")
    save(tmp_path / "d.bmp")
    save(tmp_path / "e.webp")
    (tmp_path / "notes.txt").write_text("not an image")
    save(tmp_path / ".hidden" / "f.png")
    data = build_dataset(folder_cfg(tmp_path))
    assert len(data) == 5
    assert {p.name for p in data.files} == {"a.png", "b.JPG", "c.jpeg", "d.bmp", "e.webp"}


def test_resizes_shorter_side_and_center_crops(tmp_path):
    # A 60x30 image: left and right quarters black, middle half white.
    pixels = np.zeros((30, 60, 3), dtype=np.uint8)
    pixels[:, 15:45] = 255
    Image.fromarray(pixels).save(tmp_path / "wide.png")
    data = build_dataset(folder_cfg(tmp_path, image_size=16))
    image, label = data[0]
    assert image.shape == (3, 16, 16) and label == -1
    assert data.spec.shape == (3, 16, 16) and data.spec.kind == "image"
    # Only the white middle survives the crop; the filter blurs its outermost columns slightly.
    assert image.min() > 0.5
    assert torch.allclose(image[:, :, 2:-2], torch.tensor(1.0), atol=1e-5)


def test_default_size_is_64_and_range_is_minus_one_one(tmp_path):
    save(tmp_path / "black.png", value=0)
    save(tmp_path / "white.png", value=255)
    data = build_dataset(folder_cfg(tmp_path))
    black, white = data[0][0], data[1][0]
    assert black.shape == (3, 64, 64)
    assert torch.allclose(black, torch.tensor(-1.0), atol=1e-5)
    assert torch.allclose(white, torch.tensor(1.0), atol=1e-5)


def test_grayscale_folder_gives_one_channel_and_can_be_made_rgb(tmp_path):
    save(tmp_path / "a.png", mode="L", value=0)
    save(tmp_path / "b.png", mode="L", value=255)
    gray = build_dataset(folder_cfg(tmp_path, image_size=8))
    assert gray.spec.shape == (1, 8, 8) and gray[1][0].shape == (1, 8, 8)
    rgb = build_dataset(folder_cfg(tmp_path, image_size=8, channels=3))
    assert rgb[1][0].shape == (3, 8, 8)
    assert torch.allclose(rgb[1][0], torch.tensor(1.0), atol=1e-5)


def test_rgb_can_be_read_as_grayscale(tmp_path):
    save(tmp_path / "a.png", mode="RGBA")
    data = build_dataset(folder_cfg(tmp_path, image_size=8, channels=1))
    assert data[0][0].shape == (1, 8, 8)


def test_mixed_modes_warn_with_counts_and_follow_the_majority(tmp_path):
    for i in range(3):
        save(tmp_path / f"gray{i}.png", mode="L")
    save(tmp_path / "colour.png", mode="RGB")
    with pytest.warns(UserWarning, match="3 grayscale and 1 colour"):
        data = build_dataset(folder_cfg(tmp_path, image_size=8))
    assert data.spec.shape == (1, 8, 8)
    assert all(data[i][0].shape == (1, 8, 8) for i in range(len(data)))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert build_dataset(folder_cfg(tmp_path, image_size=8, channels=3)).spec.shape[0] == 3


def test_missing_and_empty_folders_raise(tmp_path):
    with pytest.raises(DataError, match="does not exist"):
        ImageFolderDataset(tmp_path / "nowhere")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "readme.txt").write_text("x")
    with pytest.raises(DataError, match=r"no images .*\.png, \.jpg, \.jpeg, \.bmp, \.webp"):
        build_dataset(folder_cfg(tmp_path))


def test_unreadable_files_are_skipped_with_a_warning(tmp_path):
    save(tmp_path / "good.png")
    (tmp_path / "broken.png").write_bytes(b"this is not a png")
    with pytest.warns(UserWarning, match="Skipping 1 unreadable .*broken.png"):
        data = build_dataset(folder_cfg(tmp_path, image_size=8))
    assert [p.name for p in data.files] == ["good.png"]


def test_all_files_unreadable_raises(tmp_path):
    (tmp_path / "a.png").write_bytes(b"junk")
    (tmp_path / "b.jpg").write_bytes(b"junk")
    with pytest.raises(DataError, match="None of the 2 image files"):
        build_dataset(folder_cfg(tmp_path))


def test_a_file_damaged_after_listing_raises_a_data_error_naming_it(tmp_path):
    path = save(tmp_path / "a.png", size=(64, 64))
    data = build_dataset(folder_cfg(tmp_path, image_size=8))
    path.write_bytes(path.read_bytes()[:60])
    with pytest.raises(DataError, match="a.png"):
        data[0]


def test_first_level_subfolders_are_sorted_class_labels(tmp_path):
    save(tmp_path / "zebra" / "1.png")
    save(tmp_path / "ant" / "1.png")
    save(tmp_path / "ant" / "nested" / "2.png")
    save(tmp_path / "moth" / "1.png")
    data = build_dataset(folder_cfg(tmp_path, image_size=8))
    assert data.classes == ["ant", "moth", "zebra"]
    assert data.spec.num_classes == 3
    labels = {p.relative_to(tmp_path).as_posix(): data[i][1] for i, p in enumerate(data.files)}
    assert labels == {"ant/1.png": 0, "ant/nested/2.png": 0, "moth/1.png": 1, "zebra/1.png": 2}


def test_an_image_at_the_top_level_means_no_labels(tmp_path):
    save(tmp_path / "cats" / "1.png")
    save(tmp_path / "loose.png")
    data = build_dataset(folder_cfg(tmp_path, image_size=8))
    assert data.spec.num_classes is None
    assert [data[i][1] for i in range(len(data))] == [-1, -1]


def test_a_bare_directory_name_is_a_folder_dataset(tmp_path):
    save(tmp_path / "a.png")
    data = build_dataset(DataConfig(name=str(tmp_path), image_size=8))
    assert isinstance(data, ImageFolderDataset) and len(data) == 1


def test_works_in_dataloader_workers(tmp_path):
    for i in range(4):
        save(tmp_path / f"{i}.png", value=i * 60)
    data = build_dataset(folder_cfg(tmp_path, image_size=8))
    loader = torch.utils.data.DataLoader(data, batch_size=2, num_workers=2)
    batches = list(loader)
    assert [tuple(b[0].shape) for b in batches] == [(2, 3, 8, 8), (2, 3, 8, 8)]


def test_folder_without_a_path_and_with_a_split_raise(tmp_path):
    with pytest.raises(DataError, match="needs a path"):
        build_dataset(DataConfig(name="folder:"))
    save(tmp_path / "a.png")
    with pytest.raises(DataError, match="no 'test' split"):
        build_dataset(folder_cfg(tmp_path, split="test"))
