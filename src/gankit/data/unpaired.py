"""Two unpaired image domains (CycleGAN) and several labelled domains (StarGAN).

- ``unpaired:PATH``: CycleGAN's layout, ``PATH/trainA``, ``PATH/trainB``, ``PATH/testA``,
  ``PATH/testB`` (any image files).
- ``unpaired:DATASET_A,DATASET_B``: two registered datasets (or image folders) as the domains,
  e.g. ``mnist,usps``, read at the same ``image_size`` and channels, into memory. A paired dataset named alone
  (``unpaired:photos``) gives its inputs and targets as two unpaired domains.
- ``multidomain:A,B,C``: several registered datasets, one domain each, resized to one size;
  the labels are the domain indices (StarGAN), the datasets' own labels stay in
  ``class_labels``. A folder whose first-level subfolders are the domains works too
  (``folder:PATH``).

The training stream runs over domain A; domain B is sampled independently, uniformly with
replacement, as CycleGAN's ``UnalignedDataset`` does (Zhu et al. 2017's code).
"""

from __future__ import annotations

import dataclasses
import warnings
from pathlib import Path
from typing import cast

import torch

from gankit.config import DataConfig
from gankit.core.spec import DataSpec
from gankit.data.base import GanDataset, InMemoryDataset, TensorDataset
from gankit.data.folder import ImageFolderDataset
from gankit.data.registry import DATASETS, build_dataset
from gankit.errors import DataError

DEFAULT_IMAGE_SIZE = 64


class UnpairedDataset(InMemoryDataset):
    """Domain A (streamed in batches) and domain B (sampled independently by the method)."""

    def __init__(
        self,
        a: torch.Tensor,
        b: torch.Tensor,
        labels_a: torch.Tensor | None = None,
        labels_b: torch.Tensor | None = None,
        num_classes: int | None = None,
        names: tuple[str, str] = ("A", "B"),
        description: str = "",
    ) -> None:
        if a.shape[-2:] != b.shape[-2:]:
            raise DataError(
                f"Domains {names} have different image sizes: {tuple(a.shape)} and {tuple(b.shape)}."
            )
        self.a = TensorDataset(a, labels_a, kind="image")
        self.b = TensorDataset(b, labels_b, kind="image")
        self.names = names
        self.spec = DataSpec(
            "unpaired", tuple(b.shape[1:]), num_classes, input_shape=tuple(a.shape[1:])
        )
        self.description = description

    @property
    def tensors(self) -> tuple[torch.Tensor, torch.Tensor]:
        return self.a.tensors

    @property
    def domain_b(self) -> tuple[torch.Tensor, torch.Tensor]:
        return self.b.tensors

    def __getitem__(self, index: int) -> tuple[torch.Tensor, int]:
        return self.a[index]


def _folder_images(folder: Path, cfg: DataConfig) -> torch.Tensor:
    images = ImageFolderDataset(folder, cfg.image_size or DEFAULT_IMAGE_SIZE, cfg.channels)
    return _in_memory(images)[0]


def _in_memory(dataset: GanDataset) -> tuple[torch.Tensor, torch.Tensor]:
    """All of ``dataset``'s samples and labels as two tensors (a folder's read from disk: domain
    B is drawn at random, so both domains are held in memory)."""
    if isinstance(dataset, InMemoryDataset):
        return dataset.tensors
    items = [dataset[i] for i in range(len(dataset))]
    labels = torch.tensor([label for _, label in items], dtype=torch.long)
    return torch.stack([image for image, _ in items]), labels


@DATASETS.register("unpaired")
def unpaired_dataset(cfg: DataConfig, location: str | None = None) -> UnpairedDataset:
    """Two unpaired domains: PATH with trainA/trainB (testA/testB), or DATASET_A,DATASET_B."""
    if not location:
        raise DataError(
            "Name the domains: data.name=unpaired:PATH (trainA/, trainB/ inside) or "
            "unpaired:DATASET_A,DATASET_B (e.g. unpaired:mnist,usps)."
        )
    folder = Path(location).expanduser()
    if folder.is_dir():
        side = "train" if cfg.split == "train" else "test"
        missing = [f"{side}{d}" for d in "AB" if not (folder / f"{side}{d}").is_dir()]
        if missing:
            raise DataError(f"{folder} has no {' or '.join(missing)} folder (CycleGAN's layout).")
        a, b = (_folder_images(folder / f"{side}{d}", cfg) for d in "AB")
        return UnpairedDataset(
            a, b, names=(f"{side}A", f"{side}B"), description=f"unpaired:{folder} {side}"
        )
    names = [n.strip() for n in location.split(",") if n.strip()]
    if len(names) == 1:
        paired = build_dataset(dataclasses.replace(cfg, name=names[0], options={}))
        if paired.spec.kind != "paired":
            raise DataError(f"unpaired:{names[0]} needs a paired dataset, or two datasets A,B.")
        inputs, targets = cast(InMemoryDataset, paired).tensors  # paired data is in memory
        return UnpairedDataset(
            inputs, targets[:, 0], names=("inputs", "targets"),
            description=f"unpaired:{names[0]}: {paired.description}, as two unpaired domains",
        )  # fmt: skip
    if len(names) != 2:
        raise DataError(f"unpaired: takes two datasets (A,B), got {location!r}.")
    domains = [_domain(name, cfg) for name in names]
    (a, labels_a, name_a), (b, labels_b, name_b) = domains
    classes = 10 if all(d[1] is not None for d in domains) else None
    return UnpairedDataset(
        a, b, labels_a, labels_b, classes, (name_a, name_b),
        description=f"unpaired {name_a} -> {name_b}, {len(a)} and {len(b)} images {tuple(b.shape[1:])}",
    )  # fmt: skip


def _domain(name: str, cfg: DataConfig) -> tuple[torch.Tensor, torch.Tensor | None, str]:
    """One domain's images (at the common size and channels) and labels, by dataset name.

    A missing USPS falls back to the embedded digits, with a warning naming the substitute.
    """
    domain_cfg = dataclasses.replace(cfg, name=name, options={}, image_size=cfg.image_size or 28)
    try:
        dataset = build_dataset(domain_cfg)
    except DataError as exc:
        if name != "usps":
            raise
        warnings.warn(
            f"USPS is not available ({str(exc).split('.')[0]}); the embedded scikit-learn digits "
            "stand in as the second domain.",
            stacklevel=3,
        )
        name = "digits (standing in for usps)"
        dataset = build_dataset(dataclasses.replace(domain_cfg, name="digits", split="train"))
    samples, labels = _in_memory(dataset)
    known = labels if bool((labels >= 0).all()) else None
    return samples, known, name


@DATASETS.register("multidomain")
def multidomain_dataset(cfg: DataConfig, location: str | None = None) -> TensorDataset:
    """Several datasets as domains of one set (StarGAN); labels are the domain indices."""
    names = [n.strip() for n in (location or "").split(",") if n.strip()]
    if len(names) < 2:
        raise DataError(
            "multidomain: takes two or more datasets, e.g. multidomain:mnist,usps,digits."
        )
    samples, domains, classes, used = [], [], [], []
    for index, name in enumerate(names):
        images, labels, used_name = _domain(name, cfg)
        samples.append(images)
        domains.append(torch.full((len(images),), index, dtype=torch.long))
        classes.append(labels if labels is not None else torch.full((len(images),), -1))
        used.append(used_name)
    dataset = TensorDataset(
        torch.cat(samples), torch.cat(domains), kind="image", num_classes=len(names),
        description=f"multidomain {', '.join(used)}: {sum(len(s) for s in samples)} images",
    )  # fmt: skip
    dataset.class_labels = torch.cat(classes)
    dataset.domain_names = used
    return dataset
