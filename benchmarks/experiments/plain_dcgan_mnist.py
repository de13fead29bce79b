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
"""

from __future__ import annotations

import argparse
import json
import time

import torch
from common import classifier_fid, mnist_data, run_options
from torch import nn

from gankit.data import build_dataset

Z_DIM = 100


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    run_options(parser, "plain_dcgan_mnist", batch_size=128)
    parser.add_argument("--steps", type=int, default=1500)
    args = parser.parse_args()
    data = mnist_data(args.data_dir)
    images = build_dataset(data).tensors[0]
    torch.manual_seed(args.seed)
    G, D = generator(), discriminator()
    optimizer_g = torch.optim.Adam(G.parameters(), lr=2e-4, betas=(0.5, 0.999))
    optimizer_d = torch.optim.Adam(D.parameters(), lr=2e-4, betas=(0.5, 0.999))
    bce = nn.BCEWithLogitsLoss()
    ones = torch.ones(args.batch_size, 1)
    zeros = torch.zeros(args.batch_size, 1)
    order, position, started = torch.randperm(len(images)), 0, time.perf_counter()
    for _ in range(args.steps):
        if position + args.batch_size > len(order):
            order, position = torch.randperm(len(images)), 0
        real = images[order[position : position + args.batch_size]]
        position += args.batch_size
        fake = G(torch.randn(args.batch_size, Z_DIM))
        d_loss = bce(D(real), ones) + bce(D(fake.detach()), zeros)
        optimizer_d.zero_grad()
        d_loss.backward()
        optimizer_d.step()
        g_loss = bce(D(fake), ones)
        optimizer_g.zero_grad()
        g_loss.backward()
        optimizer_g.step()
    seconds = time.perf_counter() - started
    G.eval()
    with torch.no_grad(), torch.random.fork_rng():
        torch.manual_seed(123)
        samples = torch.cat([G(torch.randn(500, Z_DIM)) for _ in range(20)])
    result = {
        "loop": "TensorFlow DCGAN tutorial in PyTorch, Adam 2e-4 / 0.5",
        "seed": args.seed,
        "steps": args.steps,
        "batch_size": args.batch_size,
        "train_seconds": round(seconds, 1),
        **classifier_fid(samples, data, 10000),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
