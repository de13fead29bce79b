import numpy as np
import pytest
import torch
from PIL import Image

from gankit.config import DataConfig
from gankit.data import build_dataset
from gankit.errors import DataError


def save(path, width, height, value=0):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.full((height, width, 3), value, dtype=np.uint8)).save(path)


def test_side_by_side_pairs_are_split_in_halves(tmp_path):
    image = np.zeros((16, 32, 3), dtype=np.uint8)
    image[:, 16:] = 255
    (tmp_path / "train").mkdir()
    Image.fromarray(image).save(tmp_path / "train" / "p.png")
    ds = build_dataset(DataConfig(name=f"paired:{tmp_path}", image_size=16))
    assert ds.spec.kind == "paired" and ds.spec.input_shape == (3, 16, 16)
    inputs, targets = ds.tensors
    assert inputs.max() == -1 and targets.min() == 1 and targets.shape == (1, 1, 3, 16, 16)


def test_odd_widths_and_missing_splits_name_the_file(tmp_path):
    save(tmp_path / "train" / "odd.png", 31, 16)
    with pytest.raises(DataError, match="odd.png is 31 pixels wide"):
        build_dataset(DataConfig(name=f"paired:{tmp_path}", image_size=16))
    with pytest.raises(DataError, match="val"):
        build_dataset(DataConfig(name=f"paired:{tmp_path}", split="val"))


def test_several_targets_per_input(tmp_path):
    for stem in ("a", "b"):
        save(tmp_path / "A" / f"{stem}.png", 8, 8)
        for k in (1, 2, 3):
            save(tmp_path / "B" / f"{stem}_{k}.png", 8, 8, value=40 * k)
    ds = build_dataset(DataConfig(name=f"paired-dirs:{tmp_path}", image_size=8))
    assert ds.spec.targets == 3 and ds.tensors[1].shape == (2, 3, 3, 8, 8)
    values = ds.tensors[1][0, :, 0, 0, 0]
    assert values[0] < values[1] < values[2]  # name_1 .. name_3 in order


def test_paired_dirs_without_split_folders_holds_training_pairs_only(tmp_path):
    save(tmp_path / "A" / "x.png", 8, 8)
    save(tmp_path / "B" / "x.png", 8, 8)
    assert len(build_dataset(DataConfig(name=f"paired-dirs:{tmp_path}", image_size=8))) == 1
    with pytest.raises(DataError, match="no val/ folder.*training pairs"):
        build_dataset(DataConfig(name=f"paired-dirs:{tmp_path}", split="val"))


def test_paired_dirs_errors_name_the_file(tmp_path):
    save(tmp_path / "A" / "x.png", 8, 8)
    save(tmp_path / "A" / "y.png", 8, 8)
    save(tmp_path / "B" / "x.png", 8, 8)
    with pytest.raises(DataError, match="y.png has no target"):
        build_dataset(DataConfig(name=f"paired-dirs:{tmp_path}"))
    save(tmp_path / "B" / "y.png", 9, 8)
    with pytest.raises(DataError, match="y.png is 9x8 but its input"):
        build_dataset(DataConfig(name=f"paired-dirs:{tmp_path}"))
    save(tmp_path / "B" / "z.png", 8, 8)
    with pytest.raises(DataError, match="z.png has no partner"):
        build_dataset(DataConfig(name=f"paired-dirs:{tmp_path}"))


def test_embedded_photo_pairs():
    cfg = DataConfig(name="photos", image_size=32, options={"count": 6, "crop": 64})
    ds = build_dataset(cfg)
    inputs, targets = ds.tensors
    assert inputs.shape == (6, 3, 32, 32) and targets.shape == (6, 1, 3, 32, 32)
    assert not torch.equal(inputs, targets[:, 0])  # A is the map, B the photo
    again = build_dataset(cfg)
    assert torch.equal(again.tensors[0], inputs)  # reproducible
    val = build_dataset(
        DataConfig(name="photos", split="val", image_size=32, options={"count": 4, "crop": 64})
    )
    assert not any(torch.equal(v, t) for v in val.tensors[1][:, 0] for t in targets[:, 0])


def map_colours(image):
    """Distinct RGB colours of one (3, H, W) image in [-1, 1]."""
    pixels = torch.round((image + 1) * 127.5).permute(1, 2, 0).reshape(-1, 3)
    return len(torch.unique(pixels, dim=0))


def test_embedded_photo_maps_have_at_most_k_colours():
    for k in (4, 3):
        options = {"count": 4, "crop": 128, "k": k}
        maps = build_dataset(DataConfig(name="photos", image_size=128, options=options)).tensors[0]
        assert all(map_colours(m) <= k for m in maps)
    assert map_colours(maps[0]) == 3  # a real crop fills every colour


def test_noisy_photo_maps_are_the_clean_maps_with_pixel_noise():
    options = {"count": 4, "crop": 64}
    clean = build_dataset(DataConfig(name="photos", split="test", image_size=32, options=options))
    noisy = build_dataset(
        DataConfig(name="photos", split="test", image_size=32, options={**options, "noise": 0.25})
    )
    assert torch.equal(noisy.tensors[1], clean.tensors[1])  # same crops: only the maps differ
    changed = (noisy.tensors[0] != clean.tensors[0]).any(dim=1).float().mean(dim=(1, 2))
    assert torch.all((changed > 0.24) & (changed <= 0.25))  # 256 of 1024 pixels drawn
