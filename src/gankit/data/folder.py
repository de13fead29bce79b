"""Any folder of images (``folder:PATH``), read recursively and decoded lazily.

The constructor lists the files and checks each header (``PIL.Image.open`` reads the header
only), so a bad folder fails at once; pixels are decoded in ``__getitem__``, which runs in the
DataLoader workers. Every image is resized so its shorter side is ``image_size`` (64 when
unset) and center-cropped to a square. When every image sits in a first-level subfolder, the
sorted subfolder names are the classes, as in torchvision's ``ImageFolder`` (the
pytorch-CycleGAN-and-pix2pix ``image_folder`` layout otherwise, with label -1).
"""

from __future__ import annotations

import warnings
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import torch

from gankit.config import DataConfig
from gankit.core.spec import DataSpec
from gankit.data.base import GanDataset
from gankit.data.registry import DATASETS
from gankit.data.transforms import check_image_options, pixels_to_tensor, resize_images
from gankit.errors import DataError

IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp", ".webp")
DEFAULT_IMAGE_SIZE = 64
# PIL modes that hold one gray value per pixel; every other mode is read as RGB.
GRAY_MODES = frozenset({"1", "L", "LA", "La", "I", "I;16", "I;16B", "I;16L", "I;16N", "F"})
LISTED_NAMES = 5  # unreadable files named in a warning or error


class ImageFolderDataset(GanDataset):
    """The images under ``root`` (recursively), as (C, S, S) tensors in [-1, 1]."""

    def __init__(
        self, root: str | Path, image_size: int | None = None, channels: int | None = None
    ) -> None:
        self.root = Path(root).expanduser()
        check_image_options(f"folder:{root}", image_size, channels)
        self.image_size = DEFAULT_IMAGE_SIZE if image_size is None else image_size
        if not self.root.is_dir():
            raise DataError(
                f"Image folder {self.root} does not exist or is not a folder; check the path in "
                "data.name=folder:PATH."
            )
        files, modes, sizes = self._readable_images(list_image_files(self.root))
        self.files = files
        self.stored_sizes = Counter(sizes)  # (width, height) as stored -> how many images
        self.channels = channels or majority_channels(modes, self.root)
        self.classes, self.labels = folder_labels(self.root, files)
        self._set_size(self.image_size)

    @classmethod
    def at_stored_size(cls, root: str | Path, channels: int | None = None) -> ImageFolderDataset:
        """The folder read at the size its images are stored at, without resampling, as FID
        codes (pytorch-fid, torch-fidelity, clean-fid) feed images to their network; every image
        must then have one square size."""
        dataset = cls(root, channels=channels)
        sizes = dataset.stored_sizes
        (width, height), _ = sizes.most_common(1)[0]
        if len(sizes) > 1 or width != height:
            found = ", ".join(f"{w}x{h} ({count})" for (w, h), count in sizes.most_common(3))
            kind = "several sizes" if len(sizes) > 1 else "a non-square size"
            raise DataError(
                f"{dataset.root} holds images of {kind} ({found}{', ...' if len(sizes) > 3 else ''}"
                "); read at their stored size, a folder needs one square size. Pass "
                "--image-size S to resize every image to S first (shorter side, centred crop)."
            )
        dataset._set_size(width)
        return dataset

    def _set_size(self, image_size: int) -> None:
        self.image_size = image_size
        self.spec = DataSpec(
            "image",
            (self.channels, self.image_size, self.image_size),
            len(self.classes) or None,
        )
        self.description = (
            f"{len(self.files)} images from {self.root}, "
            f"{self.channels}x{self.image_size}x{self.image_size}"
            + (f", {len(self.classes)} classes" if self.classes else "")
        )

    def __len__(self) -> int:
        return len(self.files)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, int]:
        from PIL import Image

        path = self.files[index]
        mode = "L" if self.channels == 1 else "RGB"
        try:
            with Image.open(path) as image:
                # JPEG can decode at a reduced scale, still at least image_size on each side.
                image.draft(mode, (self.image_size, self.image_size))
                pixels = np.asarray(image.convert(mode))
        except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
            raise DataError(
                f"Could not decode image {path} ({exc}); it is damaged or truncated. Remove it "
                f"or replace it, then run again."
            ) from None
        if pixels.ndim == 2:
            pixels = pixels[:, :, None]
        image_tensor = pixels_to_tensor(pixels).permute(2, 0, 1)[None]
        return resize_images(image_tensor, self.image_size)[0].contiguous(), self.labels[index]

    def _readable_images(
        self, candidates: list[Path]
    ) -> tuple[list[Path], list[str], list[tuple[int, int]]]:
        """The files whose header PIL can read, their modes and sizes; warns about the others."""
        if not candidates:
            raise DataError(
                f"Image folder {self.root} holds no images (searched recursively for "
                f"{', '.join(IMAGE_EXTENSIONS)}, any letter case); name a folder of images."
            )
        with ThreadPoolExecutor(max_workers=8) as pool:
            headers = list(pool.map(image_header, candidates))
        readable = [
            (path, header) for path, header in zip(candidates, headers, strict=True) if header
        ]
        broken = [
            path.relative_to(self.root)
            for path, header in zip(candidates, headers, strict=True)
            if header is None
        ]
        named = ", ".join(str(path) for path in broken[:LISTED_NAMES])
        if not readable:
            raise DataError(
                f"None of the {len(candidates)} image files in {self.root} can be read (e.g. "
                f"{named}); they are damaged or not images. Replace them."
            )
        if broken:
            warnings.warn(
                f"Skipping {len(broken)} unreadable image file(s) of {len(candidates)} in "
                f"{self.root}: {named}{', ...' if len(broken) > LISTED_NAMES else ''}.",
                stacklevel=3,
            )
        return (
            [path for path, _ in readable],
            [mode for _, (mode, _) in readable],
            [size for _, (_, size) in readable],
        )


def list_image_files(root: Path) -> list[Path]:
    """Image files under ``root`` by extension (any case), sorted; hidden entries are skipped."""
    return sorted(
        path
        for path in root.rglob("*")
        if path.suffix.lower() in IMAGE_EXTENSIONS
        and not any(part.startswith(".") for part in path.relative_to(root).parts)
        and path.is_file()
    )


def image_header(path: Path) -> tuple[str, tuple[int, int]] | None:
    """The PIL mode and (width, height) of the image at ``path``, read from its header; None
    when unreadable."""
    from PIL import Image

    try:
        with Image.open(path) as image:
            return image.mode, image.size
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        return None


def majority_channels(modes: list[str], root: Path) -> int:
    """1 when most images are grayscale, else 3; warns with the counts when modes are mixed."""
    gray = sum(mode in GRAY_MODES for mode in modes)
    colour = len(modes) - gray
    channels = 1 if gray > colour else 3
    if gray and colour:
        warnings.warn(
            f"Image folder {root} mixes {gray} grayscale and {colour} colour images; reading all "
            f"as {'grayscale' if channels == 1 else 'RGB'} (the majority). Set data.channels=1 "
            "or 3 to choose.",
            stacklevel=4,
        )
    return channels


def folder_labels(root: Path, files: list[Path]) -> tuple[list[str], list[int]]:
    """ImageFolder labels (sorted first-level subfolders) when every image has one, else -1."""
    parts = [path.relative_to(root).parts for path in files]
    if not all(len(p) > 1 for p in parts):
        return [], [-1] * len(files)
    classes = sorted({p[0] for p in parts})
    index = {name: i for i, name in enumerate(classes)}
    return classes, [index[p[0]] for p in parts]


@DATASETS.register("folder")
def folder_dataset(cfg: DataConfig, location: str | None = None) -> ImageFolderDataset:
    """Any folder of images (png, jpg, bmp, webp), recursively: folder:PATH, or just PATH.

    Images are resized (shorter side to ``image_size``, 64 when unset) and center-cropped;
    ``channels`` None picks the majority of the files (grayscale or RGB).
    """
    if not location:
        raise DataError("Dataset 'folder' needs a path: set data.name=folder:PATH.")
    if cfg.split != "train":
        raise DataError(
            f"An image folder has no {cfg.split!r} split; point data.name=folder:PATH at the "
            "folder that holds the images you want and keep data.split=train."
        )
    return ImageFolderDataset(location, cfg.image_size, cfg.channels)
