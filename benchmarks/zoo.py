"""The loss / regularizer zoo compared: toy 2-D mode coverage, MNIST and CIFAR-10 sample quality.

    python benchmarks/zoo.py --quick                 # CPU, under 30 minutes
    python benchmarks/zoo.py --full --device cuda    # the full budgets, for a GPU
    python benchmarks/zoo.py --quick --parts toy     # one part only
    python benchmarks/zoo.py --full --parts toy --recipes sngan --toy-data grid25   # a subset

Parts (all write into ``--out``, default ``benchmarks/results/zoo-<mode>/``):

- ``toy``: every recipe's loss, regularizers, optimizer betas and n_critic on the same MLP nets
  (z 2-D; G and D 3x128), batch, learning rate (Adam/RMSprop 1e-3, linear decay) and step budget,
  on ring8 and grid25, over 5 seeds; scored with the VEEGAN protocol (2500 samples, 3 sigma).
  ``began`` has no MLP auto-encoder discriminator and is left out here. One scatter figure per
  data set, all recipes side by side (seed 0).
- ``mnist``: every recipe on DCGAN nets at 28 px (``began`` on its own auto-encoder nets), a
  fixed step budget, a sample grid each, and the classifier FID: Fréchet distance between
  penultimate features of gankit's MNIST domain classifier on generated images and on the test
  split. Uses ``../shared/data`` (or ``--data-dir``) and falls back to the embedded digits.
- ``cifar``: WGAN-GP and SNGAN on the ResNet nets and DCGAN at 32 px (``configs/*-cifar10.yaml``),
  the classifier FID against the CIFAR-10 test split, and the Inception FID when the pytorch-fid
  weights are available. Quick mode narrows the nets and cuts the budget to minutes.

Prints one Markdown table per part and writes ``results.json`` and ``results.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path

import torch

from gankit.config import DataConfig
from gankit.runs.launch import load_trained, resolve_config, start
from gankit.training.logger import read_metrics

TOY_RECIPES = [
    "gan",
    "lsgan",
    "wgan",
    "wgan-gp",
    "sngan",
    "dragan",
    "dragan-authors",
    "banach-wgan",
]
# Variants: a method with other options. DRAGAN's default perturbation is the paper's Gaussian;
# ``dragan-authors`` is the authors' code's one-sided uniform noise with interpolation.
VARIANTS = {"dragan-authors": ("dragan", ["regularizers=[{name: dragan, perturbation: authors}]"])}
IMAGE_RECIPES = [
    "gan",
    "dcgan",
    "lsgan",
    "wgan",
    "wgan-gp",
    "sngan",
    "dragan",
    "banach-wgan",
    "began",
]
CIFAR_CONFIGS = ["dcgan-cifar10", "wgan-gp-cifar10", "sngan-cifar10"]
ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"

BUDGETS = {
    "quick": {"toy_steps": 1000, "toy_batch": 256, "mnist_steps": 300, "cifar_steps": 40,
              "cifar_batch": 32, "fid_samples": 2000, "cifar_width": 32},
    "full": {"toy_steps": 8000, "toy_batch": 512, "mnist_steps": 5000, "cifar_steps": 100000,
             "cifar_batch": 64, "fid_samples": 10000, "cifar_width": None},
}  # fmt: skip
TOY_MODES = {"ring8": 8, "grid25": 25}
QUIET = ["train.progress=false", "train.tensorboard=false"]


# ----------------------------------------------------------------------------- toy 2-D


def toy_overrides(recipe: str, data: str, seed: int, budget: dict, out: Path) -> list[str]:
    steps = budget["toy_steps"]
    overrides = [
        f"data.name={data}", "data.image_size=null", f"data.batch_size={budget['toy_batch']}",
        "nets=mlp", "z_dim=2", "latent=normal", "generator={hidden: [128, 128, 128]}",
        "discriminator={hidden: [128, 128, 128]}", "optim.generator.lr=1e-3",
        "optim.discriminator.lr=1e-3", "train.lr_decay=linear", "train.lr_decay_start=0",
        f"train.steps={steps}", f"train.sample_every={steps}", f"train.log_every={max(steps // 20, 1)}",
        f"train.checkpoint_every={steps}", f"seed={seed}", f"out={out}", f"name={recipe + '-' if recipe in VARIANTS else ''}{data}-seed{seed}",
        *QUIET,
    ]  # fmt: skip
    if recipe == "banach-wgan":  # the Sobolev filter needs images; on points only s = 0 exists
        overrides.append("regularizers=[{name: banach_gradient_penalty, s: 0.0, p: 2.0}]")
    return overrides + VARIANTS.get(recipe, (recipe, []))[1]


def toy_run(job: tuple[str, str, int, dict, str]) -> dict:
    recipe, data, seed, budget, out = job
    torch.set_num_threads(1)
    started = time.perf_counter()
    method = VARIANTS.get(recipe, (recipe, []))[0]
    overrides = toy_overrides(recipe, data, seed, budget, Path(out))
    run = start(resolve_config(method, None, overrides))
    final = [r for r in read_metrics(run) if "modes_covered" in r][-1]
    return {
        "recipe": recipe, "data": data, "seed": seed, "run": str(run.path),
        "modes": final["modes_covered"], "num_modes": final["num_modes"],
        "high_quality": final["high_quality"], "seconds": round(time.perf_counter() - started, 1),
    }  # fmt: skip


def toy_part(
    budget: dict, out: Path, workers: int, recipes: list[str], datasets: list[str]
) -> list[dict]:
    jobs = [
        (recipe, data, seed, budget, str(out / "toy"))
        for data in datasets
        for recipe in recipes
        for seed in range(5)
    ]
    with ProcessPoolExecutor(workers) as pool:
        results = list(pool.map(toy_run, jobs))
    for data in datasets:
        toy_figure(
            [r for r in results if r["data"] == data and r["seed"] == 0], out / f"toy-{data}.png"
        )
    return results


def toy_figure(results: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from gankit.data import build_dataset

    data = results[0]["data"]
    means = build_dataset(DataConfig(name=data, options={"n_samples": 10})).mixture.means
    figure, axes = plt.subplots(1, len(results), figsize=(2.6 * len(results), 3.1), squeeze=False)
    for ax, result in zip(axes[0], results):
        method, _, net = load_trained(result["run"])
        points = method.generate(method.sample_latent(2500, torch.Generator().manual_seed(1)), net)
        ax.scatter(points[:, 0], points[:, 1], s=1, alpha=0.3)
        ax.scatter(means[:, 0], means[:, 1], marker="x", s=20, color="red")
        span = float(means.abs().max()) * 1.4 + 0.3
        ax.set_xlim(-span, span), ax.set_ylim(-span, span), ax.set_aspect("equal")
        ax.set_xticks([]), ax.set_yticks([])
        ax.set_title(f"{result['recipe']}\n{result['modes']}/{result['num_modes']} modes, "
                     f"{100 * result['high_quality']:.0f}% HQ", fontsize=8)  # fmt: skip
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def toy_table(results: list[dict]) -> str:
    datasets = [d for d in ("ring8", "grid25") if any(r["data"] == d for r in results)]
    head = "".join(f" {d} modes (of {TOY_MODES[d]}) | {d} HQ % |" for d in datasets)
    lines = [f"| recipe |{head} all-modes seeds |", "|---|" + "---|---|" * len(datasets) + "---|"]
    for recipe in dict.fromkeys(r["recipe"] for r in results):
        cells = []
        full = []
        for data in datasets:
            rows = [r for r in results if r["recipe"] == recipe and r["data"] == data]
            modes = [r["modes"] for r in rows]
            hq = [100 * r["high_quality"] for r in rows]
            cells += [f"{statistics.mean(modes):.1f} ± {statistics.pstdev(modes):.1f}",
                      f"{statistics.mean(hq):.1f} ± {statistics.pstdev(hq):.1f}"]  # fmt: skip
            full.append(f"{data} {sum(r['modes'] == r['num_modes'] for r in rows)}/{len(rows)}")
        lines.append(f"| {recipe} | " + " | ".join(cells) + f" | {', '.join(full)} |")
    return "\n".join(lines)


# ----------------------------------------------------------------------------- images


def image_overrides(recipe: str, data: DataConfig, steps: int, out: Path, width: int) -> list[str]:
    nets = "began" if recipe == "began" else "dcgan"
    size = ["generator.filters=32", "discriminator.filters=32"] if nets == "began" else [
        f"generator.width={width}", f"discriminator.width={width}"]  # fmt: skip
    return [
        f"nets={nets}", *size, f"data.name={data.name}", f"data.image_size={data.image_size}",
        f"data.root={data.root}" if data.root else "data.root=null", f"train.steps={steps}",
        f"train.sample_every={steps}", f"train.checkpoint_every={steps}",
        f"train.log_every={max(steps // 20, 1)}", f"out={out}", "name=run", "seed=0", *QUIET,
    ]  # fmt: skip


def sample_images(run_path: Path, count: int, device: str) -> torch.Tensor:
    method, _, net = load_trained(run_path, device=device)
    generator = torch.Generator().manual_seed(123)
    batches = [method.generate(method.sample_latent(min(500, count - i), generator), net)
               for i in range(0, count, 500)]  # fmt: skip
    return torch.cat(batches)


def classifier_fid(run_path: Path, data: DataConfig, count: int, device: str) -> dict:
    from gankit.data import build_dataset
    from gankit.metrics import classifier_extractor, fid

    extractor = classifier_extractor(data, device=device)
    reference = build_dataset(replace(data, split="test"))
    real = reference.tensors[0][:count] if reference.in_memory else None
    fake = sample_images(run_path, count, device)
    return {
        "classifier_fid": fid(real, fake, extractor),
        "classifier_accuracy": extractor.classifier.accuracy,
        "samples": count,
        "reference": f"{data.name} test, first {len(real)}",
    }


def mnist_data(data_dir: Path | None) -> DataConfig:
    root = data_dir or (SHARED_DATA if (SHARED_DATA / "mnist").is_dir() else None)
    if root is not None and (Path(root) / "mnist").is_dir():
        return DataConfig(name="mnist", root=str(root), image_size=28, download=False)
    print("MNIST not found: falling back to the embedded digits at 28 px")
    return DataConfig(name="digits", image_size=28)


def mnist_part(
    budget: dict, out: Path, device: str, data_dir: Path | None, recipes: list[str]
) -> list[dict]:
    data = mnist_data(data_dir)
    results = []
    for recipe in recipes:
        started = time.perf_counter()
        overrides = image_overrides(recipe, data, budget["mnist_steps"], out / "mnist" / recipe, 32)
        run = start(resolve_config(recipe, None, [*overrides, f"device={device}"]))
        seconds = time.perf_counter() - started
        result = {"recipe": recipe, "data": data.name, "steps": budget["mnist_steps"],
                  "train_seconds": round(seconds, 1), "run": str(run.path)}  # fmt: skip
        result |= classifier_fid(run.path, data, budget["fid_samples"], device)
        print(json.dumps(result), flush=True)
        results.append(result)
    return results


def cifar_part(budget: dict, out: Path, device: str, data_dir: Path | None) -> list[dict]:
    root = data_dir or SHARED_DATA
    if not (Path(root) / "cifar10").is_dir():
        print(f"CIFAR-10 not found in {root}/cifar10: skipping the CIFAR part")
        return []
    data = DataConfig(name="cifar10", root=str(root), image_size=32, channels=3, download=False)
    results = []
    for name in CIFAR_CONFIGS:
        steps = budget["cifar_steps"]
        overrides = [f"data.root={root}", f"data.batch_size={budget['cifar_batch']}",
                     f"train.steps={steps}", f"train.sample_every={steps}",
                     f"train.checkpoint_every={steps}", f"train.log_every={max(steps // 20, 1)}",
                     f"out={out / 'cifar'}", "name=run", f"device={device}", *QUIET]  # fmt: skip
        if budget["cifar_width"]:
            overrides += [f"generator.width={budget['cifar_width']}",
                          f"discriminator.width={budget['cifar_width']}"]  # fmt: skip
        started = time.perf_counter()
        run = start(resolve_config(None, ROOT / "configs" / f"{name}.yaml", overrides))
        result = {"recipe": name, "steps": steps, "run": str(run.path),
                  "train_seconds": round(time.perf_counter() - started, 1)}  # fmt: skip
        result |= classifier_fid(run.path, data, budget["fid_samples"], device)
        result |= inception_fid(run.path, data, budget["fid_samples"], device)
        print(json.dumps(result), flush=True)
        results.append(result)
    return results


def inception_fid(run_path: Path, data: DataConfig, count: int, device: str) -> dict:
    from gankit.data import build_dataset
    from gankit.errors import GankitError
    from gankit.metrics import fid, inception_extractor

    try:
        extractor = inception_extractor(device=device)
    except GankitError as exc:
        return {"inception_fid": None, "inception_note": str(exc).split(".")[0]}
    real = build_dataset(replace(data, split="test")).tensors[0][:count]
    return {"inception_fid": fid(real, sample_images(run_path, count, device), extractor)}


def image_table(results: list[dict], inception: bool = False) -> str:
    head = "| recipe | steps | train s | classifier FID |" + (
        " Inception FID |" if inception else ""
    )
    lines = [head, "|---|---|---|---|" + ("---|" if inception else "")]
    for r in results:
        row = f"| {r['recipe']} | {r['steps']} | {r['train_seconds']} | {r['classifier_fid']:.2f} |"
        if inception:
            value = r.get("inception_fid")
            row += f" {value:.2f} |" if value is not None else " n/a |"
        lines.append(row)
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--quick", action="store_true", help="CPU budgets (the default)")
    mode.add_argument("--full", action="store_true", help="the papers' budgets, for a GPU")
    parser.add_argument("--parts", default="toy,mnist,cifar")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="toy runs at once")
    parser.add_argument("--recipes", default=None, help="comma-separated subset (toy, mnist)")
    parser.add_argument("--toy-data", default="ring8,grid25", help="toy mixtures to run")
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    name = "full" if args.full else "quick"
    budget = BUDGETS[name]
    out = args.out or ROOT / "benchmarks" / "results" / f"zoo-{name}"
    out.mkdir(parents=True, exist_ok=True)
    parts = args.parts.split(",")
    chosen = args.recipes.split(",") if args.recipes else None
    unknown = set(chosen or []) - set(TOY_RECIPES) - set(IMAGE_RECIPES)
    if unknown:
        parser.error(f"unknown recipe(s) {sorted(unknown)}; choose from {IMAGE_RECIPES}")
    toy_data = args.toy_data.split(",")
    if set(toy_data) - set(TOY_MODES):
        parser.error(f"--toy-data takes {sorted(TOY_MODES)}, got {args.toy_data!r}")
    started = time.perf_counter()
    results: dict = {"mode": name, "budget": budget, "device": args.device}
    tables = []
    if "toy" in parts:
        recipes = [r for r in TOY_RECIPES if chosen is None or r in chosen]
        results["toy"] = toy_part(budget, out, args.workers, recipes, toy_data)
        tables.append("### Toy 2-D\n\n" + toy_table(results["toy"]))
    if "mnist" in parts:
        recipes = [r for r in IMAGE_RECIPES if chosen is None or r in chosen]
        results["mnist"] = mnist_part(budget, out, args.device, args.data_dir, recipes)
        tables.append("### MNIST (DCGAN nets)\n\n" + image_table(results["mnist"]))
    if "cifar" in parts:
        results["cifar"] = cifar_part(budget, out, args.device, args.data_dir)
        if results["cifar"]:
            tables.append("### CIFAR-10\n\n" + image_table(results["cifar"], inception=True))
    results["minutes"] = round((time.perf_counter() - started) / 60, 1)
    (out / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    text = "\n\n".join(tables) + f"\n\nTotal: {results['minutes']} min ({name}, {args.device}).\n"
    (out / "results.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
