"""bigan on MNIST: how well E(x) classifies, against raw pixels and a random encoder.

    python benchmarks/experiments/bigan_mnist.py --steps 4000 --out /tmp/runs-control/bigan

BiGAN's permutation-invariant MNIST setting (50-d uniform z, 1024-unit fully connected G, E
and joint D, Adam 2e-4 beta1 0.5, batch 128; ``--width`` shrinks the nets). The first ``--train-limit``
training digits and the 10,000 test digits are encoded (E(x), 50-d); a 1-nearest-neighbour
classifier (Euclidean) and a logistic regression are fitted on the training features and scored
on the test features. The same on
raw pixels (784-d) and on E with its initial random weights (same seed, untrained). The
reconstructions G(E(x)) of the first test digits go to docs/figures/.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import torch
from common import FIGURES, data_overrides, mnist_data, run_options, save, test_images, train

from gankit.data import build_dataset
from gankit.methods import METHODS
from gankit.runs.encode import encode_images
from gankit.runs.launch import load_trained
from gankit.viz.grid import save_image_grid


def scores(train_x: np.ndarray, train_y: np.ndarray, test_x: np.ndarray, test_y: np.ndarray):
    from sklearn.linear_model import LogisticRegression
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.preprocessing import StandardScaler

    started = time.perf_counter()
    nearest = KNeighborsClassifier(n_neighbors=1, algorithm="brute").fit(train_x, train_y)
    one_nn = float((nearest.predict(test_x) == test_y).mean())
    scaler = StandardScaler().fit(train_x)
    logistic = LogisticRegression(max_iter=500).fit(scaler.transform(train_x), train_y)
    linear = float((logistic.predict(scaler.transform(test_x)) == test_y).mean())
    return {"1nn_accuracy": round(one_nn, 4), "logistic_accuracy": round(linear, 4),
            "dims": int(train_x.shape[1]), "seconds": round(time.perf_counter() - started, 1)}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=4000)
    parser.add_argument("--width", type=int, default=1024, help="Hidden units of G, E and D.")
    parser.add_argument("--train-limit", type=int, default=60000,
                        help="Training digits the 1-NN and logistic regression are fitted on.")  # fmt: skip
    run_options(parser, "bigan", batch_size=128)
    args = parser.parse_args()
    torch.set_num_threads(1)
    data = mnist_data(args.data_dir)
    overrides = [*data_overrides(data), f"train.steps={args.steps}", "train.log_every=50",
                 "train.sample_every=1000", "train.checkpoint_every=2000", f"seed={args.seed}",
                 f"data.batch_size={args.batch_size}", f"generator.width={args.width}",
                 f"encoder.width={args.width}", f"discriminator.width={args.width}"]  # fmt: skip
    result = train("bigan", overrides, Path(args.out), f"w{args.width}-s{args.seed}")
    result |= {"data": data.name, "steps": args.steps, "width": args.width, "seed": args.seed,
               "batch_size": args.batch_size, "train_limit": args.train_limit}  # fmt: skip
    method, cfg, net = load_trained(result["run"])
    train_images, train_labels = build_dataset(data).tensors
    train_images, train_labels = train_images[: args.train_limit], train_labels[: args.train_limit]
    test_x, test_y = test_images(data, 10000)
    torch.manual_seed(cfg.seed)
    untrained = METHODS.get("bigan")(cfg, method.spec, "cpu")

    def features(encoder_method) -> tuple[np.ndarray, np.ndarray]:
        return (encode_images(encoder_method, train_images).numpy(),
                encode_images(encoder_method, test_x).numpy())  # fmt: skip

    y_train, y_test = train_labels.numpy(), test_y.numpy()
    result["features"] = {}
    for name, (a, b) in {
        "bigan_encoder": features(method),
        "random_encoder": features(untrained),
        "raw_pixels": (train_images.flatten(1).numpy(), test_x.flatten(1).numpy()),
    }.items():
        result["features"][name] = scores(a, y_train, b, y_test)
        print(name, result["features"][name], flush=True)
    real = test_x[:32]
    rebuilt = method.reconstruct(real, net)
    rows = [part for i in range(0, 32, 8) for part in (real[i : i + 8], rebuilt[i : i + 8])]
    figure = FIGURES / "bigan-mnist-reconstructions.png"
    save_image_grid(torch.cat(rows), figure, nrow=8)
    result["figure"] = str(figure.relative_to(FIGURES.parents[1]))
    save(result, "bigan", args.out)


if __name__ == "__main__":
    main()
