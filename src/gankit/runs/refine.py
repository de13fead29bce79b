"""Refining a trained run's samples by gradient layers (``gankit refine``).

The layers and Algorithm 2 are in :mod:`gankit.methods.gradient_layers`; this module loads the
run, refines a fixed set of its samples with its own critic, and writes before and after grids,
metrics and the layers.
"""

from __future__ import annotations

import dataclasses
import inspect
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import torch
from torch import nn

from gankit.core.method import Translator
from gankit.data import build_dataset
from gankit.errors import ConfigError
from gankit.methods.gradient_layers import fine_tune
from gankit.metrics import classifier_extractor, fid, mode_coverage, reference_features
from gankit.nets.split import OUTPUT, GeneratorSplit
from gankit.runs.launch import load_trained
from gankit.training.snapshots import render_samples


def refine_run(
    run_dir: str | Path,
    steps: int,
    eta: float,
    out: str | Path,
    critic_steps: int = 0,
    count: int | None = None,
    seed: int = 0,
    critic_lr: float = 1e-4,
    device: str = "cpu",
    metrics: bool = True,
    split_layer: str = OUTPUT,
) -> dict[str, Any]:
    """Refine samples of a trained run with its critic; write grids, metrics and the layers.

    ``split_layer`` (default ``output``, after the whole generator) puts the layers inside the
    run's generator, after the named layer of its body (:class:`GeneratorSplit`).
    Writes ``before.png``/``after.png`` (a scatter plot for 2-D data), ``metrics.json`` (mode
    coverage for toy data; classifier FID against the training set for images; the mean critic
    score) and ``gradient_layers.pt`` (the composition, for refining new samples later).
    """
    method, cfg, net = load_trained(run_dir, device=device)
    critic, loss_name, loss_options, regularizers = _critic_of(method, cfg)
    images = method.spec.kind == "image"
    count = count or (2000 if images else 2500)
    rng = torch.Generator().manual_seed(seed)
    split = None
    if split_layer != OUTPUT:
        probe = method.sample_latent(2, torch.Generator().manual_seed(seed))
        split = GeneratorSplit(net, split_layer, method.spec.shape, probe)

    def draw(n: int, rng: torch.Generator | None = None) -> torch.Tensor:
        """Samples G(z), or with a split the features G_1(z) the layers act on."""
        if split is not None:
            return split.head(method.sample_latent(n, rng))
        return method.generate(method.sample_latent(n, rng), net).to(method.device)

    dataset = _dataset(cfg) if critic_steps or metrics or not images else None
    optimizer = None
    if critic_steps:
        optimizer = torch.optim.Adam(critic.parameters(), lr=critic_lr, betas=(0.0, 0.9))
    critic.eval()
    layers = fine_tune(
        draw, critic, _real_batches(dataset, cfg.data.batch_size, seed, method.device) if
        critic_steps else iter(()), steps, critic_steps, eta, loss_name, loss_options,
        regularizers, optimizer, split,
    )  # fmt: skip
    drawn = torch.cat([draw(n, rng) for n in _chunks(count, 500)])
    if split is None:
        before = drawn
        after = torch.cat([layers(chunk) for chunk in drawn.split(500)])
    else:
        before = torch.cat([split.samples(chunk) for chunk in drawn.split(500)])
        after = torch.cat([split.samples(chunk, layers) for chunk in drawn.split(500)])
    if images:
        after = after.clamp(-1, 1)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    result = {"run": str(run_dir), "method": cfg.method, "steps": steps, "eta": eta,
              "critic_steps": critic_steps, "loss": loss_name, "split_layer": split_layer,
              "order": layers.order, "samples": count, "seed": seed,
              "last_critic_score": {"before": _mean_score(critic, before),
                               "after": _mean_score(critic, after)}}  # fmt: skip
    _write_grids(method, dataset, before, after, out)
    if metrics:
        result.update(_sample_metrics(cfg, dataset, before, after, device))
    torch.save(layers.to_state(), out / "gradient_layers.pt")
    (out / "metrics.json").write_text(json.dumps(result, indent=2) + "\n")
    return result


def _critic_of(method: Any, cfg: Any) -> tuple[nn.Module, str, dict, list]:
    if isinstance(method, Translator):
        raise ConfigError(
            f"{cfg.method} translates images; gradient layers refine samples that a run generates "
            "from noise (a GAN-family run)."
        )
    critic = method.nets.get("discriminator")
    if critic is None:
        raise ConfigError(
            f"Run of {cfg.method!r} has no discriminator, so there is no critic to refine with."
        )
    needed = [
        name
        for name, parameter in inspect.signature(critic.forward).parameters.items()
        if parameter.default is inspect.Parameter.empty
        and parameter.kind in (parameter.POSITIONAL_ONLY, parameter.POSITIONAL_OR_KEYWORD)
    ]
    if len(needed) > 1:
        raise ConfigError(
            f"Gradient layers follow a critic D(x) of the sample alone; the {cfg.method} "
            f"discriminator also takes {', '.join(needed[1:])}."
        )
    kind = getattr(critic, "output_kind", "score")
    if kind not in ("score", "energy"):
        raise ConfigError(
            f"The {cfg.method} critic outputs {kind}, not a score per sample; gradient layers "
            "need an unconditional score (train an unsupervised run to refine it)."
        )
    loss = getattr(cfg, "loss", None) or getattr(method, "critic_loss", None)
    if loss is None:
        raise ConfigError(
            f"{cfg.method!r} does not name the loss its critic was trained with, so the gradient "
            "layer's direction is unknown; refine runs of methods with a `loss` setting."
        )
    options = dict(getattr(cfg, "loss_options", {}) or {})
    return critic, loss, options, list(getattr(method, "regularizers", []))


def _dataset(cfg: Any) -> Any:
    return build_dataset(dataclasses.replace(cfg.data, split="train"))


def _real_batches(
    dataset: Any, batch_size: int, seed: int, device: torch.device
) -> Iterator[torch.Tensor]:
    samples = dataset.tensors[0] if dataset.in_memory else None
    rng = torch.Generator().manual_seed(seed + 1)
    while True:
        index = torch.randint(len(dataset), (batch_size,), generator=rng)
        if samples is not None:
            yield samples[index].to(device)
        else:
            yield torch.stack([dataset[int(i)][0] for i in index]).to(device)


def _chunks(total: int, size: int) -> list[int]:
    return [min(size, total - start) for start in range(0, total, size)]


def _mean_score(critic: nn.Module, samples: torch.Tensor) -> float:
    with torch.no_grad():
        return float(torch.cat([critic(c).float().flatten() for c in samples.split(500)]).mean())


def _write_grids(method: Any, dataset: Any, before: torch.Tensor, after: torch.Tensor,
                 out: Path) -> None:  # fmt: skip
    mixture = getattr(dataset, "mixture", None)
    shown = 64 if method.spec.kind == "image" else len(before)
    for name, samples in (("before", before), ("after", after)):
        render_samples(samples[:shown].cpu(), method.spec, out / f"{name}.png", mixture)


def _sample_metrics(
    cfg: Any, dataset: Any, before: torch.Tensor, after: torch.Tensor, device: str
) -> dict[str, Any]:
    mixture = getattr(dataset, "mixture", None)
    if mixture is not None:
        return {
            "toy2d": {
                "before": mode_coverage(before, mixture.means, mixture.sigma),
                "after": mode_coverage(after, mixture.means, mixture.sigma),
            }
        }
    if dataset is None or not getattr(dataset, "in_memory", False):
        return {}
    data = dataclasses.replace(cfg.data, split="train")
    extractor = classifier_extractor(data, device)
    reference = reference_features(data, extractor, len(before), False, dataset=dataset)
    return {
        "fid": {
            "features": extractor.name,
            "reference": f"first {min(len(before), len(dataset))} of {data.name} train",
            "before": fid(reference, extractor(before.cpu())),
            "after": fid(reference, extractor(after.cpu())),
        }
    }
