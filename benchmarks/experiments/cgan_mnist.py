"""cgan on MNIST: label accuracy of generated digits and classifier FID.

    python benchmarks/experiments/cgan_mnist.py --variants projection,concat --steps 2000 \
        --out /tmp/runs-control/cgan

``projection``: conditional BatchNorm in G, projection D. ``concat`` (the cgan defaults):
label embedding concatenated with z, one-hot planes concatenated to D's input (Mirza & Osindero
2014). ``projection-embedding``: the embedding G with the projection D, which isolates D's side;
``projection-embedding-sn``: the same with Miyato & Koyama's spectral norm and hinge loss.
All on DCGAN nets of ``--width`` at 28 px, Adam 2e-4 (beta1 0.5). Each run's ``--per-class``
samples per class are classified by gankit's MNIST domain classifier (label accuracy); a
class-balanced ``--fid-samples`` of them give the classifier FID against as many test images.
The per-class grid of each run goes to docs/figures/.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import torch
from common import (
    FIGURES,
    classifier_fid,
    data_overrides,
    extractor,
    mnist_data,
    run_options,
    save,
    train,
)

from gankit.metrics import label_accuracy
from gankit.runs.launch import load_trained
from gankit.runs.sample import write_samples

VARIANTS = {
    "projection": ["conditioning=projection", "generator_conditioning=batchnorm"],
    "concat": ["conditioning=concat", "generator_conditioning=embedding"],
    "projection-embedding": ["conditioning=projection", "generator_conditioning=embedding"],
    "projection-embedding-sn": [
        "conditioning=projection",
        "generator_conditioning=embedding",
        "loss=hinge",
        "regularizers=[spectral_norm]",
        "discriminator.norm=none",
    ],
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", default="projection,concat")
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--width", type=int, default=64, help="DCGAN width of G and D.")
    parser.add_argument("--per-class", type=int, default=1000)
    parser.add_argument("--fid-samples", type=int, default=10000)
    run_options(parser, "cgan", batch_size=128)
    args = parser.parse_args()
    torch.set_num_threads(1)
    data = mnist_data(args.data_dir)
    out = Path(args.out)
    earlier = out / "results.json"  # variants measured before are kept
    variants = json.loads(earlier.read_text())["variants"] if earlier.exists() else {}
    results = {"data": data.name, "steps": args.steps, "batch_size": args.batch_size,
               "width": args.width, "seed": args.seed, "variants": variants}  # fmt: skip
    for variant in args.variants.split(","):
        overrides = [*data_overrides(data), f"train.steps={args.steps}", "train.log_every=50",
                     "train.sample_every=500", "train.checkpoint_every=1000",
                     f"seed={args.seed}", f"data.batch_size={args.batch_size}",
                     f"generator.width={args.width}", f"discriminator.width={args.width}",
                     *VARIANTS[variant]]  # fmt: skip
        result = train("cgan", overrides, out, variant)
        method, _, net = load_trained(result["run"])
        generator = torch.Generator().manual_seed(123)
        images, labels = [], []
        for label in range(method.num_classes):
            wanted = torch.full((args.per_class,), label)
            images.append(method.generate(method.labelled_latent(wanted, generator), net))
            labels.append(wanted)
        fake, wanted = torch.cat(images), torch.cat(labels)
        result["label_accuracy"] = round(label_accuracy(fake, wanted, extractor(data)), 4)
        result["label_accuracy_samples"] = len(fake)
        # The samples are grouped by class, so FID takes a class-balanced subset of them.
        balanced = fake.view(method.num_classes, args.per_class, *fake.shape[1:])
        per_class = max(1, args.fid_samples // method.num_classes)
        result |= classifier_fid(balanced[:, :per_class].flatten(0, 1), data, args.fid_samples)
        figure = FIGURES / f"cgan-mnist-{variant}-per-class.png"
        write_samples(result["run"], 100, figure, seed=0, per_class=True)
        result["figure"] = str(figure.relative_to(FIGURES.parents[1]))
        results["variants"][variant] = result
        save(results, "cgan", out)


if __name__ == "__main__":
    main()
