"""Evaluating trained runs and image folders with the set metrics (FID, KID, IS, PR, DC).

Entry points over one pipeline (features of generated and reference images, then
:func:`gankit.metrics.suite.compute_set_metrics`):

- :func:`evaluate_run` scores a run's last checkpoint, writes ``RUN/eval/<step>.json`` with each
  value's protocol, and appends ``{"step": ..., "eval/<metric>": ...}`` to ``RUN/metrics.jsonl``
  (``gankit evaluate RUN``);
- :func:`evaluate_folders` compares two image folders without a run;
- :class:`gankit.metrics.periodic.PeriodicEvaluator` (the library half, which the trainer uses
  too) scores a generator, keeping the reference features between calls.

Generated images are drawn from a fixed seed, so evaluations of one run at different steps use
the same latent codes.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, cast

import torch
from torch import nn

from gankit.config import DataConfig
from gankit.core.method import Translator
from gankit.data import build_dataset
from gankit.data.base import InMemoryDataset
from gankit.data.folder import ImageFolderDataset
from gankit.errors import ConfigError, GankitError
from gankit.metrics import colour_comparison, l1, psnr, ssim
from gankit.metrics.features import FeatureExtractor, inception_extractor
from gankit.metrics.label_preservation import label_preservation
from gankit.metrics.periodic import (
    DEFAULT_SEED,
    PeriodicEvaluator,
    build_extractor,
    generated_batches,
)
from gankit.metrics.reference_stats import reference_features
from gankit.metrics.suite import compute_set_metrics, flatten_results, set_metrics
from gankit.metrics.toy2d import PROTOCOL_NUM_SAMPLES, mode_coverage
from gankit.runs.launch import build_trained
from gankit.training.checkpoint import load_checkpoint
from gankit.training.run_folder import RunFolder, read_json


def evaluate_run(
    run_dir: str | Path,
    metrics: Sequence[str] = ("fid",),
    n: int = 10000,
    features: str = "inception",
    ref_split: str = "train",
    weights: str | None = None,
    device: str = "cpu",
    batch_size: int = 50,
    progress: bool = True,
    seed: int = DEFAULT_SEED,
    resize: str = "pytorch",
) -> dict[str, Any]:
    """Score a run's last checkpoint; write ``eval/<step>.json`` and log to metrics.jsonl.

    ``metrics`` are set-metric names (``fid``, ``kid``, ``is``, ``pr``, ``dc``) or ``toy2d`` for
    runs on the toy 2-D mixtures. ``n`` images are generated (EMA weights when the run kept
    them) and compared with the first ``n`` images of the run's dataset, split ``ref_split``, at
    the run's image size. Results of other metrics already in ``eval/<step>.json`` are kept.
    Returns the document written there.
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 2:
        raise ConfigError(f"n is how many images to score, at least 2 (a covariance); got {n!r}.")
    run = RunFolder.open(run_dir)
    state = load_checkpoint(run.last_checkpoint())
    step = int(state["step"])
    method, cfg, net = build_trained(state, run.path, device)
    started = time.perf_counter()
    if isinstance(method, Translator):
        results = _translation_results(metrics, method, cfg.data, n, device, ref_split, seed)
    elif method.spec.kind != "image":
        results = _toy_results(metrics, method, net, cfg.data, seed)
    else:
        evaluator = PeriodicEvaluator(
            cfg.data,
            metrics,
            n,
            features,
            ref_split,
            weights,
            device,
            batch_size,
            seed,
            resize=resize,
        )
        results = evaluator.results(method, net, progress)
    out = run.path / "eval" / f"{step}.json"
    earlier = read_json(out).get("metrics", {}) if out.is_file() else {}
    document = {
        "step": step,
        "run": str(run.path),
        "method": cfg.method,
        "dataset": cfg.data.name,
        "metrics": earlier | results,  # an earlier evaluation of other metrics is kept
        "updated": list(results),  # what this evaluation (its seconds and date) measured
        "seconds": round(time.perf_counter() - started, 3),
        "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(document, indent=2) + "\n")
    with open(run.metrics_file, "a") as log:
        log.write(json.dumps({"step": step, **flatten_results(results)}) + "\n")
    return document


def _translation_results(
    metrics: Sequence[str],
    method: Any,
    data: DataConfig,
    n: int,
    device: str,
    ref_split: str,
    seed: int = DEFAULT_SEED,
) -> dict[str, Any]:
    """Paired translation (pix2pix): pixel metrics and colour statistics on a held-out split;
    unpaired and multi-domain translation: label preservation. "fid", the command's default,
    stands for the method's own default here."""
    paired = method.spec.kind == "paired"
    own, runs, measure = (
        ("pixel", "Paired", "L1, PSNR, SSIM and colour statistics on held-out pairs")
        if paired
        else ("labels", "Unpaired", "label preservation")
    )
    if list(metrics) not in ([own], ["fid"]):
        raise ConfigError(
            f"{runs} translation runs are scored by {measure} (--metrics {own}); got "
            f"{', '.join(metrics)}."
        )
    if paired:
        return pixel_results(method, data, n, ref_split, seed)
    return label_preservation(method, data, min(n, 2000), device)


def pixel_results(
    method: Any, data: DataConfig, n: int, split: str, seed: int = DEFAULT_SEED
) -> dict[str, Any]:
    """Paired translation on ``n`` held-out pairs (``split``, never the training pairs): L1,
    PSNR, SSIM and the colour statistics of Tucker's protocol, each with its protocol.
    pix2pix translates with dropout on (its paper's test mode), the noise drawn from ``seed``,
    so the same run scores the same every time."""
    split = "val" if split == "train" else split  # never score a translation on its training pairs
    try:
        dataset = build_dataset(dataclasses.replace(data, split=split))
    except GankitError:
        dataset = build_dataset(dataclasses.replace(data, split="test"))
        split = "test"
    inputs, targets = cast(InMemoryDataset, dataset).tensors  # paired data is held in memory
    inputs, targets = inputs[:n], targets[:n, 0]
    with torch.random.fork_rng([method.device] if method.device.type == "cuda" else []):
        torch.manual_seed(seed)
        outputs = torch.cat(
            [method.translate(inputs[i : i + 16]) for i in range(0, len(inputs), 16)]
        )
    protocol = {
        "seed": seed,
        "pairs": len(inputs),
        "split": split,
        "dataset": data.name,
        "value_range": "[-1, 1]",
    }
    # every pixel of the held-out set counted once: the images side by side as one image
    colour = colour_comparison(torch.cat(list(outputs), dim=2), torch.cat(list(targets), dim=2))
    results = {
        name: {"value": function(outputs, targets), "protocol": protocol}
        for name, function in (("l1", l1), ("psnr", psnr), ("ssim", ssim))
    }
    for channel, error in zip("rgb", colour["percent_error_of_mean"]):
        results[f"colour_mean_error_{channel}"] = {"value": error, "protocol": protocol}
    results["colour_mean_norm"] = {
        "value": colour["output"]["mean_norm"],
        "protocol": protocol | {"target_mean_norm": colour["target"]["mean_norm"]},
    }
    return results


def _toy_results(
    metrics: Sequence[str], method: Any, net: nn.Module, data: DataConfig, seed: int
) -> dict[str, Any]:
    if list(metrics) != ["toy2d"]:
        raise ConfigError(
            f"Run on the point dataset {data.name!r} can only be scored with --metrics toy2d "
            f"(got {', '.join(metrics)}); FID and the like are for images."
        )
    mixture = getattr(build_dataset(data), "mixture", None)
    if mixture is None:
        raise GankitError(f"Dataset {data.name!r} has no mixture to score mode coverage against.")
    samples = torch.cat(list(generated_batches(method, net, PROTOCOL_NUM_SAMPLES, 2500, seed)))
    values = mode_coverage(samples, mixture.means, mixture.sigma)
    protocol = {
        "num_generated": PROTOCOL_NUM_SAMPLES,
        "generator_seed": seed,
        "sigma": mixture.sigma,
    }
    return {key: {"value": value, "protocol": protocol} for key, value in values.items()}


def evaluate_folders(
    real_dir: str | Path,
    fake_dir: str | Path,
    metrics: Sequence[str] = ("fid",),
    n: int | None = None,
    weights: str | None = None,
    device: str = "cpu",
    batch_size: int = 50,
    progress: bool = True,
    image_size: int | None = None,
    classifier: str | None = None,
    data_root: str | None = None,
    resize: str = "pytorch",
) -> dict[str, Any]:
    """Compare two image folders (recursively read) with Inception features, or with the
    domain classifier of dataset ``classifier`` (mnist, usps, fashion-mnist, cifar10, ...).

    With Inception features each folder is read at the size its images are stored at (one
    square size per folder), as pytorch-fid, torch-fidelity and clean-fid feed them, and the
    network's resize protocol ``resize`` (``pytorch``, ``tf``, ``clean``) brings every image to
    299x299. A classifier reads images at the size it was trained for: both folders are read at
    the size of the generated images. ``image_size`` resizes both folders to that size first
    (shorter side, centred crop). At most ``n`` images of each folder (all by default) are used,
    in sorted file order; the results' protocols say how many, and at which size.
    """
    fake_dir, real_dir = Path(fake_dir).expanduser(), Path(real_dir).expanduser()
    with _naming("--fake"):
        if image_size is None:
            fake_images = ImageFolderDataset.at_stored_size(fake_dir)
        else:
            fake_images = ImageFolderDataset(fake_dir, image_size)
    extractor: FeatureExtractor
    if classifier is None:
        extractor = inception_extractor(weights, device, batch_size, resize=resize)
    else:
        domain = DataConfig(name=classifier, root=data_root, image_size=fake_images.image_size)
        extractor = build_extractor(
            "classifier", domain, weights, device, batch_size, progress, resize
        )
    count = len(fake_images) if n is None else min(n, len(fake_images))
    _at_least_two(count, "--fake", fake_dir)
    batches = _folder_batches(fake_images, count, batch_size)
    total = -(-count // batch_size)
    fake = extractor.extract(batches, total, progress, description=f"images in {fake_dir}")
    real = None
    if any(m.needs_reference for m in set_metrics(metrics)):
        with _naming("--real"):
            if image_size is None and classifier is None:
                real_images = ImageFolderDataset.at_stored_size(real_dir)
            else:
                real_images = ImageFolderDataset(real_dir, image_size or fake_images.image_size)
        _at_least_two(len(real_images), "--real", real_dir)
        real = reference_features(
            DataConfig(name=f"folder:{real_dir}", image_size=real_images.image_size),
            extractor,
            len(real_images) if n is None else n,
            need_features=True,
            progress=progress,
            dataset=real_images,
        )
        real.protocol["reference"] = f"{len(real)} images in {real_dir} {_read_at(real_images)}"
    extra = {"generated": f"{count} images in {fake_dir} {_read_at(fake_images)}"}
    return {
        "real": str(real_dir),
        "fake": str(fake_dir),
        "metrics": compute_set_metrics(metrics, real, fake, extra),
    }


@contextlib.contextmanager
def _naming(option: str) -> Iterator[None]:
    """A folder's problem said with the option that named the folder."""
    try:
        yield
    except GankitError as error:
        raise ConfigError(f"{option}: {error}") from None


def _at_least_two(count: int, option: str, folder: Path) -> None:
    if count < 2:
        raise ConfigError(
            f"{option} {folder} gives {count} image; the metrics compare sets of at least 2 "
            "(a mean and a covariance)."
        )


def _read_at(images: Any) -> str:
    sizes = images.stored_sizes
    side = images.image_size
    if list(sizes) == [(side, side)]:
        return f"at their stored {side}x{side}"
    stored = "/".join(f"{w}x{h}" for w, h in sizes)
    return f"resized from {stored} to {side}x{side}"


def summary_lines(results: dict[str, dict[str, Any]]) -> list[str]:
    """One line per result, value (± std) then its protocol, for printing."""
    lines = []
    for name, result in results.items():
        value = f"{result['value']:.6g}"
        if "std" in result:
            value += f" ± {result['std']:.3g}"
        protocol = result.get("protocol", {})
        described = [
            f"{protocol['num_generated']} generated" if "num_generated" in protocol else "",
            protocol.get("generated", ""),
            f"vs {protocol['reference']}" if "reference" in protocol else "",
            protocol.get("feature_extractor", ""),
            f"weights {protocol['weights_sha256'][:12]}" if "weights_sha256" in protocol else "",
            protocol.get("resize", ""),
        ]
        lines.append(f"{name:<10} {value:<24} {'; '.join(d for d in described if d)}")
    return lines


def _folder_batches(dataset: Any, count: int, batch_size: int) -> Iterator[torch.Tensor]:
    loader = torch.utils.data.DataLoader(
        torch.utils.data.Subset(dataset, range(count)), batch_size=batch_size
    )
    for images, _ in loader:
        yield images
