"""pix2pix experiments 1-4 on the embedded semantic-map -> photo pairs (configs/experiments/).

1. noise: clean maps vs maps with 25% pixel noise; colour statistics of the held-out outputs
   (Tucker's semantic-map study: mean, variance, mean norm, percent error of the mean, mean of
   the signed difference image).
2. generator: unet, unet-noskip, unet++, resnet; validation L1 curves on one plot.
3. l1: lambda_L1 in {0, 10, 100, 200}.
4. field: PatchGAN fields 1, 16, 70, 286 and a global discriminator (Isola et al. 2017 Table 2).

Every run trains from its ``configs/experiments/pix2pix-*.yaml`` exactly as ``gankit train
--config`` does, plus the scale overrides below; runs with the same resolved config are trained
once (the U-Net / lambda 100 / 70x70 run is the baseline of experiments 1-3). Each run is scored
on the held-out test crops (L1, PSNR, SSIM, colour statistics), its validation L1 curve
(``val/l1``) is plotted, and its last sample grid is copied into the figures folder.

    python benchmarks/experiments/pix2pix_ablations.py               # CPU scale (--quick)
    python benchmarks/experiments/pix2pix_ablations.py --full --device cuda
    python benchmarks/experiments/pix2pix_ablations.py --only noise,l1
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import time
from pathlib import Path

import torch
from common import FIGURES, QUIET, RESULTS, ROOT
from PIL import Image

from gankit.data import build_dataset
from gankit.metrics import colour_comparison, l1, psnr, ssim
from gankit.runs.launch import load_trained, resolve_config, start
from gankit.training.logger import read_metrics
from gankit.training.run_folder import RunFolder

CONFIGS = ROOT / "configs" / "experiments"
EXPERIMENTS = {
    "noise": ["noise-clean", "noise-25"],
    "generator": [
        "generator-unet",
        "generator-unet-noskip",
        "generator-unet++",
        "generator-resnet",
    ],
    "l1": ["l1-0", "l1-10", "l1-100", "l1-200"],
    "field": ["field-1", "field-16", "field-70", "field-286", "field-global"],
}
# The configs are the CPU scale already; --quick narrows the nets and the budget further so that
# all 13 distinct runs fit in about 40 minutes of a shared 2-core CPU. --full is the paper's
# scale: 256 px crops (the photos give 256 px crops), U-Net-256 widths, batch 1.
SCALES = {
    "quick": {
        "64": ["generator.width=16", "discriminator.width=16", "train.steps=400"],
        "128": ["generator.width=16", "discriminator.width=16", "train.steps=200"],
        "all": ["train.validate_every=50", "train.amp=bf16", "train.channels_last=true"],
    },
    "configs": {"64": [], "128": [], "all": []},
    "full": {
        "64": [],
        "128": [],
        "all": [
            "data.image_size=256",
            "data.batch_size=1",
            "generator.width=64",
            "discriminator.width=64",
            "train.steps=40000",
            "train.validate_every=1000",
            "train.sample_every=2000",
            "train.checkpoint_every=2000",
        ],
    },
}


def config_key(cfg) -> str:
    document = dataclasses.asdict(cfg)
    document.pop("name", None)
    document.pop("out", None)
    return json.dumps(document, sort_keys=True, default=str)


def train_all(names: list[str], args: argparse.Namespace) -> dict[str, Path]:
    """Train (or reuse) every named run; identical resolved configs share one run."""
    trained: dict[str, Path] = {}
    by_config: dict[str, Path] = {}
    for name in names:
        path = CONFIGS / f"pix2pix-{name}.yaml"
        size = str(resolve_config(None, path, []).data.image_size)
        scale = SCALES[args.scale]
        overrides = [*scale.get(size, []), *scale["all"], f"device={args.device}", *QUIET]
        overrides.append(f"seed={args.seed}")
        cfg = resolve_config(None, path, [*overrides, f"out={args.out}", f"name={name}"])
        key = config_key(cfg)
        if key in by_config:
            trained[name] = by_config[key]
            print(f"{name}: the same run as {by_config[key].name}")
            continue
        run_path = Path(args.out) / "pix2pix" / name
        if not (run_path / "checkpoints" / "last.pt").exists():
            started = time.perf_counter()
            start(cfg)
            print(f"{name}: trained in {time.perf_counter() - started:.0f} s", flush=True)
        trained[name] = by_config[key] = run_path
    return trained


def held_out_scores(run_path: Path, device: str) -> dict:
    """Pixel metrics and colour statistics of the translated test crops."""
    method, cfg, _ = load_trained(run_path, device)
    dataset = build_dataset(dataclasses.replace(cfg.data, split="test"))
    inputs, targets = dataset.tensors
    targets = targets[:, 0]
    torch.manual_seed(0)  # dropout stays on at test time, as in the paper
    outputs = torch.cat([method.translate(inputs[i : i + 16]) for i in range(0, len(inputs), 16)])
    colour = colour_comparison(torch.cat(list(outputs), dim=2), torch.cat(list(targets), dim=2))
    records = read_metrics(RunFolder.open(run_path))
    curve = [(r["step"], r["val/l1"]) for r in records if "val/l1" in r]
    times = [r["time"] for r in records if "time" in r]
    return {
        "run": str(run_path),
        "steps": cfg.train.steps,
        "train_seconds": round(max(times), 1) if times else None,
        "test_pairs": len(inputs),
        "l1": l1(outputs, targets),
        "psnr": psnr(outputs, targets),
        "ssim": ssim(outputs, targets),
        "colour": colour,
        "val_l1": curve,
        "best_val_l1": min((v for _, v in curve), default=None),
    }


def plot_curves(experiment: str, scores: dict[str, dict], figures: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axis = plt.subplots(figsize=(5, 3.2))
    for name, score in scores.items():
        if score["val_l1"]:
            steps, values = zip(*score["val_l1"])
            axis.plot(steps, values, label=name)
    axis.set_xlabel("step")
    axis.set_ylabel("validation L1 ([-1, 1] units)")
    axis.set_title(f"pix2pix {experiment}")
    axis.legend(fontsize=7)
    figure.tight_layout()
    path = figures / f"pix2pix-{experiment}-val-l1.png"
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path


def markdown(experiment: str, scores: dict[str, dict]) -> str:
    lines = [
        f"### {experiment}",
        "",
        "| run | steps | train s | test L1 (0-1) | PSNR dB | SSIM | best val L1 (-1..1) "
        "| colour mean error R/G/B % |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, s in scores.items():
        error = "/".join(f"{e:.1f}" for e in s["colour"]["percent_error_of_mean"])
        best = f"{s['best_val_l1']:.4f}" if s["best_val_l1"] is not None else "-"
        lines.append(
            f"| {name} | {s['steps']} | {s['train_seconds']} | {s['l1']:.4f} | {s['psnr']:.2f} "
            f"| {s['ssim']:.3f} | {best} | {error} |"
        )
    if experiment == "noise":
        lines += ["", "| image | mean R/G/B | variance R/G/B | mean norm |", "|---|---|---|---|"]
        rows = [("target", scores["noise-clean"]["colour"]["target"])]
        rows += [(f"{n} output", s["colour"]["output"]) for n, s in scores.items()]
        rows += [(f"target - {n} output", s["colour"]["difference"]) for n, s in scores.items()]
        for label, stats in rows:
            mean = "/".join(f"{v:.1f}" for v in stats["mean"])
            variance = "/".join(f"{v:.0f}" for v in stats["variance"])
            lines.append(f"| {label} | {mean} | {variance} | {stats['mean_norm']:.1f} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    scale = parser.add_mutually_exclusive_group()
    scale.add_argument("--quick", dest="scale", action="store_const", const="quick")
    scale.add_argument("--configs", dest="scale", action="store_const", const="configs",
                       help="the configs' own budgets, no further narrowing")  # fmt: skip
    scale.add_argument("--full", dest="scale", action="store_const", const="full")
    parser.set_defaults(scale="quick")
    parser.add_argument("--only", default=",".join(EXPERIMENTS))
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--seed", type=int, default=0, help="the runs' seed (one folder per seed)")
    parser.add_argument("--out", default=str(RESULTS / "pix2pix"))
    parser.add_argument("--figures", default=str(FIGURES))
    args = parser.parse_args()
    experiments = args.only.split(",")
    figures = Path(args.figures)
    figures.mkdir(parents=True, exist_ok=True)
    names = [name for e in experiments for name in EXPERIMENTS[e]]
    trained = train_all(list(dict.fromkeys(names)), args)
    scores = {name: held_out_scores(path, args.device) for name, path in trained.items()}
    report = []
    for experiment in experiments:
        chosen = {name: scores[name] for name in EXPERIMENTS[experiment]}
        plot_curves(experiment, chosen, figures)
        report.append(markdown(experiment, chosen))
        for name in chosen:
            grids = sorted((trained[name] / "samples").glob("step_*.png"))
            if grids:  # JPEG keeps the figures folder small
                Image.open(grids[-1]).convert("RGB").save(
                    figures / f"pix2pix-{name}.jpg", quality=85
                )
    Path(args.out).mkdir(parents=True, exist_ok=True)
    (Path(args.out) / "results.json").write_text(json.dumps(scores, indent=2) + "\n")
    (Path(args.out) / "results.md").write_text("\n".join(report))
    print("\n".join(report))


if __name__ == "__main__":
    main()
