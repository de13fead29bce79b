"""CycleGAN training speed: gankit's trainer against a plain loop, same nets and data.

ResNet-9 generators + 70x70 PatchGANs at 256x256 (batch 1, the paper's, and batch 4), least
squares, lambda_cyc 10, identity 0.5, image pools of 50, on synthetic in-memory images. The
plain loop follows the official implementation's ``CycleGANModel.optimize_parameters``: both
generators forward, G_A and G_B losses with both D's gradients off, G step; then each D on the
real and on a pooled fake (halved), D step. gankit's figure comes from its own step clock
(``time`` in metrics.jsonl), so start-up and the sample grids are not counted.

    python benchmarks/cyclegan_speed.py --device cpu --batch 1 --steps 3 --warmup 1
    python benchmarks/cyclegan_speed.py --device cuda --batch 4 --steps 50 --channels-last
"""

from __future__ import annotations

import argparse
import itertools
import platform
import time

import torch
from trainer_timing import speed_arguments, trainer_images_per_second

from gankit.data.unpaired import UnpairedDataset
from gankit.methods.image_pool import ImagePool
from gankit.nets.patchgan import build_patch_discriminator
from gankit.nets.translation import build_translator
from gankit.train.environment import pick_device


def synthetic_domains(count: int, size: int) -> UnpairedDataset:
    generator = torch.Generator().manual_seed(0)
    a = torch.rand((count, 3, size, size), generator=generator) * 2 - 1
    b = torch.rand((count, 3, size, size), generator=generator) * 2 - 1
    return UnpairedDataset(a, b)


def gankit_images_per_second(args: argparse.Namespace, data: UnpairedDataset) -> float:
    overrides = [
        "generator=resnet",
        "generator_options={blocks: 9}",
        "lambda_identity=0.5",
        f"data.image_size={args.size}",
        "train.epochs=null",
        "train.lr_decay=none",
        "train.num_samples=1",
    ]
    return trainer_images_per_second("cyclegan", overrides, data, args)


def plain_images_per_second(args: argparse.Namespace, data: UnpairedDataset) -> float:
    """The official implementation's optimisation step, with gankit's nets."""
    device = pick_device(args.device)
    torch.manual_seed(0)
    G_A, G_B = (build_translator("resnet", 3, 3, args.size, {"blocks": 9}) for _ in range(2))
    D_A, D_B = (build_patch_discriminator("patch", 3, args.size, {}) for _ in range(2))
    nets = [net.to(device) for net in (G_A, G_B, D_A, D_B)]
    adam = dict(lr=2e-4, betas=(0.5, 0.999))
    optimizer_g = torch.optim.Adam(itertools.chain(G_A.parameters(), G_B.parameters()), **adam)
    optimizer_d = torch.optim.Adam(itertools.chain(D_A.parameters(), D_B.parameters()), **adam)
    pool_a, pool_b = ImagePool(50), ImagePool(50)
    mse, l1 = torch.nn.MSELoss(), torch.nn.L1Loss()
    domain_a, domain_b = data.tensors[0], data.domain_b[0]

    def gan_loss(prediction: torch.Tensor, real: bool) -> torch.Tensor:
        return mse(prediction, torch.full_like(prediction, float(real)))

    def set_requires_grad(flag: bool) -> None:
        for p in itertools.chain(D_A.parameters(), D_B.parameters()):
            p.requires_grad = flag

    started = 0.0
    for step in range(args.warmup + args.steps):
        if step == args.warmup:
            if device.type == "cuda":
                torch.cuda.synchronize()
            started = time.perf_counter()
        index = torch.randint(0, len(domain_a), (args.batch,))
        real_a, real_b = domain_a[index].to(device), domain_b[index].to(device)
        if args.channels_last:
            real_a = real_a.contiguous(memory_format=torch.channels_last)
            real_b = real_b.contiguous(memory_format=torch.channels_last)
        fake_b, fake_a = G_A(real_a), G_B(real_b)
        rec_a, rec_b = G_B(fake_b), G_A(fake_a)
        set_requires_grad(False)
        optimizer_g.zero_grad()
        loss_idt = (l1(G_A(real_b), real_b) + l1(G_B(real_a), real_a)) * 10.0 * 0.5
        loss_g = (
            gan_loss(D_A(fake_b), True)
            + gan_loss(D_B(fake_a), True)
            + 10.0 * (l1(rec_a, real_a) + l1(rec_b, real_b))
            + loss_idt
        )
        loss_g.backward()
        optimizer_g.step()
        set_requires_grad(True)
        optimizer_d.zero_grad()
        for D, real, fake in (
            (D_A, real_b, pool_b.query(fake_b)),
            (D_B, real_a, pool_a.query(fake_a)),
        ):
            loss_d = 0.5 * (gan_loss(D(real), True) + gan_loss(D(fake.detach()), False))
            loss_d.backward()
        optimizer_d.step()
    loss_g.item()
    del nets
    return args.steps * args.batch / (time.perf_counter() - started)


def main() -> None:
    description = __doc__.split("\n\n")[0]
    parser = speed_arguments(
        description, steps=3, warmup=1, batch=1, size=256, repeats=1, compile=False
    )
    args = parser.parse_args()
    data = synthetic_domains(max(8, args.batch * 4), args.size)
    plain, ours = [], []
    for _ in range(args.repeats):
        plain.append(plain_images_per_second(args, data))
        ours.append(gankit_images_per_second(args, data))
    device = pick_device(args.device)
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else platform.machine()
    print(
        f"device: {device} ({name}), torch {torch.__version__}, threads {torch.get_num_threads()}"
    )
    print(f"options: batch={args.batch} amp={args.amp} channels_last={args.channels_last}")
    print(f"plain loop : {max(plain):8.3f} img/s  (runs: {', '.join(f'{v:.3f}' for v in plain)})")
    print(f"gankit     : {max(ours):8.3f} img/s  (runs: {', '.join(f'{v:.3f}' for v in ours)})")
    print(f"ratio gankit/plain: {max(ours) / max(plain):.3f}")


if __name__ == "__main__":
    main()
