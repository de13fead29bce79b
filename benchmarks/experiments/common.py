"""What the MNIST experiments share: data, training with timing, samples, classifier FID.

Every experiment script trains with ``gankit.runs.launch`` exactly as ``gankit train`` does,
then measures the trained run from Python. MNIST comes from ``../shared/data`` (or
``--data-dir``); where it is absent the embedded digits at 28 px stand in, and the results say so.
"""

from __future__ import annotations

import json
import resource
import time
from dataclasses import replace
from pathlib import Path

import torch

from gankit.config import DataConfig
from gankit.runs.launch import load_trained, resolve_config, start

ROOT = Path(__file__).resolve().parents[2]
SHARED_DATA = ROOT.parent / "shared" / "data"
RESULTS = ROOT / "benchmarks" / "results" / "experiments"
FIGURES = ROOT / "docs" / "figures"
QUIET = ["train.progress=false", "train.tensorboard=false"]


def mnist_data(data_dir: str | Path | None = None) -> DataConfig:
    """MNIST at 28 px from ``data_dir`` or ../shared/data; the digits at 28 px without it."""
    root = Path(data_dir) if data_dir else SHARED_DATA
    if (root / "mnist").is_dir():
        return DataConfig(name="mnist", root=str(root), image_size=28, download=False)
    print(f"MNIST not found in {root}: the embedded digits at 28 px stand in")
    return DataConfig(name="digits", image_size=28)


def data_overrides(data: DataConfig) -> list[str]:
    overrides = [f"data.name={data.name}", f"data.image_size={data.image_size}"]
    if data.root:
        overrides += [f"data.root={data.root}", "data.download=false"]
    return overrides


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (user + system)."""
    own, children = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def train(method: str, overrides: list[str], out: Path, name: str) -> dict:
    """Train one run; returns its path, wall time and CPU time. An existing run is reused."""
    path = out / method / name
    if (path / "checkpoints" / "last.pt").exists():
        print(f"reusing {path}")
        return {"run": str(path), "reused": True}
    cfg = resolve_config(method, None, [*overrides, f"out={out}", f"name={name}", *QUIET])
    wall, cpu = time.perf_counter(), cpu_seconds()
    run = start(cfg)
    result = {
        "run": str(run.path),
        "train_wall_s": round(time.perf_counter() - wall, 1),
        "train_cpu_s": round(cpu_seconds() - cpu, 1),
    }
    print(json.dumps(result), flush=True)
    return result


def generated(method, net, count: int, seed: int = 123, batch: int = 500) -> torch.Tensor:
    """``count`` samples from ``net`` with a private RNG."""
    generator = torch.Generator().manual_seed(seed)
    chunks = [
        method.generate(method.sample_latent(min(batch, count - i), generator), net)
        for i in range(0, count, batch)
    ]
    return torch.cat(chunks)


def score_checkpoints(checkpoints: list[str], data: DataConfig, count: int = 10000) -> dict:
    """The classifier FID of saved gankit checkpoints (e.g. the reproduce runs'
    ``step_001500.pt``), each from ``count`` samples drawn as :func:`generated` draws them."""
    results = {}
    for checkpoint in checkpoints:
        method, _, net = load_trained(checkpoint)
        results[checkpoint] = classifier_fid(generated(method, net, count), data, count)
        print(json.dumps({checkpoint: results[checkpoint]}), flush=True)
    return {"loop": "gankit checkpoints", "measured": results}


def test_images(data: DataConfig, count: int) -> tuple[torch.Tensor, torch.Tensor]:
    """The first ``count`` test images and labels (the training split for the digits)."""
    from gankit.data import build_dataset

    split = "train" if data.name == "digits" else "test"
    dataset = build_dataset(replace(data, split=split))
    images, labels = dataset.tensors
    return images[:count], labels[:count]


def extractor(data: DataConfig):
    from gankit.metrics import classifier_extractor

    return classifier_extractor(replace(data, split="train"))


def classifier_fid(fake: torch.Tensor, data: DataConfig, count: int) -> dict:
    """Fréchet distance of the MNIST domain classifier's features: ``fake`` vs test images."""
    from gankit.metrics import fid

    features = extractor(data)
    real, _ = test_images(data, count)
    return {
        "classifier_fid": round(fid(real, fake[:count], features), 3),
        "fid_samples": min(count, len(fake)),
        "fid_reference": f"{data.name} test, first {len(real)}",
        "classifier_test_accuracy": features.classifier.accuracy,
    }


def parameters(net: torch.nn.Module) -> int:
    return sum(p.numel() for p in net.parameters())


def run_options(parser, method: str, batch_size: int = 64) -> None:
    """The options every experiment takes: where runs go, data, batch size, seed."""
    parser.add_argument("--out", default=str(RESULTS / method),
                        help="Folder for the runs and results.json (default: in benchmarks/).")  # fmt: skip
    parser.add_argument("--data-dir")
    parser.add_argument("--batch-size", type=int, default=batch_size)
    parser.add_argument("--seed", type=int, default=0)


def save(results: dict, name: str, folder: str | Path | None = None) -> Path:
    """Write ``results`` to ``folder/results.json`` (default: benchmarks/results/experiments/name)."""
    path = (Path(folder) if folder else RESULTS / name) / "results.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))
    return path
