"""What the speed benchmarks share: gankit's own trainer, timed by its step clock.

Each ``*_speed.py`` script times a plain hand-written loop and gankit's trainer on the same nets
and data. gankit's figure is read from the ``time`` field of metrics.jsonl between the end of
the warm-up steps and the last step, so start-up, the step-0 sample grid and the final
checkpoint are not counted.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import tempfile
import time
from collections.abc import Iterator, Sequence
from typing import Any

import torch

from gankit.config import Override
from gankit.methods import METHODS
from gankit.runs.launch import resolve_config
from gankit.training.environment import pick_device, seed_everything
from gankit.training.fast import apply_fast, detect
from gankit.training.run_folder import RunFolder
from gankit.training.trainer import Trainer


def speed_arguments(
    description: str,
    *,
    steps: int,
    warmup: int,
    batch: int,
    size: int,
    repeats: int,
    compile: bool = True,
) -> argparse.ArgumentParser:
    """The options every speed script takes, with that script's defaults."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--steps", type=int, default=steps, help="timed steps per loop")
    parser.add_argument("--warmup", type=int, default=warmup)
    parser.add_argument("--batch", type=int, default=batch)
    parser.add_argument("--size", type=int, default=size)
    parser.add_argument("--amp", default="none", choices=["none", "bf16", "fp16"])
    parser.add_argument("--channels-last", action="store_true")
    parser.add_argument(
        "--fast",
        action="store_true",
        help="gankit with train.fast=true (the plain loop stays fp32)",
    )
    if compile:
        parser.add_argument("--compile", action="store_true")
    parser.add_argument(
        "--repeats", type=int, default=repeats, help="alternate the loops this often"
    )
    return parser


def timing_overrides(args: argparse.Namespace) -> list[str]:
    """Batch, steps, device and the speed options of ``args``; no grids, checkpoints or
    TensorBoard between the warm-up and the last step."""
    return [
        f"data.batch_size={args.batch}",
        f"train.steps={args.warmup + args.steps}",
        f"train.log_every={args.warmup}" if args.warmup else "train.log_every=1",
        "train.sample_every=1000000",
        "train.checkpoint_every=1000000",
        "train.tensorboard=false",
        "train.progress=false",
        f"train.amp={args.amp}",
        f"train.channels_last={str(args.channels_last).lower()}",
        f"train.fast={str(getattr(args, 'fast', False)).lower()}",
        f"device={args.device}",
    ]


def build_trainer(
    method_name: str, overrides: list[Override], dataset: Any, out: str
) -> tuple[Trainer, str]:
    """gankit's trainer for ``method_name`` on ``dataset``, built as ``launch.start`` builds it
    (``train.fast`` applied), its run folder in ``out``; and the line saying what fast chose."""
    cfg = resolve_config(method_name, None, overrides)
    device = pick_device(cfg.device)
    cfg, fast = apply_fast(cfg, device, image_data=dataset.spec.kind != "points")
    seed_everything(0, False, device)
    method = METHODS.get(method_name)(cfg, dataset.spec, device)
    method.use_dataset(dataset)
    run, _ = RunFolder.create(out, method_name, "bench")
    return Trainer(cfg, method, dataset, run), fast


def trainer_images_per_second(
    method_name: str, overrides: list[Override], dataset: Any, args: argparse.Namespace
) -> float:
    """Images/s of ``gankit train METHOD`` on ``dataset``, as ``launch.start`` sets it up."""
    with tempfile.TemporaryDirectory() as out:
        trainer, fast = build_trainer(
            method_name, [*timing_overrides(args), *overrides], dataset, out
        )
        if fast:
            print(fast, flush=True)
        trainer.fit()
        times = {r["step"]: r["time"] for r in map(json.loads, trainer.run.metrics_file.open())}
    start = times.get(args.warmup, 0.0)
    return args.steps * args.batch / (times[args.warmup + args.steps] - start)


def report(args: argparse.Namespace, plain: list[float], ours: list[float], unit: str) -> None:
    """Device, options, each alternated repeat (plain, gankit, ratio) and the median ratio."""
    device = pick_device(args.device)
    if device.type == "cuda":
        name = torch.cuda.get_device_name(device)
    else:
        name = f"{platform.machine()}; {detect(device).instructions}"
    print(
        f"device: {device} ({name}), torch {torch.__version__}, threads {torch.get_num_threads()}"
    )
    print(
        f"options: batch={args.batch} size={args.size} amp={args.amp} "
        f"channels_last={args.channels_last} compile={getattr(args, 'compile', False)} "
        f"fast={getattr(args, 'fast', False)}"
    )
    ratios = [b / a for a, b in zip(plain, ours)]
    for i, (a, b, r) in enumerate(zip(plain, ours, ratios), 1):
        print(f"repeat {i}: plain {a:8.2f} {unit}, gankit {b:8.2f} {unit}, ratio {r:.3f}")
    print(f"median ratio gankit/plain: {statistics.median(ratios):.3f}")


def shuffled_batches(tensors: Sequence[torch.Tensor], batch_size: int) -> Iterator[list]:
    """The plain loops' data, read as the PyTorch examples read theirs: a shuffling DataLoader
    over in-memory tensors (whole batches only), epoch after epoch."""
    loader = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(*tensors),
        batch_size=batch_size,
        shuffle=True,
        drop_last=True,
    )
    while True:
        yield from loader


def clock(device: torch.device) -> float:
    """``time.perf_counter()`` once ``device`` has finished the work queued on it."""
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    return time.perf_counter()
