"""pix2pix training speed: gankit's trainer against a plain loop, same nets and data.

U-Net generator + 70x70 PatchGAN at 256x256, batch 16, on synthetic in-memory pairs. The plain
loop follows the official implementation's ``Pix2PixModel.optimize_parameters``: G forward, D
on the detached fake and on the real pair (BCE-with-logits, halved), D step; then D on the fake
pair with D's gradients off, GAN + 100 * L1, G step. gankit's figure comes from its own step
clock (``time`` in metrics.jsonl), so start-up and the sample grids are not counted.

    python benchmarks/pix2pix_speed.py --device cpu --steps 3 --warmup 1
    python benchmarks/pix2pix_speed.py --device cuda --steps 50 --amp bf16 --channels-last --compile
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

from gankit.data import PairedTensorDataset
from gankit.nets.patchgan import build_patch_discriminator
from gankit.nets.translation import build_translator
from gankit.training.environment import pick_device


def synthetic_pairs(count: int, size: int) -> PairedTensorDataset:
    generator = torch.Generator().manual_seed(0)
    inputs = torch.rand((count, 3, size, size), generator=generator) * 2 - 1
    targets = torch.rand((count, 3, size, size), generator=generator) * 2 - 1
    return PairedTensorDataset(inputs, targets)


def gankit_images_per_second(args: argparse.Namespace, data: PairedTensorDataset) -> float:
    overrides = [f"train.compile={str(args.compile).lower()}", "train.num_samples=1"]
    return trainer_images_per_second("pix2pix", overrides, data, args)


def plain_images_per_second(args: argparse.Namespace, data: PairedTensorDataset) -> float:
    """The official implementation's optimisation step, with gankit's nets."""
    device = pick_device(args.device)
    torch.manual_seed(0)
    G = build_translator("unet", 3, 3, args.size, {}).to(device)
    D = build_patch_discriminator("patch", 6, args.size, {}).to(device)
    optimizer_g = torch.optim.Adam(G.parameters(), lr=2e-4, betas=(0.5, 0.999))
    optimizer_d = torch.optim.Adam(D.parameters(), lr=2e-4, betas=(0.5, 0.999))
    criterion, l1 = nn.BCEWithLogitsLoss(), nn.L1Loss()
    stream = shuffled_batches([data.inputs, data.targets[:, 0]], args.batch)
    started = 0.0
    for step in range(args.warmup + args.steps):
        if step == args.warmup:
            started = clock(device)
        real_a, real_b = (t.to(device) for t in next(stream))
        fake_b = G(real_a)
        for p in D.parameters():
            p.requires_grad = True
        optimizer_d.zero_grad()
        pred_fake = D(torch.cat((real_a, fake_b), 1).detach())
        pred_real = D(torch.cat((real_a, real_b), 1))
        loss_d = 0.5 * (
            criterion(pred_fake, torch.zeros_like(pred_fake))
            + criterion(pred_real, torch.ones_like(pred_real))
        )
        loss_d.backward()
        optimizer_d.step()
        for p in D.parameters():
            p.requires_grad = False
        optimizer_g.zero_grad()
        pred_fake = D(torch.cat((real_a, fake_b), 1))
        loss_g = criterion(pred_fake, torch.ones_like(pred_fake)) + 100.0 * l1(fake_b, real_b)
        loss_g.backward()
        optimizer_g.step()
    loss_g.item()
    return args.steps * args.batch / (time.perf_counter() - started)


def main() -> None:
    description = __doc__.split("\n\n")[0]
    parser = speed_arguments(description, steps=3, warmup=1, batch=16, size=256, repeats=1)
    args = parser.parse_args()
    data = synthetic_pairs(args.batch * 4, args.size)
    plain, ours = [], []
    for _ in range(args.repeats):
        plain.append(plain_images_per_second(args, data))
        ours.append(gankit_images_per_second(args, data))
    report(args, plain, ours, "img/s")


if __name__ == "__main__":
    main()
