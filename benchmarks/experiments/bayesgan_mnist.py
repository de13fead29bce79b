"""bayesgan on semi-supervised MNIST: test accuracy against ssgan and a supervised classifier.

    python benchmarks/experiments/bayesgan_mnist.py --labels 100 600 --steps 2000 --runs RUNS

For each N labelled training digits (balanced, ``semi.seed=0``), three classifiers with the same
network (gankit's DCGAN discriminator at 28 px, width 32, layer norm, K+1 = 11 outputs):

- ``supervised``: the same network with K = 10 outputs, trained on the N labelled digits alone
  (Adam 2e-4, beta1 0.5, batch 64, ``--steps`` steps);
- ``ssgan``: the maximum-likelihood semi-supervised GAN (J_g = J_d = M = 1, no prior or noise);
- ``bayesgan``: J_g = 2, J_d = 1, M = 1 SGHMC chains with the N(0, 10 I) prior, a sample
  collected every ``--steps / 8`` iterations after half the run, the last 5 kept, classifying
  by the posterior-averaged discriminator.

Both GANs: DCGAN generator of width 32, uniform z (100-d), batch 64, SGHMC learning rate 2e-4,
friction 0.1 (the paper's 0.01 let D win outright at this budget), ``--steps`` iterations,
seed 0. Accuracy on the 10,000 test digits. The bayesgan sample grid (one posterior generator
per row) goes to docs/figures/.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import replace
from pathlib import Path

import torch
from common import FIGURES, RESULTS, cpu_seconds, data_overrides, mnist_data, save, train

from gankit.data import build_dataset
from gankit.methods import semi_supervised
from gankit.nets import build_discriminator
from gankit.nets.heads import ClassOutputs
from gankit.runs.launch import load_trained
from gankit.viz.grid import save_image_grid

NETS = ["generator.width=32", "discriminator.width=32", "discriminator.norm=layer"]


def supervised(data, labels: int, steps: int) -> dict:
    train_set = build_dataset(replace(data, split="train"))
    images, targets = train_set.tensors
    index = semi_supervised.balanced_subset(targets, labels, 10, seed=0)
    torch.manual_seed(0)
    body = build_discriminator("dcgan", train_set.spec, {"width": 32, "norm": "layer"})
    net = ClassOutputs(body, 10)  # K outputs: no "generated" column to train or ignore
    wall, cpu = time.perf_counter(), cpu_seconds()
    semi_supervised.train_supervised(net, images[index], targets[index], steps, seed=0)
    test = build_dataset(replace(data, split="test"))
    test_images, test_labels = test.tensors

    def probabilities(batch: torch.Tensor) -> torch.Tensor:
        with torch.no_grad():
            return torch.softmax(net(batch), dim=1)

    return {
        "accuracy": semi_supervised.accuracy(probabilities, test_images, test_labels),
        "train_wall_s": round(time.perf_counter() - wall, 1),
        "train_cpu_s": round(cpu_seconds() - cpu, 1),
    }


def gan(method: str, data, labels: int, steps: int, extra: list[str], runs: Path) -> dict:
    overrides = [*data_overrides(data), *NETS, f"semi.labels={labels}", f"train.steps={steps}",
                 "bayes.friction=0.1", "seed=0", "train.log_every=100",
                 f"train.sample_every={steps}", f"train.checkpoint_every={steps}", *extra]  # fmt: skip
    result = train(method, overrides, runs, f"n{labels}")
    result.update(semi_supervised.run_accuracy(result["run"], "test"))
    result["overrides"] = overrides
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--labels", type=int, nargs="+", default=[100, 600])
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--data-dir")
    parser.add_argument("--runs", type=Path, default=RESULTS / "bayesgan_mnist" / "runs")
    args = parser.parse_args()
    torch.set_num_threads(1)
    data = mnist_data(args.data_dir)
    results = {"steps": args.steps, "data": data.name, "labels": {}}
    for labels in args.labels:
        collect = max(1, args.steps // 8)
        bayes = ["bayes.generators=2", "bayes.discriminators=1", "bayes.mcmc=1",
                 f"bayes.burn_in={args.steps // 2}", f"bayes.collect_every={collect}",
                 "bayes.keep=5"]  # fmt: skip
        row = {
            "supervised": supervised(data, labels, args.steps),
            "ssgan": gan("ssgan", data, labels, args.steps, [], args.runs),
            "bayesgan": gan("bayesgan", data, labels, args.steps, bayes, args.runs),
        }
        results["labels"][labels] = row
        print({k: v["accuracy"] for k, v in row.items()}, flush=True)
        method, _, net = load_trained(row["bayesgan"]["run"])
        inputs = method.fixed_inputs(64, torch.Generator().manual_seed(0))
        images, columns = method.render(inputs, net)
        FIGURES.mkdir(parents=True, exist_ok=True)
        save_image_grid(images, FIGURES / f"bayesgan-mnist-n{labels}.png", nrow=columns)
    save(results, "bayesgan_mnist")


if __name__ == "__main__":
    main()
