"""The loop a user would write: a tutorial DCGAN on MNIST, scored as gankit's recipe is.

Issue 18 asks that gankit's simplest recipe be at least as good per step as this loop. The loop
is the TensorFlow DCGAN tutorial's ("Deep Convolutional Generative Adversarial Network",
tensorflow.org/tutorials/generative/dcgan) written in PyTorch: G = dense 7x7x256 (no bias),
batch norm, leaky ReLU, then 5x5 transposed convolutions to 128 (stride 1), 64 (stride 2) and 1
(stride 2, tanh), each but the last with batch norm and leaky ReLU; D = 5x5 stride-2
convolutions to 64 and 128 with leaky ReLU and dropout 0.3, then a linear logit. Leaky slope
0.3 (Keras' default). Binary cross-entropy on logits, z ~ N(0, I) of 100 dimensions; Adam
2e-4, beta1 0.5 (the DCGAN paper's, as the issue's check used; the tutorial has 1e-4, 0.9);
batch 128, MNIST reshuffled every epoch. Scored by the same classifier FID as the runs of
``configs/dcgan-mnist.yaml``: 10,000 samples against the first 10,000 MNIST test images.

    python benchmarks/experiments/plain_dcgan_mnist.py --steps 1500 --seed 0

The same loop with another paper's training settings (``--paper``), for the other recipes of
the GAN family: the tutorial's nets stay, the loss, optimizer, critic steps and batch become the
paper's, so that a gap to gankit's recipe at equal steps and batch is the recipe's, not the
nets'. ``lsgan``: Mao et al.'s least squares with the 0-1 coding (Eq. 9: a = 0, b = c = 1, each
term halved as in Eq. 2), Adam 2e-4 / 0.5, batch 64 (``configs/lsgan.yaml``). ``sngan``: Miyato
et al.'s hinge loss (Eq. 16-17), spectral normalisation of every layer of D
(``torch.nn.utils.parametrizations.spectral_norm``: one power iteration on every training-mode
forward), Adam 2e-4 with betas (0, 0.9), five D updates per G update, each on a new real batch
and new noise, batch 64 (``configs/sngan.yaml``). ``--generator gankit`` and ``--discriminator
gankit`` swap the tutorial's nets for gankit's registered DCGAN nets at 28 px (the recipes'
``nets: dcgan``; D without batch norm for ``sngan``, as ``configs/sngan.yaml`` sets), so that a
gap between loop and recipe splits into G, D and training machinery; ``--torch-init GD`` (or
``G``, ``D``) gives those gankit nets PyTorch's default initialisation instead of DCGAN's
N(0, 0.02), as the tutorial's nets have it. ``--gankit CHECKPOINT ...`` scores saved
gankit checkpoints the same way instead (e.g. the reproduce runs' ``step_001500.pt``).

    python benchmarks/experiments/plain_dcgan_mnist.py --paper lsgan --steps 1500 --seed 0
    python benchmarks/experiments/plain_dcgan_mnist.py --paper sngan --discriminator gankit
    python benchmarks/experiments/plain_dcgan_mnist.py --gankit runs/.../checkpoints/step_001500.pt
"""

from __future__ import annotations

import argparse
import json
import time

import torch
from common import classifier_fid, mnist_data, run_options, score_checkpoints
from torch import nn

from gankit.core.spec import DataSpec
from gankit.data import build_dataset
from gankit.nets.registry import build_discriminator, build_generator

Z_DIM = 100
PAPERS = {  # loss, Adam betas, D updates per G update, spectral norm in D, batch
    "dcgan": ("bce", (0.5, 0.999), 1, False, 128),
    "lsgan": ("least-squares", (0.5, 0.999), 1, False, 64),
    "sngan": ("hinge", (0.0, 0.9), 5, True, 64),
}


def generator() -> nn.Module:
    slope = 0.3
    return nn.Sequential(
        nn.Linear(Z_DIM, 7 * 7 * 256, bias=False),
        nn.BatchNorm1d(7 * 7 * 256),
        nn.LeakyReLU(slope),
        nn.Unflatten(1, (256, 7, 7)),
        nn.ConvTranspose2d(256, 128, 5, 1, 2, bias=False),
        nn.BatchNorm2d(128),
        nn.LeakyReLU(slope),
        nn.ConvTranspose2d(128, 64, 5, 2, 2, output_padding=1, bias=False),
        nn.BatchNorm2d(64),
        nn.LeakyReLU(slope),
        nn.ConvTranspose2d(64, 1, 5, 2, 2, output_padding=1, bias=False),
        nn.Tanh(),
    )


def discriminator() -> nn.Module:
    slope = 0.3
    return nn.Sequential(
        nn.Conv2d(1, 64, 5, 2, 2),
        nn.LeakyReLU(slope),
        nn.Dropout(0.3),
        nn.Conv2d(64, 128, 5, 2, 2),
        nn.LeakyReLU(slope),
        nn.Dropout(0.3),
        nn.Flatten(),
        nn.Linear(7 * 7 * 128, 1),
    )


MNIST_SPEC = DataSpec("image", (1, 28, 28))


def nets(args) -> tuple[nn.Module, nn.Module]:
    """(G, D): the tutorial's, or gankit's registered DCGAN nets at 28 px (D's norm as the
    paper's recipe sets it)."""
    norm = "none" if PAPERS[args.paper][3] else "batch"
    G = (
        build_generator("dcgan", Z_DIM, MNIST_SPEC, {})
        if args.generator == "gankit"
        else generator()
    )
    D = (
        build_discriminator("dcgan", MNIST_SPEC, {"norm": norm})
        if args.discriminator == "gankit"
        else discriminator()
    )
    for net, kind, name in ((G, args.generator, "G"), (D, args.discriminator, "D")):
        if kind == "gankit" and name in args.torch_init:
            for module in net.modules():
                if hasattr(module, "reset_parameters"):
                    module.reset_parameters()
    return G, D


def with_spectral_norm(net: nn.Module) -> nn.Module:
    for module in list(net.modules()):
        if isinstance(module, (nn.Conv2d, nn.Linear)):
            nn.utils.parametrizations.spectral_norm(module)
    return net


def losses(kind: str):
    """(D's loss on real and fake scores, G's loss on fake scores)."""
    if kind == "bce":
        bce = nn.BCEWithLogitsLoss()
        return (
            lambda real, fake: bce(real, torch.ones_like(real)) + bce(fake, torch.zeros_like(fake)),
            lambda fake: bce(fake, torch.ones_like(fake)),
        )
    if kind == "least-squares":
        return (
            lambda real, fake: 0.5 * ((real - 1) ** 2).mean() + 0.5 * (fake**2).mean(),
            lambda fake: 0.5 * ((fake - 1) ** 2).mean(),
        )
    return (
        lambda real, fake: torch.relu(1 - real).mean() + torch.relu(1 + fake).mean(),
        lambda fake: -fake.mean(),
    )


def train_plain(args, data) -> dict:
    kind, betas, n_critic, spectral, _ = PAPERS[args.paper]
    images = build_dataset(data).tensors[0]
    torch.manual_seed(args.seed)
    G, D = nets(args)
    if spectral:
        D = with_spectral_norm(D)
    optimizer_g = torch.optim.Adam(G.parameters(), lr=2e-4, betas=betas)
    optimizer_d = torch.optim.Adam(D.parameters(), lr=2e-4, betas=betas)
    d_loss_of, g_loss_of = losses(kind)
    order, position, started = torch.randperm(len(images)), 0, time.perf_counter()

    def real_batch() -> torch.Tensor:
        nonlocal order, position
        if position + args.batch_size > len(order):
            order, position = torch.randperm(len(images)), 0
        position += args.batch_size
        return images[order[position - args.batch_size : position]]

    def update_d(real: torch.Tensor, fake: torch.Tensor) -> None:
        d_loss = d_loss_of(D(real), D(fake))
        optimizer_d.zero_grad()
        d_loss.backward()
        optimizer_d.step()

    for _ in range(args.steps):
        if n_critic == 1:  # the tutorial's step: one batch of fakes for D's and G's update
            real = real_batch()
            fake = G(torch.randn(args.batch_size, Z_DIM))
            update_d(real, fake.detach())
        else:  # each D update on a new real batch and new noise, then G's on new noise
            for _ in range(n_critic):
                real = real_batch()
                with torch.no_grad():
                    made = G(torch.randn(args.batch_size, Z_DIM))
                update_d(real, made)
            fake = G(torch.randn(args.batch_size, Z_DIM))
        g_loss = g_loss_of(D(fake))
        optimizer_g.zero_grad()
        g_loss.backward()
        optimizer_g.step()
    seconds = time.perf_counter() - started
    G.eval()
    with torch.no_grad(), torch.random.fork_rng():
        torch.manual_seed(123)
        samples = torch.cat([G(torch.randn(500, Z_DIM)) for _ in range(20)])
    return {
        "loop": f"TensorFlow DCGAN tutorial in PyTorch, {args.paper}'s training settings",
        "paper": args.paper,
        "generator": args.generator,
        "discriminator": args.discriminator,
        "torch_init": args.torch_init,
        "seed": args.seed,
        "steps": args.steps,
        "batch_size": args.batch_size,
        "train_seconds": round(seconds, 1),
        **classifier_fid(samples, data, 10000),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    run_options(parser, "plain_dcgan_mnist", batch_size=0)
    parser.add_argument("--paper", choices=sorted(PAPERS), default="dcgan")
    parser.add_argument("--steps", type=int, default=1500)
    parser.add_argument("--generator", choices=("tutorial", "gankit"), default="tutorial")
    parser.add_argument("--discriminator", choices=("tutorial", "gankit"), default="tutorial")
    parser.add_argument("--torch-init", choices=("", "G", "D", "GD"), default="",
                        help="these gankit nets get torch's default initialisation")  # fmt: skip
    parser.add_argument("--gankit", nargs="+", metavar="CHECKPOINT", help="score these instead")
    args = parser.parse_args()
    args.batch_size = args.batch_size or PAPERS[args.paper][-1]
    torch.set_num_threads(1)
    data = mnist_data(args.data_dir)
    result = score_checkpoints(args.gankit, data) if args.gankit else train_plain(args, data)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
