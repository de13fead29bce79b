"""Inception feature extraction from a folder of PNG files: gankit against the peer libraries.

Each library reads the same PNG folder itself and runs its own InceptionV3 on the same weights,
at the same batch size and thread count, with no worker processes:

- gankit: ``evaluate_folders`` with the Inception Score only (reads the folder, extracts
  features and logits), once per resize protocol (``pytorch``, ``tf``, ``clean``);
- pytorch-fid: ``fid_score.get_activations`` (its ``InceptionV3([3])``);
- torch-fidelity: ``calculate_metrics(isc=True)`` (features and logits, no cache);
- clean-fid: ``get_folder_features`` in ``legacy_pytorch`` mode (its copy of pytorch-fid's
  network; its ``clean`` mode needs a TorchScript file it downloads, so is not timed).

Every variant is run ``--repeats`` times, the variants alternating within each round (the
order reversed every other round); the table gives the median images/s and the ratio to
pytorch-fid's. The weights are random (He initialisation, the pytorch-fid layout): speed does not
depend on their values, and the real file is not needed. Runs in the cross-check environment,
where the peers are installed (``make crosscheck-setup``):

    .venv-crosscheck/bin/python benchmarks/fid_peers_speed.py --images 200 --threads 2
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "crosscheck"))
from peers import import_peer  # noqa: E402  (the torchvision shim, tests/crosscheck/peers.py)

from gankit.metrics.features import InceptionFeatureExtractor  # noqa: E402
from gankit.metrics.inception import InceptionV3, random_inception  # noqa: E402
from gankit.runs import evaluate as evaluation  # noqa: E402
from gankit.training.environment import device_name  # noqa: E402

CIFAR = Path(__file__).resolve().parents[2] / "shared" / "data" / "cifar10" / "cifar10.npz"


def write_folder(folder: Path, count: int) -> None:
    """``count`` CIFAR-10 test images (random ones where the subset is absent) as PNG files."""
    folder.mkdir(parents=True)
    if CIFAR.is_file():
        images = np.load(CIFAR)["x_test"][:count]
    else:
        images = np.random.default_rng(0).integers(0, 256, (count, 32, 32, 3), dtype=np.uint8)
    for index, image in enumerate(images):
        Image.fromarray(image).save(folder / f"{index:05d}.png")


def gankit_variant(state: dict, folder: Path, batch: int, resize: str) -> Callable[[], None]:
    def build(weights, device, batch_size, resize):
        net = InceptionV3()
        net.load_state_dict(state)
        return InceptionFeatureExtractor(net, "0" * 64, batch_size=batch_size, resize=resize)

    def run() -> None:
        evaluation.inception_extractor = build
        evaluation.evaluate_folders(
            folder, folder, metrics=("is",), batch_size=batch, progress=False, resize=resize
        )

    return run


def pytorch_fid_variant(state: dict, folder: Path, batch: int) -> Callable[[], None]:
    inception = import_peer("pytorch_fid.inception")
    fid_score = import_peer("pytorch_fid.fid_score")
    inception.load_state_dict_from_url = lambda *args, **kwargs: state
    files = sorted(folder.glob("*.png"))

    def run() -> None:
        model = inception.InceptionV3([inception.InceptionV3.BLOCK_INDEX_BY_DIM[2048]]).eval()
        fid_score.get_activations(files, model, batch, 2048, "cpu", num_workers=0)

    return run


def torch_fidelity_variant(weights: Path, folder: Path, batch: int) -> Callable[[], None]:
    torch_fidelity = import_peer("torch_fidelity")

    def run() -> None:
        torch_fidelity.calculate_metrics(
            input1=str(folder),
            isc=True,
            cuda=False,
            batch_size=batch,
            cache=False,
            save_cpu_ram=True,
            verbose=False,
            feature_extractor_weights_path=str(weights),
        )

    return run


def clean_fid_variant(state: dict, folder: Path, batch: int) -> Callable[[], None]:
    inception = import_peer("cleanfid.inception_pytorch")
    features = import_peer("cleanfid.features")
    fid = import_peer("cleanfid.fid")
    inception.load_state_dict_from_url = lambda *args, **kwargs: state

    def run() -> None:
        model = features.build_feature_extractor(
            "legacy_pytorch", torch.device("cpu"), use_dataparallel=False
        )
        fid.get_folder_features(
            str(folder),
            model,
            num_workers=0,
            batch_size=batch,
            device=torch.device("cpu"),
            mode="legacy_pytorch",
            verbose=False,
        )

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=200)
    parser.add_argument("--batch", type=int, default=50)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    state = random_inception(seed=0).state_dict()
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch) / "images"
        write_folder(folder, args.images)
        weights = Path(scratch) / "weights.pth"
        torch.save(state, weights)
        variants = {
            "pytorch-fid get_activations": pytorch_fid_variant(state, folder, args.batch),
            "gankit, pytorch protocol (default)": gankit_variant(
                state, folder, args.batch, "pytorch"
            ),
            "torch-fidelity calculate_metrics": torch_fidelity_variant(weights, folder, args.batch),
            "gankit, tf protocol": gankit_variant(state, folder, args.batch, "tf"),
            "clean-fid get_folder_features (legacy_pytorch)": clean_fid_variant(
                state, folder, args.batch
            ),
            "gankit, clean protocol": gankit_variant(state, folder, args.batch, "clean"),
        }
        for run in variants.values():  # warm-up: imports, first allocations
            run()
        seconds: dict[str, list[float]] = {name: [] for name in variants}
        for round_index in range(args.repeats):
            order = list(variants) if round_index % 2 == 0 else list(reversed(variants))
            for name in order:
                start = time.perf_counter()
                variants[name]()
                seconds[name].append(time.perf_counter() - start)
    baseline = args.images / statistics.median(seconds["pytorch-fid get_activations"])
    print(
        f"{device_name('cpu')}, {args.threads} thread(s), torch {torch.__version__}, "
        f"{args.images} 32x32 PNG images, batch {args.batch}, median of {args.repeats} "
        "alternated repeats, random weights"
    )
    print("| library, variant | img/s | vs pytorch-fid | runs (s) |")
    print("|---|---|---|---|")
    for name, times in seconds.items():
        rate = args.images / statistics.median(times)
        runs = ", ".join(f"{t:.1f}" for t in times)
        print(f"| {name} | {rate:.2f} | {rate / baseline:.2f} | {runs} |")


if __name__ == "__main__":
    main()
