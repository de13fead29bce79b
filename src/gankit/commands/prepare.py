"""`gankit prepare`: data-preparation tools, each reading a folder and writing a folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import click


def _run(files: Iterator[Path], total: int, what: str) -> int:
    from rich.progress import track

    count = sum(1 for _ in track(files, total=total, description=what, transient=True))
    click.echo(f"{what}: wrote {count} images")
    return count


def _count(folder: str) -> int:
    from gankit.data.folder import list_image_files

    return len(list_image_files(Path(folder))) if Path(folder).is_dir() else 0


@click.group("prepare")
def prepare_group() -> None:
    """Make training data: semantic maps, pixel noise, edge maps, A|B pairs, splits."""


@prepare_group.command("semantic-maps")
@click.argument("src", type=click.Path(exists=True, file_okay=False))
@click.argument("dst", type=click.Path(file_okay=False))
@click.option("--k", type=int, default=4, show_default=True, help="Colours (k-means clusters).")
@click.option("--blur", type=float, default=1.0, show_default=True, help="Gaussian sigma, px.")
@click.option("--seed", type=int, default=0, show_default=True)
def semantic_maps_command(src: str, dst: str, k: int, blur: float, seed: int) -> None:
    """Gaussian blur of each image, then k-means colour quantisation: maps with k colours."""
    from gankit.data.prepare import map_folder, semantic_map

    files = map_folder(Path(src), Path(dst), lambda im, s: semantic_map(im, k, blur, s), seed)
    _run(files, _count(src), "semantic maps")


@prepare_group.command("noise")
@click.argument("src", type=click.Path(exists=True, file_okay=False))
@click.argument("dst", type=click.Path(file_okay=False))
@click.option("--fraction", type=float, default=0.25, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True)
def noise_command(src: str, dst: str, fraction: float, seed: int) -> None:
    """Replace that fraction of each image's pixels with uniformly random RGB values."""
    import numpy as np

    from gankit.data.prepare import map_folder, pixel_noise

    def transform(image, index_seed):
        return pixel_noise(image, fraction, np.random.default_rng(index_seed))

    _run(map_folder(Path(src), Path(dst), transform, seed), _count(src), "pixel noise")


@prepare_group.command("edges")
@click.argument("src", type=click.Path(exists=True, file_okay=False))
@click.argument("dst", type=click.Path(file_okay=False))
@click.option("--threshold", type=float, default=0.1, show_default=True, help="Of the max edge.")
def edges_command(src: str, dst: str, threshold: float) -> None:
    """Sobel edge drawings (dark lines on white), for photo -> sketch-like pairs."""
    from gankit.data.prepare import edge_map, map_folder

    files = map_folder(Path(src), Path(dst), lambda im, _: edge_map(im, threshold), 0)
    _run(files, _count(src), "edge maps")


@prepare_group.command("stitch")
@click.argument("a_dir", type=click.Path(exists=True, file_okay=False))
@click.argument("b_dir", type=click.Path(exists=True, file_okay=False))
@click.argument("dst", type=click.Path(file_okay=False))
def stitch_command(a_dir: str, b_dir: str, dst: str) -> None:
    """A|B side-by-side pairs of the images with the same name in A_DIR and B_DIR."""
    from gankit.data.prepare import stitch_folders

    _run(stitch_folders(Path(a_dir), Path(b_dir), Path(dst)), _count(a_dir), "A|B pairs")


@prepare_group.command("split")
@click.argument("src", type=click.Path(exists=True, file_okay=False))
@click.argument("dst", type=click.Path(file_okay=False), required=False)
@click.option("--val", type=float, default=0.1, show_default=True)
@click.option("--test", type=float, default=0.1, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True)
def split_command(src: str, dst: str | None, val: float, test: float, seed: int) -> None:
    """Copy SRC's images into DST/train, DST/val and DST/test; with no DST, move them into
    SRC/train, SRC/val and SRC/test."""
    from gankit.data.prepare import split_folder

    counts = split_folder(Path(src), Path(dst or src), val, test, seed)
    click.echo(", ".join(f"{split}: {n}" for split, n in counts.items()))
    for split, fraction in (("val", val), ("test", test)):
        if fraction > 0 and counts[split] == 0:
            click.echo(f"note: {split} is empty ({fraction} of {sum(counts.values())} images "
                       "rounds to none)", err=True)  # fmt: skip


COMMANDS = [prepare_group]
