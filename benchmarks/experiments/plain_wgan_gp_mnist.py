"""The loop of WGAN-GP's authors on MNIST, in plain PyTorch, scored as gankit's recipe is.

Issue 18 asks that each image recipe be at least as good per step as a plain loop of the same
paper. This is Gulrajani et al.'s own MNIST script (igul222/improved_wgan_training,
``gan_mnist.py``, MODE = 'wgan-gp') written in PyTorch with PyTorch's default initialisation:
G = linear 128 -> 4x4x256, ReLU, 5x5 stride-2 transposed convolutions to 128 (cropped from 8x8
to 7x7), 64 and 1 channels, ReLU between, sigmoid out; no batch norm. D = 5x5 stride-2
convolutions to 64, 128 and 256 channels with leaky ReLU 0.2, then a linear output; no
normalisation. z ~ N(0, I) of 128 dimensions; images in [0, 1] as the script has them (mapped
to [-1, 1] for scoring); the critic loss E[D(G(z))] - E[D(x)] + 10 E[(||grad D(x^)|| - 1)^2] at
x^ between real and generated images (one alpha per image); 5 critic updates per generator
update, each on a new real batch and new noise; Adam 1e-4 with betas (0.5, 0.9) for both, as
the script has them (Algorithm 1 of the paper says beta1 = 0, which gankit's recipe follows).
The batch is gankit's recipe's, 64 (the script's is 50), so that steps and batch are equal.

Scored by the classifier FID of the GAN-family runs: 10,000 samples against the first 10,000
MNIST test images, at each step of ``--measure-at``. ``--gankit CHECKPOINT ...`` scores saved
gankit checkpoints (e.g. the reproduce runs' ``step_001500.pt``) the same way instead.

    python benchmarks/experiments/plain_wgan_gp_mnist.py --steps 1500 --seed 0
    python benchmarks/experiments/plain_wgan_gp_mnist.py --gankit runs/.../checkpoints/step_001500.pt
"""

from __future__ import annotations

import argparse
import json
import time

import torch
from common import classifier_fid, mnist_data, run_options, score_checkpoints
from torch import nn

from gankit.data import build_dataset

Z_DIM, DIM, LAMBDA, CRITIC_ITERS = 128, 64, 10.0, 5


class Generator(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.input = nn.Linear(Z_DIM, 4 * 4 * 4 * DIM)
        self.up2 = nn.ConvTranspose2d(4 * DIM, 2 * DIM, 5, 2, 2, output_padding=1)
        self.up3 = nn.ConvTranspose2d(2 * DIM, DIM, 5, 2, 2, output_padding=1)
        self.up5 = nn.ConvTranspose2d(DIM, 1, 5, 2, 2, output_padding=1)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        x = torch.relu(self.input(z)).view(-1, 4 * DIM, 4, 4)
        x = torch.relu(self.up2(x))[:, :, :7, :7]  # the script's output[:, :, :7, :7]
        x = torch.relu(self.up3(x))
        return torch.sigmoid(self.up5(x))


def discriminator() -> nn.Module:
    return nn.Sequential(
        nn.Conv2d(1, DIM, 5, 2, 2),
        nn.LeakyReLU(0.2),
        nn.Conv2d(DIM, 2 * DIM, 5, 2, 2),
        nn.LeakyReLU(0.2),
        nn.Conv2d(2 * DIM, 4 * DIM, 5, 2, 2),
        nn.LeakyReLU(0.2),
        nn.Flatten(),
        nn.Linear(4 * 4 * 4 * DIM, 1),
    )


def gradient_penalty(D: nn.Module, real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
    alpha = torch.rand(len(real), 1, 1, 1)
    between = (real + alpha * (fake - real)).requires_grad_(True)
    (gradients,) = torch.autograd.grad(D(between).sum(), between, create_graph=True)
    return ((gradients.flatten(1).norm(dim=1) - 1) ** 2).mean()


def score(G: nn.Module, data, count: int = 10000) -> dict:
    with torch.no_grad(), torch.random.fork_rng():
        torch.manual_seed(123)
        samples = torch.cat([G(torch.randn(500, Z_DIM)) for _ in range(count // 500)])
    return classifier_fid(samples * 2 - 1, data, count)


def train_plain(args, data) -> dict:
    images = (build_dataset(data).tensors[0] + 1) / 2  # the script's [0, 1] pixels
    torch.manual_seed(args.seed)
    G, D = Generator(), discriminator()
    optimizer_g = torch.optim.Adam(G.parameters(), lr=1e-4, betas=(0.5, 0.9))
    optimizer_d = torch.optim.Adam(D.parameters(), lr=1e-4, betas=(0.5, 0.9))
    order, position = torch.randperm(len(images)), 0

    def real_batch() -> torch.Tensor:
        nonlocal order, position
        if position + args.batch_size > len(order):
            order, position = torch.randperm(len(images)), 0
        position += args.batch_size
        return images[order[position - args.batch_size : position]]

    measured, training = {}, 0.0
    for step in range(1, args.steps + 1):
        started = time.perf_counter()
        for _ in range(CRITIC_ITERS):
            real = real_batch()
            with torch.no_grad():
                fake = G(torch.randn(args.batch_size, Z_DIM))
            d_loss = D(fake).mean() - D(real).mean() + LAMBDA * gradient_penalty(D, real, fake)
            optimizer_d.zero_grad()
            d_loss.backward()
            optimizer_d.step()
        g_loss = -D(G(torch.randn(args.batch_size, Z_DIM))).mean()
        optimizer_g.zero_grad()
        g_loss.backward()
        optimizer_g.step()
        training += time.perf_counter() - started
        if step in args.measure_at:
            measured[step] = {**score(G, data), "train_seconds": round(training, 1)}
            print(json.dumps({"step": step, **measured[step]}), flush=True)
    return {
        "loop": "Gulrajani et al.'s gan_mnist.py (wgan-gp) in PyTorch, batch 64",
        "seed": args.seed,
        "batch_size": args.batch_size,
        "measured": measured,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    run_options(parser, "plain_wgan_gp_mnist", batch_size=64)
    parser.add_argument("--steps", type=int, default=1500)
    parser.add_argument("--measure-at", default="", help="STEP[,STEP...] (default: --steps)")
    parser.add_argument("--gankit", nargs="+", metavar="CHECKPOINT", help="score these instead")
    args = parser.parse_args()
    args.measure_at = {int(s) for s in args.measure_at.split(",") if s} or {args.steps}
    torch.set_num_threads(1)
    data = mnist_data(args.data_dir)
    result = score_checkpoints(args.gankit, data) if args.gankit else train_plain(args, data)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
