"""Translating image files with a trained image-to-image run (``gankit translate``).

Every image is converted to the model's channels, resized (bilinear, antialiased when shrinking)
to the model's square size, translated, and resized back to its own size, so any input size
works; the output keeps the input's relative path and file name (saved as PNG). Resizing rather
than tiling keeps the whole image in view of the generator, as in training, at the cost of
detail for inputs much larger than the model.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from gankit.core.method import Translator
from gankit.data.folder import IMAGE_EXTENSIONS, list_image_files
from gankit.data.transforms import convert_channels, pixels_to_tensor, resize_images
from gankit.errors import ConfigError, DataError
from gankit.runs.launch import load_trained
from gankit.viz.grid import save_image


def translate_files(
    run_dir: str | Path,
    source: str | Path,
    destination: str | Path,
    target: str | int | None = None,
    device: str = "cpu",
    batch_size: int = 8,
) -> list[Path]:
    """Translate the image ``source`` (a file or a folder, read recursively) into ``destination``.

    ``target`` is where to: ``AtoB`` or ``BtoA`` for a two-way model (cyclegan; default AtoB,
    pix2pix's only its trained direction), a domain index for a multi-domain one (stargan).
    """
    source, destination = Path(source).expanduser(), Path(destination).expanduser()
    if destination.resolve() == (source if source.is_dir() else source.parent).resolve():
        raise DataError(
            f"The output folder {destination} is the input's (--output is the --input folder): "
            "the translations would overwrite the images; choose another folder."
        )
    method, _, net = load_trained(run_dir, device=device)
    if not isinstance(method, Translator):
        raise ConfigError(
            f"{run_dir} is a {method.cfg.method} run, which generates rather than translates "
            "images; use `gankit sample` for it."
        )
    if source.is_file():
        if source.suffix.lower() not in IMAGE_EXTENSIONS:
            raise DataError(f"{source} is not an image ({', '.join(IMAGE_EXTENSIONS)}).")
        files, root = [source], source.parent
    elif source.is_dir():
        files, root = list_image_files(source), source
        if not files:
            raise DataError(f"{source} holds no images to translate.")
    else:
        raise DataError(f"{source} does not exist.")
    (channels, height, _), _ = method.translation_shapes(target)
    written = []
    for start in range(0, len(files), batch_size):
        chunk = files[start : start + batch_size]
        originals = [_read(path) for path in chunk]
        batch = torch.cat(
            [resize_images(convert_channels(image, channels), height) for image in originals]
        )
        outputs = method.translate(batch, target, net)
        for path, original, output in zip(chunk, originals, outputs):
            restored = F.interpolate(
                output[None], size=original.shape[-2:], mode="bilinear", align_corners=False
            )[0]
            out = destination / path.relative_to(root).with_suffix(".png")
            _write(restored, out)
            written.append(out)
    return written


def _read(path: Path) -> torch.Tensor:
    try:
        with Image.open(path) as image:
            pixels = np.asarray(image.convert("RGB")).transpose(2, 0, 1)
    except OSError as exc:
        raise DataError(f"Cannot read the image {path}: {exc}.") from None
    return pixels_to_tensor(pixels[None])


def _write(image: torch.Tensor, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    save_image(image, path)
