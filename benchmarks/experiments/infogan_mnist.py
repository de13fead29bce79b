"""infogan on MNIST: categorical-code error (Hungarian matching), MI bound curve, traversals.

    python benchmarks/experiments/infogan_mnist.py --steps 3000 --width 32 \
        --out /tmp/runs-control/infogan

The paper's MNIST setting (one 10-way code, two U(-1, 1) codes, 62 noise variables, lambda 1,
Adam 2e-4 / 1e-3, batch 128 unless ``--batch-size``), on the InfoGAN nets at ``--width``
(64 is the paper's).
Measures:

- the error of Q's categorical code as a classifier of the 10,000 MNIST test digits, under the
  best one-to-one matching of categories to digits (Chen et al. 2016: 5%);
- the same for generated digits: 1000 samples per category, labelled by gankit's MNIST domain
  classifier;
- the lower bounds L_I of I(cat1; G(z, c)) and I(c1, c2; G(z, c)) during training
  (``mi_categorical``, at most H(cat1) = log 10; ``mi_continuous``).

Figures: traversals of c1 and c2 over [-2, 2] (rows are categories), the categories, the curve.
gankit's cat1, c1 and c2 are the paper's c1, c2 and c3.
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import torch
from common import (
    FIGURES,
    data_overrides,
    extractor,
    mnist_data,
    run_options,
    save,
    test_images,
    train,
)

from gankit.metrics import match_clusters
from gankit.runs.launch import load_trained
from gankit.runs.sample import write_samples
from gankit.training.logger import read_metrics
from gankit.training.run_folder import RunFolder


def plot_information(records: list[dict], path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    steps = [r["step"] for r in records if "mi_categorical" in r]
    figure, ax = plt.subplots(figsize=(6, 3.2))
    ax.plot(steps, [r["mi_categorical"] for r in records if "mi_categorical" in r],
            label="L_I(cat1), the 10-way code", linewidth=1)  # fmt: skip
    ax.plot(steps, [r["mi_continuous"] for r in records if "mi_continuous" in r],
            label="L_I(c1, c2), the continuous codes", linewidth=1)  # fmt: skip
    ax.axhline(math.log(10), color="grey", linestyle="--", linewidth=1, label="H(cat1) = log 10")
    # With Q's std fixed at 1, L_I of a U(-1, 1) code is at most log 2 - log(2 pi) / 2.
    ax.axhline(2 * (math.log(2) - 0.5 * math.log(2 * math.pi)), color="grey", linestyle=":",
               linewidth=1, label="max of L_I(c1, c2) with std 1")  # fmt: skip
    ax.set_xlabel("step")
    ax.set_ylabel("nats")
    ax.legend(fontsize="small")
    ax.grid(alpha=0.3)
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=3000)
    parser.add_argument("--width", type=int, default=32)
    run_options(parser, "infogan", batch_size=128)
    args = parser.parse_args()
    torch.set_num_threads(1)
    data = mnist_data(args.data_dir)
    overrides = [*data_overrides(data), f"train.steps={args.steps}", "train.log_every=25",
                 "train.sample_every=500", "train.checkpoint_every=1000", f"seed={args.seed}",
                 f"data.batch_size={args.batch_size}", f"generator.width={args.width}", f"discriminator.width={args.width}"]  # fmt: skip
    name = f"w{args.width}-s{args.seed}"
    result = train("infogan", overrides, Path(args.out), name)
    result |= {"data": data.name, "steps": args.steps, "width": args.width, "seed": args.seed,
               "batch_size": args.batch_size}  # fmt: skip
    method, _, net = load_trained(result["run"])

    images, labels = test_images(data, 10000)
    categories = torch.cat([method.infer_categories(b) for b in images.split(500)])
    real = match_clusters(categories, labels, 10, 10)
    result["q_test_error"] = round(real.error, 4)
    result["q_test_mapping"] = real.mapping
    result["q_test_images"] = real.total

    classify = extractor(data)
    generator = torch.Generator().manual_seed(123)
    fakes, codes = [], []
    for k in range(10):
        noise, cats, continuous = method.draw_codes(1000, generator)
        cats[0] = torch.full((1000,), k)
        fakes.append(method.generate(method.compose(noise.cpu(), cats, continuous), net))
        codes.append(cats[0])
    predicted = torch.from_numpy(classify(torch.cat(fakes)).logits).argmax(dim=1)
    generated = match_clusters(torch.cat(codes), predicted, 10, 10)
    result["generated_code_error"] = round(generated.error, 4)
    result["generated_mapping"] = generated.mapping

    records = read_metrics(RunFolder.open(result["run"]))
    tail = [r["mi_categorical"] for r in records if "mi_categorical" in r][-10:]
    result["final_mi_categorical"] = round(sum(tail) / len(tail), 4)
    result["entropy_c1"] = round(math.log(10), 4)
    plot_information(records, FIGURES / "infogan-mnist-mi.png")
    for code in ("c1", "c2", "cat1"):
        write_samples(result["run"], 100, FIGURES / f"infogan-mnist-{code}.png", seed=1,
                      traverse=code, value_range=(-2.0, 2.0))  # fmt: skip
    save(result, "infogan", args.out)


if __name__ == "__main__":
    main()
