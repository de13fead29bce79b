"""Label preservation of translated digits: does a translated 3 still read as a 3?

For CycleGAN between labelled domains (MNIST <-> USPS), the headline measure is the accuracy of
the *target* domain's classifier on translated test images, scored against their *source*
labels, in both directions (the protocol of Hoffman et al. 2018, CyCADA, for digit adaptation).
For StarGAN the same is computed from every domain into every other. The classifiers are
gankit's cached domain classifiers (:mod:`gankit.metrics.classifier`), trained on each target
domain's training split at the model's image size.

For CycleGAN two more measures come with each direction: the cycle-reconstruction L1,
``mean |F(G(a)) - a|`` in [-1, 1] units (``cycle_l1_A``; ``cycle_l1_B`` for ``G(F(b))``), and
the classifier FID of the translated images against the target domain's test images, with the
target classifier's penultimate features (``classifier_fid_AtoB``, ``classifier_fid_BtoA``).
"""

from __future__ import annotations

import dataclasses
from typing import Any, cast

import torch

from gankit.config import DataConfig
from gankit.data import build_dataset
from gankit.data.base import InMemoryDataset
from gankit.errors import ConfigError, DataError
from gankit.metrics import fid
from gankit.metrics.classifier import classifier_extractor, label_accuracy


def domain_names(data: DataConfig) -> list[str]:
    """The labelled datasets a translation run's ``data.name`` combines (unpaired:/multidomain:)."""
    kind, _, location = data.name.partition(":")
    names = [n.strip() for n in location.split(",") if n.strip()]
    if kind not in ("unpaired", "multidomain") or len(names) < 2:
        raise ConfigError(
            f"Label preservation needs labelled domains named as datasets (unpaired:mnist,usps or "
            f"multidomain:mnist,usps,digits); this run's data is {data.name!r}."
        )
    return names


def _test_set(name: str, data: DataConfig, size: int) -> tuple[str, torch.Tensor, torch.Tensor]:
    """A domain's test images and labels (train for digits, which has no split); USPS falls back
    to digits as it did in training."""

    for candidate in (name, "digits") if name == "usps" else (name,):
        for split in ("test", "train"):
            cfg = dataclasses.replace(
                data, name=candidate, split=split, options={}, image_size=size
            )
            try:
                # a registered labelled domain (mnist, usps, digits), held in memory
                samples, labels = cast(InMemoryDataset, build_dataset(cfg)).tensors
            except DataError:
                continue
            return candidate, samples, labels
    raise DataError(f"No labelled test images of {name!r} were found for label preservation.")


def label_preservation(
    method: Any, data: DataConfig, n: int = 2000, device: str = "cpu", batch_size: int = 200
) -> dict[str, dict[str, Any]]:
    """``{"labels_AtoB": {"value", "protocol"}, ...}`` for cyclegan; every ordered domain pair
    (``labels_<i>to<j>``) for stargan, plus their mean ``labels_mean``."""

    names = domain_names(data)
    size = method.spec.shape[-1]
    sets = [_test_set(name, data, size) for name in names]
    extractors = {}
    results: dict[str, dict[str, Any]] = {}
    pairs = [("AtoB", 0, 1), ("BtoA", 1, 0)] if len(names) == 2 and method.spec.kind == "unpaired" else [
        (f"{i}to{j}", i, j) for i in range(len(names)) for j in range(len(names)) if i != j
    ]  # fmt: skip
    for key, source, target in pairs:
        used_target = sets[target][0]
        if used_target not in extractors:
            target_data = dataclasses.replace(
                data, name=used_target, split="train", options={}, image_size=size
            )
            extractors[used_target] = classifier_extractor(target_data, device=device)
        _, images, labels = sets[source]
        images, labels = images[:n], labels[:n]
        translated = torch.cat([
            _translate(method, images[i : i + batch_size], key, target)
            for i in range(0, len(images), batch_size)
        ])  # fmt: skip
        accuracy = label_accuracy(translated, labels, extractors[used_target])
        protocol = {
            "source": f"{sets[source][0]} test, first {len(images)}",
            "classifier": f"{used_target} domain classifier at {size} px",
            "classifier_accuracy": extractors[used_target].classifier.accuracy,
        }
        results[f"labels_{key}"] = {"value": accuracy, "protocol": protocol}
        if method.spec.kind == "unpaired":
            results.update(
                _cycle_measures(
                    method,
                    key,
                    images,
                    translated,
                    sets[target],
                    extractors[used_target],
                    protocol,
                    batch_size,
                )  # fmt: skip
            )
    if len(pairs) > 2:
        mean = sum(r["value"] for r in results.values()) / len(results)
        results["labels_mean"] = {"value": mean, "protocol": {"pairs": len(results)}}
    return results


def _cycle_measures(
    method: Any,
    key: str,
    images: torch.Tensor,
    translated: torch.Tensor,
    target_set: tuple[str, torch.Tensor, torch.Tensor],
    extractor: Any,
    protocol: dict[str, Any],
    batch_size: int,
) -> dict[str, dict[str, Any]]:
    """Cycle-reconstruction L1 of the source images and classifier FID against the target."""

    back = "BtoA" if key == "AtoB" else "AtoB"
    reconstructed = torch.cat([
        method.translate(translated[i : i + batch_size], back)
        for i in range(0, len(translated), batch_size)
    ])  # fmt: skip
    cycle = float((reconstructed - images.to(reconstructed.device)).abs().mean())
    reference = target_set[1][: len(translated)]
    distance = fid(reference, translated, extractor)
    source = key[0]
    return {
        f"cycle_l1_{source}": {"value": cycle, "protocol": protocol | {"range": "[-1, 1]"}},
        f"classifier_fid_{key}": {
            "value": distance,
            "protocol": protocol | {"reference": f"{target_set[0]} test, first {len(reference)}"},
        },
    }


def _translate(method: Any, images: torch.Tensor, key: str, target: int) -> torch.Tensor:
    return method.translate(images, key if method.spec.kind == "unpaired" else target)
