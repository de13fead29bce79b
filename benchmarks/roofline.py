"""How close a training step is to the machine's limit: achieved FLOP/s against measured peaks.

In one process: the peak of a large GEMM (fp32 and bf16) and of a large 3x3 convolution (fp32,
and bf16 in channels_last), then, for each recipe, the FLOPs of one training step (counted by
``torch.utils.flop_counter.FlopCounterMode``: matrix products and convolutions, forward and
backward) and its median time over the timed steps, fp32 and with ``train.fast=true``.
Utilisation = achieved FLOP/s / the convolution peak of the step's precision. A step is
``n_critic`` calls of the method's ``train_step`` on batches of the trainer's own stream, so
data slicing and the speed options are those of ``gankit train``; sample grids and checkpoints
are not counted.

    python benchmarks/roofline.py --device cpu
    python benchmarks/roofline.py --device cpu --recipes dcgan64,sngan-resnet32 --steps 5
    python benchmarks/roofline.py --device cuda --steps 50
"""

from __future__ import annotations

import argparse
import platform
import statistics
import tempfile
from collections.abc import Callable
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch.utils.flop_counter import FlopCounterMode
from trainer_timing import build_trainer, clock

from gankit.data import PairedTensorDataset, TensorDataset
from gankit.data.unpaired import UnpairedDataset
from gankit.training.environment import pick_device
from gankit.training.fast import detect


@dataclass
class Recipe:
    method: str
    overrides: list[str]
    data: Callable[[int], object]  # batch size -> dataset


def images(channels: int, size: int) -> Callable[[int], TensorDataset]:
    def make(batch: int) -> TensorDataset:
        rng = torch.Generator().manual_seed(0)
        x = torch.rand((batch * 4, channels, size, size), generator=rng) * 2 - 1
        return TensorDataset(x, None, kind="image")

    return make


def pairs(size: int) -> Callable[[int], PairedTensorDataset]:
    def make(batch: int) -> PairedTensorDataset:
        rng = torch.Generator().manual_seed(0)
        x = torch.rand((batch * 4, 3, size, size), generator=rng) * 2 - 1
        return PairedTensorDataset(x, torch.rand_like(x) * 2 - 1)

    return make


def domains(channels: int, size: int) -> Callable[[int], UnpairedDataset]:
    def make(batch: int) -> UnpairedDataset:
        rng = torch.Generator().manual_seed(0)
        a = torch.rand((batch * 4, channels, size, size), generator=rng) * 2 - 1
        return UnpairedDataset(a, torch.rand_like(a) * 2 - 1)

    return make


RECIPES = {
    # the PyTorch examples' DCGAN: 64 px, batch 128
    "dcgan64": (128, Recipe("dcgan", ["data.image_size=64"], images(3, 64))),
    # Miyato et al.'s CIFAR ResNet (configs/sngan-cifar10.yaml): 32 px, batch 64, n_dis 5
    "sngan-resnet32": (
        64,
        Recipe(
            "sngan",
            [
                "nets=resnet",
                "z_dim=128",
                "generator={width: 256}",
                "discriminator={width: 128, pooling: sum}",
                "data.image_size=32",
            ],
            images(3, 32),
        ),
    ),
    # pix2pix's U-Net + 70x70 PatchGAN at 256 px
    "pix2pix-unet256": (1, Recipe("pix2pix", ["data.image_size=256"], pairs(256))),
    # CycleGAN with Kasmi & Thimonier's digit nets (configs/cyclegan-mnist-usps.yaml), 28 px
    "cyclegan-digits": (
        64,
        Recipe(
            "cyclegan",
            [
                "generator_net=digits",
                "discriminator_net=digits",
                "discriminator={}",
                "norm=batch",
                "loss=vanilla",
                "lambda_cycle=0.045",
                "lambda_identity=0.0",
                "data.image_size=28",
                "train.epochs=null",
                "train.lr_decay=none",
            ],
            domains(1, 28),
        ),
    ),
}


def best_rate(flops: float, run: Callable[[], object], device: torch.device, repeats: int) -> float:
    run()  # warm-up: primitive creation
    times = []
    for _ in range(repeats):
        started = clock(device)
        run()
        times.append(clock(device) - started)
    return flops / min(times)


def peaks(device: torch.device, repeats: int) -> dict[str, float]:
    """FLOP/s of a 2048^3 GEMM and of a 3x3 conv (batch 32, 256 -> 256 channels, 32x32)."""
    n, found = 2048, {}
    for name, dtype in (("fp32", torch.float32), ("bf16", torch.bfloat16)):
        a = torch.randn(n, n, device=device, dtype=dtype)
        b = torch.randn(n, n, device=device, dtype=dtype)
        found[f"gemm {name}"] = best_rate(2 * n**3, lambda a=a, b=b: a @ b, device, repeats)
    x = torch.randn(32, 256, 32, 32, device=device)
    w = torch.randn(256, 256, 3, 3, device=device)
    conv_flops = 2 * 32 * 256 * 32 * 32 * 256 * 9
    found["conv fp32"] = best_rate(conv_flops, lambda: F.conv2d(x, w, padding=1), device, repeats)
    xb = x.to(torch.bfloat16).contiguous(memory_format=torch.channels_last)
    wb = w.to(torch.bfloat16).contiguous(memory_format=torch.channels_last)
    found["conv bf16"] = best_rate(conv_flops, lambda: F.conv2d(xb, wb, padding=1), device, repeats)
    return found


def prepared_step(
    name: str, fast: bool, device: torch.device, out: str
) -> tuple[Callable[[], None], str]:
    """One training step of recipe ``name`` as a function, and what train.fast switched on.

    The trainer is built as ``gankit train`` builds it (speed options, data stream), with its
    run folder in ``out``; the step is ``n_critic`` calls of the method's ``train_step``.
    """
    batch, recipe = RECIPES[name]
    overrides = [
        *recipe.overrides,
        f"data.batch_size={batch}",
        f"device={device}",
        f"train.fast={str(fast).lower()}",
        "train.tensorboard=false",
        "train.progress=false",
    ]
    trainer, line = build_trainer(recipe.method, overrides, recipe.data(batch), out)
    n_critic = trainer.cfg.train.n_critic

    def one_step() -> None:
        for i in range(n_critic):
            trainer.method.train_step(next(trainer.stream), update_generator=i == n_critic - 1)

    return one_step, line


def step_rate(
    name: str, fast: bool, device: torch.device, steps: int, warmup: int
) -> tuple[float, list[float], str]:
    """FLOPs of one training step, its times (s), and what train.fast switched on."""
    with tempfile.TemporaryDirectory() as out:
        one_step, line = prepared_step(name, fast, device, out)
        for _ in range(warmup):
            one_step()
        with FlopCounterMode(display=False) as counter:
            one_step()
        times = []
        for _ in range(steps):
            started = clock(device)
            one_step()
            times.append(clock(device) - started)
    return counter.get_total_flops(), times, line


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--recipes", default=",".join(RECIPES))
    parser.add_argument("--steps", type=int, default=3, help="timed steps per recipe and mode")
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=3, help="timings of each peak kernel")
    args = parser.parse_args()
    device = pick_device(args.device)
    capabilities = detect(device)
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else platform.processor()
    print(
        f"device: {device} ({name or platform.machine()}; {capabilities.instructions}), "
        f"torch {torch.__version__}, threads {torch.get_num_threads()}"
    )
    found = peaks(device, args.repeats)
    for kernel, rate in found.items():
        print(f"peak {kernel:10s}: {rate / 1e9:8.1f} GFLOP/s")
    print(
        "| recipe | mode | GFLOP/step | s/step (median; each) | GFLOP/s | of conv peak |\n"
        "|---|---|---|---|---|---|"
    )
    for recipe in args.recipes.split(","):
        for fast in (False, True):
            flops, times, line = step_rate(recipe, fast, device, args.steps, args.warmup)
            median = statistics.median(times)
            bf16 = "bf16 autocast" in line
            peak = found["conv bf16" if bf16 else "conv fp32"]
            mode = "fast (" + line.split(": ", 1)[1] + ")" if fast else "fp32"
            each = ", ".join(f"{t:.3f}" for t in times)
            print(
                f"| {recipe} | {mode} | {flops / 1e9:.1f} | {median:.3f} ({each}) | "
                f"{flops / median / 1e9:.1f} | {flops / median / peak:.0%} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
