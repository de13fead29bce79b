"""lapgan on MNIST against a DCGAN with the same generator parameter budget: classifier FID.

    python benchmarks/experiments/lapgan_mnist.py --steps 1500 --out /tmp/runs-control/lapgan

LAPGAN: three levels (7, 14, 28 px); the 7x7 base GAN fully connected (G 600-600, D 600), the
band-pass levels 3-layer convnets of ``--level-width`` channels; every level trained
independently. DCGAN: ``nets.dcgan`` at 28 px with the width whose generator parameter count is
closest to LAPGAN's (all levels together). Both: non-saturating loss, Adam 2e-4 beta1 0.5,
batch 128 (``--batch-size``), the same steps and seed. Scored by the classifier FID of
``--fid-samples`` samples against as many test digits. Figures: LAPGAN's samples at every level
(its last row is its output) and the DCGAN's samples.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import torch
from common import (
    FIGURES,
    classifier_fid,
    data_overrides,
    generated,
    mnist_data,
    parameters,
    run_options,
    save,
    train,
)

from gankit.core.spec import DataSpec
from gankit.methods import METHODS
from gankit.runs.launch import load_trained, resolve_config
from gankit.runs.sample import write_samples
from gankit.viz.grid import save_image_grid


def dcgan_width(budget: int) -> tuple[int, int]:
    """The DCGAN generator width (28 px, z 100) whose parameter count is closest to ``budget``."""
    spec = DataSpec("image", (1, 28, 28), 10)
    counts = {}
    for width in range(8, 129, 2):
        cfg = resolve_config("dcgan", None, [f"generator.width={width}", "discriminator.width=8"])
        counts[width] = parameters(METHODS.get("dcgan")(cfg, spec, "cpu").nets["generator"])
    width = min(counts, key=lambda w: abs(counts[w] - budget))
    return width, counts[width]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=1500)
    parser.add_argument("--level-width", type=int, default=32)
    parser.add_argument("--fid-samples", type=int, default=10000)
    parser.add_argument("--base", choices=["mlp", "dcgan"], default="mlp",
                        help="the coarsest GAN: the paper's fully connected one (3 levels, 7 px) "
                        "or DCGAN nets (2 levels, 14 px)")  # fmt: skip
    run_options(parser, "lapgan", batch_size=128)
    args = parser.parse_args()
    torch.set_num_threads(1)
    data = mnist_data(args.data_dir)
    common = [*data_overrides(data), f"train.steps={args.steps}", "train.log_every=50",
              "train.sample_every=500", "train.checkpoint_every=1000", f"seed={args.seed}",
              f"data.batch_size={args.batch_size}"]  # fmt: skip
    levels = [f"level_generator.width={args.level_width}",
              f"level_discriminator.width={args.level_width}"]  # fmt: skip
    if args.base == "mlp":
        lapgan = [*common, *levels, "generator.hidden=[600,600]", "discriminator.hidden=[600]"]
    else:
        lapgan = [*common, *levels, "levels=2", "nets=dcgan", "generator={width: 32}",
                  "discriminator={width: 32}"]  # fmt: skip
    suffix = "" if args.base == "mlp" else f"-{args.base}-base"
    out = Path(args.out)
    results = {"data": data.name, "steps": args.steps, "batch_size": args.batch_size,
               "seed": args.seed, "models": {}}  # fmt: skip
    n = args.fid_samples
    lap = train("lapgan", lapgan, out, f"lapgan{suffix}")
    method, _, net = load_trained(lap["run"])
    lap["generator_parameters"] = parameters(method.nets["generator"])
    lap["discriminator_parameters"] = parameters(method.nets["discriminator"])
    lap |= classifier_fid(generated(method, net, n), data, n)
    results["models"]["lapgan"] = lap
    save(results, "lapgan", out)

    width, _ = dcgan_width(lap["generator_parameters"])
    dcgan = train("dcgan", [*common, f"generator.width={width}", f"discriminator.width={width}"],
                  out, f"dcgan-w{width}")  # fmt: skip
    baseline, _, baseline_net = load_trained(dcgan["run"])
    dcgan["width"] = width
    dcgan["generator_parameters"] = parameters(baseline.nets["generator"])
    dcgan["discriminator_parameters"] = parameters(baseline.nets["discriminator"])
    dcgan |= classifier_fid(generated(baseline, baseline_net, n), data, n)
    results["models"]["dcgan"] = dcgan
    save(results, "lapgan", out)

    levels, columns = method.render(method.fixed_inputs(48, torch.Generator().manual_seed(0)), net)
    save_image_grid(levels, FIGURES / f"lapgan-mnist-levels{suffix}.png", nrow=columns)
    write_samples(dcgan["run"], 64, FIGURES / f"lapgan-dcgan-baseline-samples{suffix}.png", seed=0)


if __name__ == "__main__":
    main()
