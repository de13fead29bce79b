"""Gradient-layer refinement of MNIST GANs: classifier FID before and after T layers.

    python benchmarks/experiments/refine_mnist.py --steps 400 --runs RUNS
    python benchmarks/experiments/refine_mnist.py --run RUN [RUN ...] --critic-steps 5 \\
        --etas 0.1 --at 0 10 20 30 --count 10000

Without ``--run`` it trains ``dcgan`` (non-saturating loss, width 32, batch 64, seed 0) for
``--steps`` steps; with ``--run`` it refines trained runs instead (e.g. the three seeds of
``gankit reproduce gan-family-mnist``'s WGAN-GP, Nitanda & Suzuki's setting: a trained WGAN-GP
and its critic). ``--count`` samples are moved by T gradient layers (x <- x - eta grad_x l(D(x)),
for the Wasserstein loss x + eta grad D(x); clamped to [-1, 1] when scored) and scored at each
T in ``--at`` by the Fréchet distance of the MNIST domain classifier's features against the
first ``--count`` test digits. ``--critic-steps 0`` uses the trained critic as it is;
``--critic-steps T_0`` is Algorithm 2 (Sørby 2019 §3.3; :func:`gankit.methods.gradient_layers.
fine_tune`): before each layer the critic is trained T_0 steps, with the run's loss and
penalties (WGAN-GP's gradient penalty) and Adam (``--critic-lr``, betas (0, 0.9)), against the
samples refined so far. Nitanda & Suzuki 2018 report inception-score gains on CIFAR-10 and
STL-10 for WGAN-GP models after 20-30 such iterations. Before/after grids of the first run and
the last eta go to docs/figures/NAME-{before,after}.png (``--figures NAME``, default
refine-mnist). The samples are clamped to [-1, 1] once, after the last layer, as ``gankit
refine`` does (before 2026-12-07 this script clamped after every layer).
"""

from __future__ import annotations

import argparse
import copy
import time
from collections.abc import Iterator
from pathlib import Path

import torch
from common import FIGURES, RESULTS, classifier_fid, data_overrides, mnist_data, save, train

from gankit.config import DataConfig
from gankit.data import build_dataset
from gankit.methods.gradient_layers import GradientLayers, fine_tune
from gankit.runs.launch import load_trained
from gankit.viz.grid import save_image_grid


def real_batches(data: DataConfig, batch_size: int, seed: int) -> Iterator[torch.Tensor]:
    """Endless batches of training images drawn with replacement, from a private RNG."""
    images = build_dataset(data).tensors[0]
    rng = torch.Generator().manual_seed(seed)
    while True:
        yield images[torch.randint(len(images), (batch_size,), generator=rng)]


def refine(run: str, eta: float, args, data: DataConfig) -> tuple[dict, torch.Tensor, torch.Tensor]:
    """FID at each T in ``args.at`` for one run and step size; the samples before and after."""
    method, cfg, net = load_trained(run)
    critic = copy.deepcopy(method.nets["discriminator"]).eval()  # fine-tuned in place
    with torch.no_grad():
        before = method.generate(
            method.sample_latent(args.count, torch.Generator().manual_seed(0)), net
        )
    curve: dict[int, float] = {}
    after = before

    def score(t: int, moved: torch.Tensor) -> None:
        nonlocal after
        after = moved.clamp(-1, 1)
        curve[t] = classifier_fid(after, data, args.count)["classifier_fid"]
        print(run, eta, t, curve[t], flush=True)

    if 0 in args.at:
        curve[0] = classifier_fid(before, data, args.count)["classifier_fid"]
    began = time.perf_counter()
    torch.manual_seed(args.seed)  # the critic's fine-tuning noise and penalty draws
    if args.critic_steps == 0:  # the trained critic: each T goes on from the T scored before it
        moved, done = before, 0
        for t in sorted(t for t in args.at if t > 0):
            layers = GradientLayers(eta, cfg.loss, cfg.loss_options)
            layers.append(critic, t - done)
            moved, done = torch.cat([layers(chunk) for chunk in moved.split(250)]), t
            score(t, moved)
    else:  # each new critic acts first, so every T refines the samples from the start

        def grown(layers: GradientLayers) -> None:
            if len(layers) in args.at:
                score(len(layers), torch.cat([layers(chunk) for chunk in before.split(250)]))

        optimizer = torch.optim.Adam(critic.parameters(), lr=args.critic_lr, betas=(0.0, 0.9))
        fine_tune(
            lambda n: method.generate(method.sample_latent(n), net),
            critic,
            real_batches(data, cfg.data.batch_size, args.seed),
            max(args.at),
            args.critic_steps,
            eta,
            cfg.loss,
            cfg.loss_options,
            method.regularizers,
            optimizer,
            on_layer=grown,
        )
    seconds = round(time.perf_counter() - began, 1)
    return {"fid": curve, "wall_s": seconds, "method": cfg.method}, before, after


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=400)
    parser.add_argument("--run", nargs="+", help="refine these trained runs (no training)")
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--etas", type=float, nargs="+", default=[0.01, 0.1])
    parser.add_argument("--at", type=int, nargs="+", default=[0, 10, 20, 30])
    parser.add_argument("--critic-steps", type=int, default=0, help="T_0 (Algorithm 2)")
    parser.add_argument("--critic-lr", type=float, default=1e-4)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data-dir")
    parser.add_argument("--runs", type=Path, default=RESULTS / "refine_mnist" / "runs")
    parser.add_argument("--out", type=Path, help="results folder (default: benchmarks/results)")
    parser.add_argument("--figures", default="refine-mnist", help="grid names in docs/figures")
    args = parser.parse_args()
    torch.set_num_threads(1)
    data = mnist_data(args.data_dir)
    result: dict = {"count": args.count, "critic_steps": args.critic_steps, "refined": {}}
    if args.run:
        runs = args.run
    else:
        overrides = [*data_overrides(data), "generator.width=32", "discriminator.width=32",
                     "seed=0", f"train.steps={args.steps}", f"train.sample_every={args.steps}",
                     f"train.checkpoint_every={args.steps}", "train.log_every=100"]  # fmt: skip
        result.update(train("dcgan", overrides, args.runs, "refine"), steps=args.steps)
        result["overrides"] = overrides
        runs = [result["run"]]
    if args.critic_steps:
        result["critic_lr"] = args.critic_lr
    for run in runs:
        for eta in args.etas:
            scores, before, after = refine(run, eta, args, data)
            result["refined"].setdefault(run, {})[eta] = scores
            if run == runs[0]:  # the grids: the first run, the last eta
                grids = (before[:64], after[:64])
    FIGURES.mkdir(parents=True, exist_ok=True)
    save_image_grid(grids[0], FIGURES / f"{args.figures}-before.png", nrow=8)
    save_image_grid(grids[1], FIGURES / f"{args.figures}-after.png", nrow=8)
    save(result, "refine_mnist", args.out)


if __name__ == "__main__":
    main()
