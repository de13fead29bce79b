"""Data preparation for image-to-image training: semantic maps, pixel noise, edges, A|B pairs.

The semantic maps follow Tucker's study of noise in pix2pix training (Tucker 2022, "Using GANs
to produce art in a particular style from semantic maps", section 5): a Gaussian blur, then
k-means with k = 4 on the blurred RGB values, every pixel replaced by its cluster's centroid, so
a map has only four colours. The pixel noise of the same study replaces about a quarter of a
finished map's pixels with uniformly random RGB triples, so a noisy map has many more colours.
Each function works on one image (uint8 H x W x 3 arrays); :func:`map_folder` applies one to a
folder, and the ``gankit prepare`` commands call them.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
from PIL import Image

from gankit.data.folder import list_image_files
from gankit.errors import DataError


def semantic_map(image: np.ndarray, k: int = 4, blur: float = 1.0, seed: int = 0) -> np.ndarray:
    """A semantic map: the image blurred, then each pixel replaced by its k-means centroid.

    ``blur`` is the Gaussian sigma in pixels (default 1; 0 skips it) and ``k`` the number of
    colours (default 4, Tucker 2022 section 5); the map has at most ``k`` distinct colours. The
    same ``seed`` gives the same map.
    """
    from scipy.ndimage import gaussian_filter
    from sklearn.cluster import KMeans

    if k < 1 or blur < 0:
        raise DataError(
            f"A semantic map needs k >= 1 colours and blur >= 0, got k={k}, blur={blur}."
        )
    # Blur first, quantise second: the paper's text lists k-means before the blur, but its
    # four-colour maps and the author's code (DataManagement/xDataGenerator_hpc_noThreading.py,
    # GaussianBlur then quantize(4)) blur first; blurring last would add hundreds of colours.
    pixels = _rgb(image).astype(np.float64)
    if blur > 0:
        pixels = np.clip(np.rint(gaussian_filter(pixels, sigma=(blur, blur, 0))), 0, 255)
    pixels = pixels.reshape(-1, 3)
    clusters = min(k, len(np.unique(pixels, axis=0)))
    kmeans = KMeans(n_clusters=clusters, n_init=3, random_state=seed).fit(pixels)
    centroids = np.clip(np.rint(kmeans.cluster_centers_), 0, 255).astype(np.uint8)
    return centroids[kmeans.labels_].reshape(image.shape[0], image.shape[1], 3)


def pixel_noise(image: np.ndarray, fraction: float, rng: np.random.Generator) -> np.ndarray:
    """A copy with round(fraction * pixels) pixels replaced by uniformly random RGB triples."""
    if not 0 <= fraction <= 1:
        raise DataError(f"The noise fraction must be between 0 and 1, got {fraction}.")
    noisy = _rgb(image).copy()
    height, width = noisy.shape[:2]
    count = round(fraction * height * width)
    chosen = rng.choice(height * width, size=count, replace=False)
    noisy.reshape(-1, 3)[chosen] = rng.integers(0, 256, size=(count, 3), dtype=np.uint8)
    return noisy


def edge_map(image: np.ndarray, threshold: float = 0.1) -> np.ndarray:
    """A sketch-like edge drawing: Sobel gradient magnitude, dark lines on white, RGB."""
    from scipy.ndimage import sobel

    gray = _rgb(image).astype(np.float64) @ np.array([0.299, 0.587, 0.114])
    magnitude = np.hypot(sobel(gray, axis=0), sobel(gray, axis=1))
    magnitude /= max(magnitude.max(), 1e-12)
    lines = np.where(magnitude > threshold, magnitude, 0.0)
    drawing = (255 * (1 - lines)).astype(np.uint8)
    return np.repeat(drawing[..., None], 3, axis=2)


def stitch(a: np.ndarray, b: np.ndarray, name: str = "") -> np.ndarray:
    """The A|B side-by-side pair pix2pix reads; both halves must have the same size."""
    if a.shape[:2] != b.shape[:2]:
        raise DataError(
            f"Cannot stitch {name}: A is {a.shape[1]}x{a.shape[0]} but B is "
            f"{b.shape[1]}x{b.shape[0]} pixels. Resize one of them first."
        )
    return np.concatenate([_rgb(a), _rgb(b)], axis=1)


def load_rgb(path: Path) -> np.ndarray:
    try:
        with Image.open(path) as image:
            return np.asarray(image.convert("RGB"))
    except OSError as exc:
        raise DataError(f"Cannot read the image {path}: {exc}.") from None


def save_rgb(image: np.ndarray, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(image).save(path)


def map_folder(
    source: Path, destination: Path, transform: Callable[[np.ndarray, int], np.ndarray], seed: int
) -> Iterator[Path]:
    """Apply ``transform(image, index_seed)`` to every image under ``source``, keeping relative
    paths (as PNG) under ``destination``; yields each written file (for a progress bar)."""
    if Path(destination).expanduser().resolve() == Path(source).expanduser().resolve():
        raise DataError(
            f"The destination {destination} is the source folder: the results would overwrite its "
            "images; name another folder."
        )
    files = _images(source)
    for index, path in enumerate(files):
        out = destination / path.relative_to(source).with_suffix(".png")
        save_rgb(transform(load_rgb(path), seed + index), out)
        yield out


def stitch_folders(a_dir: Path, b_dir: Path, destination: Path) -> Iterator[Path]:
    """A|B pairs of the images with the same file stem in ``a_dir`` and ``b_dir``."""
    a_files = {p.stem: p for p in _images(a_dir)}
    b_files = {p.stem: p for p in _images(b_dir)}
    missing = sorted(set(a_files) ^ set(b_files))
    if missing:
        raise DataError(
            f"{len(missing)} images have no partner of the same name in the other folder "
            f"(e.g. {', '.join(missing[:5])}); A and B files are matched by name."
        )
    for stem in sorted(a_files):
        out = destination / f"{stem}.png"
        save_rgb(stitch(load_rgb(a_files[stem]), load_rgb(b_files[stem]), stem), out)
        yield out


def split_folder(
    source: Path, destination: Path, val: float, test: float, seed: int
) -> dict[str, int]:
    """Divide the images directly in ``source`` into ``destination``/train, /val and /test at
    random: copied, or moved when ``destination`` is ``source`` itself."""
    if val < 0 or test < 0 or val + test >= 1:
        raise DataError(f"--val {val} and --test {test} must be >= 0 and leave some for train.")
    source = Path(source).expanduser()
    files = [p for p in _images(source) if p.parent == source]
    if not files:
        raise DataError(f"{source} has no images directly inside it to split.")
    order = np.random.default_rng(seed).permutation(len(files))
    n_val, n_test = round(val * len(files)), round(test * len(files))
    parts = {
        "train": order[n_val + n_test :],
        "val": order[:n_val],
        "test": order[n_val : n_val + n_test],
    }
    move = Path(destination).expanduser().resolve() == source.resolve()
    for split, indices in parts.items():
        for index in indices:
            target = Path(destination) / split / files[index].name
            target.parent.mkdir(parents=True, exist_ok=True)
            (shutil.move if move else shutil.copy2)(files[index], target)
    return {split: len(indices) for split, indices in parts.items()}


def _images(folder: Path) -> list[Path]:
    folder = Path(folder).expanduser()
    if not folder.is_dir():
        raise DataError(f"{folder} is not a folder.")
    files = list_image_files(folder)
    if not files:
        raise DataError(f"{folder} holds no images (png, jpg, jpeg, bmp, webp).")
    return files


def _rgb(image: np.ndarray) -> np.ndarray:
    if image.ndim == 2:
        return np.repeat(image[..., None], 3, axis=2)
    if image.ndim != 3 or image.shape[2] not in (3, 4):
        raise DataError(f"Expected an RGB image (H, W, 3), got shape {image.shape}.")
    return image[..., :3]
