"""SNGAN ResNet training speed: gankit's trainer against a plain loop, same nets and data.

Miyato et al.'s CIFAR ResNet at 32 px (configs/sngan-cifar10.yaml: G width 256, D width 128
with sum pooling, z 128), hinge loss, Adam 2e-4 betas (0, 0.9), n_dis 5, batch 64, on
synthetic in-memory images. The plain loop is written as Mimicry's SNGAN trainer runs: torch's
spectral-norm parametrization on every layer of D (one power iteration per forward), for each
of the n_dis D steps a new real batch and G(z) detached, hinge loss, step; then G on new noise,
-D(G(z)).mean(), step. gankit's figure comes from its own step clock, so start-up, the step-0
samples and the final checkpoint are not counted. Images/s counts generator steps times batch
in both loops.

    python benchmarks/sngan_speed.py --device cpu --steps 3 --warmup 1
    python benchmarks/sngan_speed.py --device cpu --steps 3 --warmup 1 --fast
    python benchmarks/sngan_speed.py --device cuda --steps 100 --warmup 10 --fast
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

from gankit.core.spec import DataSpec
from gankit.data import TensorDataset
from gankit.nets import build_discriminator, build_generator
from gankit.training.environment import pick_device

G_OPTIONS, D_OPTIONS, Z_DIM, N_DIS = {"width": 256}, {"width": 128, "pooling": "sum"}, 128, 5


def synthetic_images(count: int, size: int) -> torch.Tensor:
    generator = torch.Generator().manual_seed(0)
    return torch.rand((count, 3, size, size), generator=generator) * 2 - 1


def gankit_images_per_second(args: argparse.Namespace, images: torch.Tensor) -> float:
    overrides = [
        "nets=resnet",
        f"z_dim={Z_DIM}",
        "generator={width: 256}",
        "discriminator={width: 128, pooling: sum}",
        f"data.image_size={args.size}",
        f"train.n_critic={N_DIS}",
        "train.num_samples=16",
    ]
    return trainer_images_per_second(
        "sngan", overrides, TensorDataset(images, None, kind="image"), args
    )


def plain_images_per_second(args: argparse.Namespace, images: torch.Tensor) -> float:
    """Mimicry's SNGAN step, with gankit's ResNet nets and torch's spectral norm."""
    device = pick_device(args.device)
    torch.manual_seed(0)
    spec = DataSpec("image", (3, args.size, args.size))
    netG = build_generator("resnet", Z_DIM, spec, G_OPTIONS).to(device)
    netD = build_discriminator("resnet", spec, D_OPTIONS)
    for module in list(netD.modules()):
        if isinstance(module, (nn.Conv2d, nn.Linear)):
            nn.utils.parametrizations.spectral_norm(module)
    netD = netD.to(device)
    optimizerD = torch.optim.Adam(netD.parameters(), lr=2e-4, betas=(0.0, 0.9))
    optimizerG = torch.optim.Adam(netG.parameters(), lr=2e-4, betas=(0.0, 0.9))
    stream = shuffled_batches([images], args.batch)
    started = 0.0
    for step in range(args.warmup + args.steps):
        if step == args.warmup:
            started = clock(device)
        for _ in range(N_DIS):
            (real,) = next(stream)
            real = real.to(device)
            with torch.no_grad():
                fake = netG(torch.randn(args.batch, Z_DIM, device=device))
            optimizerD.zero_grad()
            errD = torch.relu(1 - netD(real)).mean() + torch.relu(1 + netD(fake)).mean()
            errD.backward()
            optimizerD.step()
        optimizerG.zero_grad()
        errG = -netD(netG(torch.randn(args.batch, Z_DIM, device=device))).mean()
        errG.backward()
        optimizerG.step()
    errG.item()  # wait for the GPU
    return args.steps * args.batch / (time.perf_counter() - started)


def main() -> None:
    description = __doc__.split("\n\n")[0]
    parser = speed_arguments(description, steps=3, warmup=1, batch=64, size=32, repeats=2)
    args = parser.parse_args()
    images = synthetic_images(args.batch * N_DIS * 4, args.size)
    plain, ours = [], []
    for _ in range(args.repeats):  # alternate, so drift in machine load hits both loops
        plain.append(plain_images_per_second(args, images))
        ours.append(gankit_images_per_second(args, images))
    report(args, plain, ours, "img/s")


if __name__ == "__main__":
    main()
