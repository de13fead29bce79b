"""Gradient layers on the toy mixtures: refining a GAN's samples, and Algorithm 3 from scratch.

    python benchmarks/experiments/refine_toy.py --seeds 0 1 2 --runs RUNS

For ring8 and grid25 (VEEGAN protocol: 2500 samples, high quality within 3 sigma) and each seed:

- ``gan``: the recipe ``configs/gan-<data>.yaml`` trained for 500 (ring8) or 1000 (grid25) steps
  (deliberately short of the recipe's, so there is something to refine), scored every 100 steps;
- refinement (Nitanda & Suzuki 2018, the gradient layer with the trained critic, i.e.
  ``gankit refine --critic-steps 0``): the same 2500 samples moved by T layers
  x <- x + eta sigmoid(-D(x)) grad D(x) (the non-saturating form), for each eta in ``--etas``,
  scored at each T in ``--at`` (modes, high-quality fraction, within-mode spread);
- ``gradient-layer`` (their Algorithm 3, Sørby's numbering): the generator grown from an untrained
  base by ``--layers`` layers, 10 critic steps per layer, scored at the end (the paper's "about
  100 iterations" claim).

The seed-0 scatter plots go to docs/figures/refine-<data>-{before,after}.png.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import torch
from common import FIGURES, QUIET, RESULTS, ROOT, save

from gankit.data import build_dataset
from gankit.losses import build_loss
from gankit.methods.gradient_layers import gradient_layer_step
from gankit.metrics import mode_coverage
from gankit.runs.launch import load_trained, resolve_config, start
from gankit.training.snapshots import render_samples

GAN_STEPS = {"ring8": 500, "grid25": 1000}
FIGURE_ETA = {"ring8": 1e-3, "grid25": 1e-2}  # sigma 0.01 and 0.05
ALGORITHM_3 = ["z_dim=2", "generator.hidden=[128,128,128]", "discriminator.hidden=[128,128]"]


def coverage_rows(path: Path) -> dict[int, dict]:
    rows = [json.loads(line) for line in (path / "metrics.jsonl").read_text().splitlines()]
    return {r["step"]: {k: r[k] for k in ("modes_covered", "high_quality")}
            for r in rows if "modes_covered" in r}  # fmt: skip


def train(method: str, config: Path | None, overrides: list[str], runs: Path, name: str) -> dict:
    cfg = resolve_config(method, config, [*overrides, f"out={runs}", f"name={name}", *QUIET])
    began = time.perf_counter()
    run = start(cfg)
    return {"run": str(run.path), "train_wall_s": round(time.perf_counter() - began, 1)}


def within_mode_spread(x: torch.Tensor, mixture) -> float | None:
    """RMS per-coordinate offset of the high-quality samples from their mode, in units of sigma
    (about 1 for samples of the true mixture; below 1: samples crowd onto the means)."""
    means = torch.as_tensor(mixture.means, dtype=x.dtype)
    nearest = torch.cdist(x, means).min(dim=1).values
    good = nearest[nearest < 3 * mixture.sigma]
    if not len(good):
        return None
    return round(float(good.pow(2).mean().div(x.shape[1]).sqrt() / mixture.sigma), 3)


def refinement_curve(run: str, eta: float, at: list[int], seed: int, figure: str | None) -> dict:
    method, cfg, net = load_trained(run)
    mixture = build_dataset(cfg.data).mixture
    critic, loss = method.nets["discriminator"].eval(), build_loss(cfg.loss, cfg.loss_options)
    with torch.no_grad():
        x = method.generate(method.sample_latent(2500, torch.Generator().manual_seed(seed)), net)
    began, curve, before = time.perf_counter(), {}, x
    for t in range(max(at) + 1):
        if t in at:
            curve[t] = mode_coverage(x, mixture.means, mixture.sigma)
            curve[t]["spread"] = within_mode_spread(x, mixture)
        if t < max(at):
            x = torch.cat([gradient_layer_step(c, critic, eta, loss) for c in x.split(500)])
    if figure:
        FIGURES.mkdir(parents=True, exist_ok=True)
        for name, samples in (("before", before), ("after", x)):
            render_samples(samples, method.spec, FIGURES / f"{figure}-{name}.png", mixture)
    return {"eta": eta, "curve": curve, "refine_wall_s": round(time.perf_counter() - began, 1)}


def figure(data: str, seed: int, eta: float, args: argparse.Namespace) -> str | None:
    """The first seed's scatter plots, at the step size that suits the data's scale."""
    return f"refine-{data}" if seed == args.seeds[0] and eta == FIGURE_ETA[data] else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", nargs="+", default=["ring8", "grid25"])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--etas", type=float, nargs="+", default=[1e-3, 1e-2])
    parser.add_argument("--at", type=int, nargs="+", default=[0, 10, 20, 50, 100])
    parser.add_argument("--layers", type=int, default=100)
    parser.add_argument("--runs", type=Path, default=RESULTS / "refine_toy" / "runs")
    args = parser.parse_args()
    torch.set_num_threads(1)
    results = {"etas": args.etas, "layers": args.layers, "gan_steps": GAN_STEPS, "data": {}}
    for data in args.data:
        rows = results["data"][data] = {}
        for seed in args.seeds:
            steps = GAN_STEPS[data]
            gan = train("gan", ROOT / "configs" / f"gan-{data}.yaml",
                        [f"seed={seed}", f"train.steps={steps}", "train.sample_every=100",
                         f"train.checkpoint_every={steps}"], args.runs / data, f"gan-s{seed}")  # fmt: skip
            gan["coverage"] = coverage_rows(Path(gan["run"]))
            gan["refined"] = {
                eta: refinement_curve(gan["run"], eta, args.at, seed, figure(data, seed, eta, args))
                for eta in args.etas
            }
            layers = train("gradient-layer", None,
                           [f"data.name={data}", *ALGORITHM_3,
                            f"seed={seed}", f"train.steps={args.layers}",
                            f"train.sample_every={args.layers}",
                            f"train.checkpoint_every={args.layers}"], args.runs / data,
                           f"layers-s{seed}")  # fmt: skip
            layers["coverage"] = coverage_rows(Path(layers["run"]))
            rows[seed] = {"gan": gan, "gradient_layer": layers}
            print(json.dumps({data: {seed: rows[seed]}}), flush=True)
    save(results, "refine_toy")


if __name__ == "__main__":
    main()
