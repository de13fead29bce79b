"""Training speed: gankit's trainer against a plain loop, on the same DCGAN nets and data.

DCGAN at 64x64, batch 128, on synthetic in-memory data. The plain loop is written in the style
of the PyTorch examples' ``dcgan/main.py`` (zero_grad, D on real, D on fake.detach(), step; G
on D(fake), step; a DataLoader with shuffling), with a BCE-with-logits criterion since gankit's
D returns logits. gankit's figure comes from its own step clock (the ``time`` field of
metrics.jsonl), so start-up, the step-0 samples and the final checkpoint are not counted.

    python benchmarks/train_speed.py --device cpu --steps 10
    python benchmarks/train_speed.py --device cuda --steps 200 --amp bf16 --channels-last --compile

Prints images/s for both loops and their ratio (gankit / plain); record results in BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import time

import torch
from torch import nn
from trainer_timing import (
    clock,
    report,
    shuffled_batches,
    speed_arguments,
    trainer_images_per_second,
)

from gankit.data import TensorDataset
from gankit.training.environment import pick_device


def synthetic_images(count: int, size: int, seed: int = 0) -> torch.Tensor:
    generator = torch.Generator().manual_seed(seed)
    return torch.rand((count, 3, size, size), generator=generator) * 2 - 1


def gankit_images_per_second(args: argparse.Namespace, images: torch.Tensor) -> float:
    overrides = [
        f"data.image_size={args.size}",
        "train.deterministic=false",
        f"train.compile={str(args.compile).lower()}",
        "train.num_samples=16",
    ]
    return trainer_images_per_second(
        "dcgan", overrides, TensorDataset(images, None, kind="image"), args
    )


def plain_images_per_second(args: argparse.Namespace, images: torch.Tensor) -> float:
    """The PyTorch examples' DCGAN loop, with gankit's DCGAN nets."""
    from gankit.core.spec import DataSpec
    from gankit.nets import build_discriminator, build_generator

    device = pick_device(args.device)
    torch.manual_seed(0)
    spec = DataSpec("image", (3, args.size, args.size))
    netG = build_generator("dcgan", 100, spec, {}).to(device)
    netD = build_discriminator("dcgan", spec, {}).to(device)
    criterion = nn.BCEWithLogitsLoss()
    optimizerD = torch.optim.Adam(netD.parameters(), lr=2e-4, betas=(0.5, 0.999))
    optimizerG = torch.optim.Adam(netG.parameters(), lr=2e-4, betas=(0.5, 0.999))
    stream = shuffled_batches([images], args.batch)
    real_label, fake_label = 1.0, 0.0
    started = 0.0
    for step in range(args.warmup + args.steps):
        if step == args.warmup:
            started = clock(device)
        (real,) = next(stream)
        real = real.to(device)
        b_size = real.size(0)
        netD.zero_grad()
        label = torch.full((b_size,), real_label, dtype=torch.float, device=device)
        errD_real = criterion(netD(real), label)
        errD_real.backward()
        noise = torch.rand(b_size, 100, 1, 1, device=device) * 2 - 1
        fake = netG(noise)
        label.fill_(fake_label)
        errD_fake = criterion(netD(fake.detach()), label)
        errD_fake.backward()
        optimizerD.step()
        netG.zero_grad()
        label.fill_(real_label)
        errG = criterion(netD(fake), label)
        errG.backward()
        optimizerG.step()
    errG.item()  # wait for the GPU
    return args.steps * args.batch / (time.perf_counter() - started)


def main() -> None:
    description = __doc__.split("\n\n")[0]
    parser = speed_arguments(description, steps=10, warmup=2, batch=128, size=64, repeats=2)
    args = parser.parse_args()

    images = synthetic_images(args.batch * 10, args.size)
    plain, ours = [], []
    for _ in range(args.repeats):  # alternate, so drift in machine load hits both loops
        plain.append(plain_images_per_second(args, images))
        ours.append(gankit_images_per_second(args, images))
    report(args, plain, ours, "img/s")


if __name__ == "__main__":
    main()
