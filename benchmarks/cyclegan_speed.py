"""CycleGAN training speed: gankit's trainer against a plain loop, same nets and data.

ResNet-9 generators + 70x70 PatchGANs at 256x256 (batch 1, the paper's, and batch 4), least
squares, lambda_cyc 10, identity 0.5, image pools of 50, on synthetic in-memory images. The
plain loop follows the official implementation's ``CycleGANModel.optimize_parameters``: both
generators forward, G_A and G_B losses with both D's gradients off, G step; then each D on the
real and on a pooled fake (halved), D step. gankit's figure comes from its own step clock
(``time`` in metrics.jsonl), so start-up and the sample grids are not counted.

    python benchmarks/cyclegan_speed.py --device cpu --batch 1 --steps 3 --warmup 1
    python benchmarks/cyclegan_speed.py --nets digits --size 28 --batch 64 --steps 20 --fast
    python benchmarks/cyclegan_speed.py --device cuda --batch 4 --steps 50 --channels-last
"""

from __future__ import annotations

import argparse
import itertools
import time

import torch
from trainer_timing import clock, report, speed_arguments, trainer_images_per_second

from gankit.data.unpaired import UnpairedDataset
from gankit.methods.image_pool import ImagePool
from gankit.nets.patchgan import build_patch_discriminator
from gankit.nets.translation import build_translator
from gankit.training.environment import pick_device

# --nets: the paper's ResNet-9 + PatchGAN (least squares, identity 0.5), or Kasmi & Thimonier's
# digit nets (configs/cyclegan-mnist-usps.yaml: grayscale, log loss, lambda_cyc 0.045, no
# identity loss, batch norm).
RECIPES = {
    "resnet9": dict(
        generator_net="resnet",
        generator={"blocks": 9},
        discriminator_net="patch",
        norm="instance",
        channels=3,
        loss="least_squares",
        cycle=10.0,
        identity=0.5,
    ),
    "digits": dict(
        generator_net="digits",
        generator={},
        discriminator_net="digits",
        norm="batch",
        channels=1,
        loss="vanilla",
        cycle=0.045,
        identity=0.0,
    ),
}


def synthetic_domains(count: int, size: int, channels: int) -> UnpairedDataset:
    generator = torch.Generator().manual_seed(0)
    a = torch.rand((count, channels, size, size), generator=generator) * 2 - 1
    b = torch.rand((count, channels, size, size), generator=generator) * 2 - 1
    return UnpairedDataset(a, b)


def gankit_images_per_second(args: argparse.Namespace, data: UnpairedDataset) -> float:
    recipe = RECIPES[args.nets]
    overrides = [
        ("generator_net", recipe["generator_net"]),
        ("generator", recipe["generator"]),
        ("discriminator_net", recipe["discriminator_net"]),
        ("discriminator", {}),
        ("norm", recipe["norm"]),
        ("loss", recipe["loss"]),
        ("lambda_cycle", recipe["cycle"]),
        ("lambda_identity", recipe["identity"]),
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
    recipe, c = RECIPES[args.nets], RECIPES[args.nets]["channels"]
    g_options, d_options = {"norm": recipe["norm"]} | recipe["generator"], {"norm": recipe["norm"]}
    G_A, G_B = (
        build_translator(recipe["generator_net"], c, c, args.size, g_options) for _ in range(2)
    )
    D_A, D_B = (
        build_patch_discriminator(recipe["discriminator_net"], c, args.size, d_options)
        for _ in range(2)
    )
    nets = [net.to(device) for net in (G_A, G_B, D_A, D_B)]
    adam = dict(lr=2e-4, betas=(0.5, 0.999))
    optimizer_g = torch.optim.Adam(itertools.chain(G_A.parameters(), G_B.parameters()), **adam)
    optimizer_d = torch.optim.Adam(itertools.chain(D_A.parameters(), D_B.parameters()), **adam)
    pool_a, pool_b = ImagePool(50), ImagePool(50)
    mse, l1 = torch.nn.MSELoss(), torch.nn.L1Loss()
    domain_a, domain_b = data.tensors[0], data.domain_b[0]

    bce = torch.nn.BCEWithLogitsLoss()
    criterion = mse if recipe["loss"] == "least_squares" else bce

    def gan_loss(prediction: torch.Tensor, real: bool) -> torch.Tensor:
        return criterion(prediction, torch.full_like(prediction, float(real)))

    def set_requires_grad(flag: bool) -> None:
        for p in itertools.chain(D_A.parameters(), D_B.parameters()):
            p.requires_grad = flag

    started = 0.0
    for step in range(args.warmup + args.steps):
        if step == args.warmup:
            started = clock(device)
        index = torch.randint(0, len(domain_a), (args.batch,))
        real_a, real_b = domain_a[index].to(device), domain_b[index].to(device)
        if args.channels_last:
            real_a = real_a.contiguous(memory_format=torch.channels_last)
            real_b = real_b.contiguous(memory_format=torch.channels_last)
        fake_b, fake_a = G_A(real_a), G_B(real_b)
        rec_a, rec_b = G_B(fake_b), G_A(fake_a)
        set_requires_grad(False)
        optimizer_g.zero_grad()
        loss_g = (
            gan_loss(D_A(fake_b), True)
            + gan_loss(D_B(fake_a), True)
            + recipe["cycle"] * (l1(rec_a, real_a) + l1(rec_b, real_b))
        )
        if recipe["identity"]:
            identity = l1(G_A(real_b), real_b) + l1(G_B(real_a), real_a)
            loss_g = loss_g + identity * recipe["cycle"] * recipe["identity"]
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
    parser.add_argument("--nets", choices=list(RECIPES), default="resnet9")
    args = parser.parse_args()
    data = synthetic_domains(max(8, args.batch * 4), args.size, RECIPES[args.nets]["channels"])
    plain, ours = [], []
    for _ in range(args.repeats):
        plain.append(plain_images_per_second(args, data))
        ours.append(gankit_images_per_second(args, data))
    report(args, plain, ours, "img/s")


if __name__ == "__main__":
    main()
