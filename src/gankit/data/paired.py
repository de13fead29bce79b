"""Paired image folders for image-to-image translation (pix2pix).

- ``paired:PATH``: pix2pix's layout, ``PATH/train``, ``PATH/val``, ``PATH/test`` holding
  side-by-side A|B images (Isola et al. 2017's facades, maps, ... files).
- ``paired-dirs:PATH``: separate ``A/`` and ``B/`` folders (in ``PATH/<split>/``, or directly in
  ``PATH`` for training pairs only) matched by file name. Several targets for one input are ``name_1.png`` ...
  ``name_k.png`` in ``B/`` beside ``name.png`` in ``A/``; every input needs the same k.

Images are read into memory, resized (shorter side) and centre-cropped to ``data.image_size``
(256 when unset, the paper's size). Odd widths, missing partners and pairs of different sizes
are errors naming the file.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import torch

from gankit.config import DataConfig
from gankit.data.base import PairedTensorDataset
from gankit.data.folder import list_image_files
from gankit.data.registry import DATASETS
from gankit.data.transforms import check_image_options, images_from_pixels
from gankit.errors import DataError

DEFAULT_IMAGE_SIZE = 256
TARGET_SUFFIX = re.compile(r"^(?P<stem>.+)_(?P<index>\d+)$")


def _read(path: Path) -> np.ndarray:
    from PIL import Image

    try:
        with Image.open(path) as image:
            return np.asarray(image.convert("RGB"))
    except OSError as exc:
        raise DataError(f"Cannot read the image {path}: {exc}.") from None


def _to_tensors(images: list[np.ndarray], cfg: DataConfig) -> torch.Tensor:
    size = cfg.image_size or DEFAULT_IMAGE_SIZE
    pixels = np.stack([image.transpose(2, 0, 1) for image in images])
    return images_from_pixels(pixels, 255.0, size, cfg.channels)


def _split_folder(root: Path, split: str, layout: str) -> Path:
    root = Path(root).expanduser()
    if not root.is_dir():
        raise DataError(f"The {layout} folder {root} does not exist.")
    return root / split if (root / split).is_dir() else root


@DATASETS.register("paired")
def paired_dataset(cfg: DataConfig, location: str | None = None) -> PairedTensorDataset:
    """pix2pix A|B image pairs from PATH/<split>/ (paired:PATH)."""
    if not location:
        raise DataError("Name the folder: data.name=paired:PATH (with train/, val/, test/ inside).")
    check_image_options(f"paired:{location}", cfg.image_size, cfg.channels)
    folder = Path(location).expanduser() / cfg.split
    if not folder.is_dir():
        raise DataError(
            f"{folder} does not exist: paired:PATH needs PATH/{cfg.split}/ with A|B images "
            f"(make them with `gankit prepare stitch` and `gankit prepare split`)."
        )
    files = list_image_files(folder)
    if not files:
        raise DataError(f"{folder} holds no images (png, jpg, jpeg, bmp, webp).")
    inputs, targets = [], []
    for path in files:
        image = _read(path)
        height, width = image.shape[:2]
        if width % 2:
            raise DataError(
                f"{path} is {width} pixels wide, an odd width: an A|B pair is two halves of equal "
                "width side by side."
            )
        inputs.append(image[:, : width // 2])
        targets.append(image[:, width // 2 :])
    return PairedTensorDataset(
        _to_tensors(inputs, cfg),
        _to_tensors(targets, cfg),
        description=f"paired:{location} {cfg.split}, {len(files)} A|B pairs",
    )


@DATASETS.register("paired-dirs")
def paired_dirs_dataset(cfg: DataConfig, location: str | None = None) -> PairedTensorDataset:
    """Separate A/ and B/ folders matched by file name; B name_1..name_k give k targets."""
    if not location:
        raise DataError("Name the folder: data.name=paired-dirs:PATH (with A/ and B/ inside).")
    check_image_options(f"paired-dirs:{location}", cfg.image_size, cfg.channels)
    root = _split_folder(Path(location), cfg.split, "paired-dirs")
    if cfg.split != "train" and root == Path(location).expanduser():  # no PATH/<split>/
        raise DataError(
            f"paired-dirs:{location} has no {cfg.split}/ folder: the A/ and B/ directly inside "
            f"it are training pairs. Put held-out pairs in {root / cfg.split / 'A'} and "
            f"{root / cfg.split / 'B'}."
        )
    a_files = {p.stem: p for p in list_image_files(root / "A")} if (root / "A").is_dir() else {}
    if not a_files:
        raise DataError(f"{root / 'A'} holds no images; paired-dirs:PATH needs A/ and B/ folders.")
    b_groups: dict[str, list[tuple[int, Path]]] = {}
    for path in list_image_files(root / "B") if (root / "B").is_dir() else []:
        match = TARGET_SUFFIX.match(path.stem)
        if path.stem in a_files:
            b_groups.setdefault(path.stem, []).append((0, path))
        elif match and match["stem"] in a_files:
            b_groups.setdefault(match["stem"], []).append((int(match["index"]), path))
        else:
            raise DataError(f"{path} has no partner in {root / 'A'} (files are matched by name).")
    counts = {stem: len(b_groups.get(stem, [])) for stem in a_files}
    missing = [stem for stem, count in counts.items() if count == 0]
    if missing:
        raise DataError(
            f"{a_files[missing[0]]} has no target in {root / 'B'} (expected {missing[0]}.png or "
            f"{missing[0]}_1.png ...); {len(missing)} inputs lack one."
        )
    k = max(counts.values())
    uneven = [stem for stem, count in counts.items() if count != k]
    if uneven:
        raise DataError(
            f"{a_files[uneven[0]]} has {counts[uneven[0]]} targets but others have {k}; every "
            "input needs the same number of targets."
        )
    inputs, targets = [], []
    for stem in sorted(a_files):
        image = _read(a_files[stem])
        group = [_read(path) for _, path in sorted(b_groups[stem])]
        for (_, path), target in zip(sorted(b_groups[stem]), group):
            if target.shape[:2] != image.shape[:2]:
                raise DataError(
                    f"{path} is {target.shape[1]}x{target.shape[0]} but its input "
                    f"{a_files[stem]} is {image.shape[1]}x{image.shape[0]}: a pair needs one size."
                )
        inputs.append(image)
        targets.extend(group)
    target_tensor = _to_tensors(targets, cfg)
    target_tensor = target_tensor.view(len(inputs), k, *target_tensor.shape[1:])
    return PairedTensorDataset(
        _to_tensors(inputs, cfg),
        target_tensor,
        description=f"paired-dirs:{location} {cfg.split}, {len(inputs)} inputs x {k} targets",
    )
