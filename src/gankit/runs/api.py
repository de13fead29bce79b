"""gankit's Python entry points: :func:`train`, :func:`load` and :func:`evaluate`.

They are what ``gankit train``, ``gankit sample`` and ``gankit evaluate`` do, as functions that
take and return Python objects::

    import gankit

    run = gankit.train("dcgan", data="digits", steps=300, name="first")
    images = run.sample(16, seed=0)
    again = gankit.load("runs/dcgan/first")            # in another process, later
    scores = gankit.evaluate(again, ["fid", "kid"], features="classifier", n=1000)
"""

from __future__ import annotations

import inspect
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, cast

import torch

from gankit.config import Override, RunConfig, load_yaml
from gankit.errors import ConfigError
from gankit.methods import METHODS
from gankit.metrics.features import FeatureExtractor, as_feature_set
from gankit.metrics.suite import compute_set_metrics
from gankit.recipes import find_recipe
from gankit.registry import import_path
from gankit.runs.evaluate import evaluate_run
from gankit.runs.export import is_export, load_export
from gankit.runs.launch import build_trained, locate_checkpoint, resolve_config, start
from gankit.runs.run import Run
from gankit.training.checkpoint import load_checkpoint


def train(
    method: str | None = None,
    *,
    config: str | Path | None = None,
    data: str | None = None,
    generator: str | Callable[..., Any] | None = None,
    discriminator: str | Callable[..., Any] | None = None,
    loss: str | Callable[..., Any] | None = None,
    steps: int | None = None,
    name: str | None = None,
    out: str | Path | None = None,
    device: str | None = None,
    seed: int | None = None,
    overrides: Mapping[str, Any] | Sequence[str] = (),
) -> Run:
    """Train a new run and return it, as ``gankit train`` does.

    ``method`` is a registered method (``gankit list``) and ``config`` a recipe name
    (``dcgan-mnist``) or YAML file; either may be left out when the other says it. The keyword
    arguments set the common options; ``overrides`` sets any other, as ``{"key.sub": value}``
    or as ``["key.sub=value", ...]`` strings (``{"optim.generator.lr": 1e-4}``).

    ``generator``, ``discriminator`` and ``loss`` each take a registered name (``"dcgan"``) or
    a class or factory of your own, so G and D can come from different places: a GAN-family G
    is built as ``G(z_dim, spec, **options)`` and D as ``D(spec, **options)`` (their options are
    the ``generator.*`` / ``discriminator.*`` overrides), a loss as ``Loss(**loss_options)``. A
    class is recorded in the run's config by its import path (``module:qualname``) and imported
    from there when the run is loaded, sampled or resumed, in this process or another; so it
    must be defined at the top level of an importable module (one defined in the script you
    run works in that script only).
    """
    given = {
        "data.name": data,
        "train.steps": steps,
        "name": name,
        "out": None if out is None else str(out),
        "device": device,
        "seed": seed,
    }
    pairs: list[Override] = [(key, value) for key, value in given.items() if value is not None]
    if isinstance(overrides, Mapping):
        pairs += list(overrides.items())
    elif isinstance(overrides, str):
        raise ConfigError(
            f"overrides must be a mapping or a list of 'key=value' strings, got the string "
            f"{overrides!r}; wrap it in a list."
        )
    else:
        pairs += list(overrides)
    parts = {"generator": generator, "discriminator": discriminator, "loss": loss}
    if any(part is not None for part in parts.values()):
        defaults = _method_config(method, config)
        for role, part in parts.items():
            if part is not None:
                pairs.append((_part_key(defaults, role), _part_name(part, role)))
    folder = start(resolve_config(method, config, pairs))
    return load(folder.path)


def _method_config(method: str | None, config: str | Path | None) -> RunConfig:
    """The default config of the method that ``method`` or the recipe ``config`` names."""
    named = load_yaml(find_recipe(config)).get("method") if config else None
    if not (method or named):
        return resolve_config(method, config)  # says that no method was given
    return METHODS.get(cast(str, method or named)).config_class()  # one is given, checked above


def _part_key(config: RunConfig, role: str) -> str:
    """The config key that picks ``role`` (generator, discriminator, loss) in ``config``'s
    method: ``generator_net`` / ``discriminator_net`` (``generator`` / ``discriminator`` hold
    the options), and ``loss`` for the loss."""
    key = role if role == "loss" else f"{role}_net"
    if hasattr(config, key):
        return key
    raise ConfigError(f"Method {config.method!r} does not take a {role} of your choice.")


def _part_name(part: str | Callable[..., Any], role: str) -> str:
    """A registered name as it is; a class or factory as its import path ``module:qualname``."""
    if isinstance(part, str):
        return part
    if isinstance(part, type) or inspect.isfunction(part):
        path = import_path(part, role)
        if path.startswith("__main__:"):
            print(f"note: {role} {part.__qualname__} is defined in the script being run, so the "
                  "run is recorded with __main__ as its module: load it from that script, or "
                  "move the class into a module to load the run anywhere", file=sys.stderr)  # fmt: skip
        return path
    raise ConfigError(
        f"{role} is a {type(part).__name__} object; give its class (or a factory function) "
        "and set its options with overrides, so that the run can build it again when it is "
        "loaded."
    )


def load(path: str | Path, device: str = "cpu", use_ema: bool = True) -> Run:
    """A trained run from its folder (its last checkpoint), one checkpoint file, or a
    safetensors export (``gankit export``); the EMA weights are the ones sampled from when the
    run kept them (``use_ema``)."""
    if not isinstance(path, (str, os.PathLike)):
        raise ConfigError(
            f"load takes a run folder, a checkpoint file or an export (a path); got {path!r}."
        )
    if is_export(Path(path)):
        return load_export(path, device)
    run, checkpoint = locate_checkpoint(path)
    state = load_checkpoint(checkpoint)
    return Run(run.path, *build_trained(state, run.path, device, use_ema))


def evaluate(
    run_or_samples: Run | str | Path | torch.Tensor,
    metrics: Sequence[str] = ("fid",),
    *,
    reference: torch.Tensor | None = None,
    extractor: FeatureExtractor | str | None = None,
    **options: Any,
) -> dict[str, Any]:
    """Set metrics (``fid``, ``kid``, ``is``, ``pr``, ``dc``) of a run or of samples.

    A run (a :class:`Run` or its folder) is scored as ``gankit evaluate RUN`` does, and the
    result is also written to its ``eval/<step>.json``; ``options`` are those of
    :func:`gankit.runs.evaluate.evaluate_run` (``n``, ``features="classifier"``, ``ref_split``,
    ``resize="tf"``, ...). Samples (N, C, H, W) in [-1, 1] need ``reference`` images (or
    features) and an ``extractor`` (a :class:`~gankit.metrics.features.FeatureExtractor`, or
    ``"inception"`` for the pytorch-fid weights). Returns ``{metric: {"value", ["std"],
    "protocol"}}``.
    """
    metrics = [metrics] if isinstance(metrics, str) else metrics
    if isinstance(run_or_samples, torch.Tensor):
        if reference is None:
            raise ConfigError(
                "Scoring samples needs reference=images (or features) to compare them with."
            )
        if options:
            raise ConfigError(
                f"{', '.join(sorted(options))} apply to runs only; for samples pass "
                "reference= and extractor=."
            )
        fake = as_feature_set(run_or_samples, extractor)
        real = as_feature_set(reference, extractor)
        return compute_set_metrics(metrics, real, fake)
    if reference is not None or extractor is not None:
        raise ConfigError(
            "reference= and extractor= are for samples; a run is compared with its own dataset "
            "(choose features= 'inception' or 'classifier', ref_split= 'train' or 'test')."
        )
    path = run_or_samples.path if isinstance(run_or_samples, Run) else run_or_samples
    return evaluate_run(path, metrics, progress=False, **options)["metrics"]
