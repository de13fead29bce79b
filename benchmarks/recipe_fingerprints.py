"""Fingerprints of every shipped recipe: a structural change must leave them bit-identical.

Each recipe (``gankit list recipes``) trains a few steps on the CPU in deterministic mode, from
its seed, on its own dataset (``--data-dir``); the fingerprint is the SHA-256 of every tensor
and number in the last checkpoint (nets, optimizers, EMA, RNG states, data position) and of the
logged losses (``metrics.jsonl`` without the wall-clock fields). Record the fingerprints before
a refactor, again after, and compare:

    python benchmarks/recipe_fingerprints.py --out /tmp/before.json --data-dir ../shared/data
    (change the code)
    python benchmarks/recipe_fingerprints.py --out /tmp/after.json --data-dir ../shared/data
    python benchmarks/recipe_fingerprints.py --compare /tmp/before.json /tmp/after.json

A recipe whose dataset is not on the machine is listed as skipped, with the reason, in both
files, so a comparison never passes for a recipe that did not run. One thread, so the
arithmetic order (and hence every bit) does not depend on the machine's core count.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

import torch

from gankit.errors import GankitError
from gankit.recipes import find_recipe, recipe_names
from gankit.runs.launch import resolve_config, start

STEPS = 3
# Wall-clock fields, in the log records and the checkpoint; the checkpoint's "config" holds the
# scratch folder's name and its "env" the machine, neither part of what training computed.
WALL_CLOCK_KEYS = {"time", "seconds", "elapsed", "step_time", "steps_per_second", "wall"}
# Recipes that would otherwise spend minutes per step on the CPU: smaller batches, same code.
SMALLER = ["data.batch_size=4"]


def digest_of(value: Any, hasher: Any) -> None:
    """Feed ``value`` (nested dicts/lists of tensors, numbers, strings) into ``hasher`` in a
    fixed order, tensors by dtype, shape and bytes."""
    if isinstance(value, dict):
        for key in sorted(value, key=str):
            hasher.update(f"<{key}>".encode())
            digest_of(value[key], hasher)
    elif isinstance(value, list | tuple):
        hasher.update(f"[{len(value)}]".encode())
        for item in value:
            digest_of(item, hasher)
    elif isinstance(value, torch.Tensor):
        tensor = value.detach().cpu().contiguous().reshape(-1)
        hasher.update(f"{value.dtype}{tuple(value.shape)}".encode())
        hasher.update(tensor.view(torch.uint8).numpy().tobytes() if tensor.numel() else b"")
    else:
        hasher.update(repr(value).encode())


def fingerprint(recipe: str, data_dir: str | None, out: Path) -> dict[str, str]:
    overrides = [
        f"train.steps={STEPS}",
        "train.deterministic=true",
        "train.log_every=1",
        f"train.checkpoint_every={STEPS}",
        f"train.sample_every={STEPS}",
        "data.num_workers=0",
        "device=cpu",
        f"out={out}",
        "name=fingerprint",
        *SMALLER,
        *([f"data.root={data_dir}"] if data_dir else []),
    ]
    cfg = resolve_config(None, find_recipe(recipe), overrides)
    run = start(cfg)
    checkpoint = torch.load(run.last_checkpoint(), map_location="cpu", weights_only=True)
    weights = hashlib.sha256()
    kept = {k: v for k, v in checkpoint.items() if k not in {"config", "env"} | WALL_CLOCK_KEYS}
    digest_of(kept, weights)
    log = hashlib.sha256()
    for line in run.metrics_file.read_text().splitlines():
        record = json.loads(line)
        digest_of({k: v for k, v in record.items() if k not in WALL_CLOCK_KEYS}, log)
    return {"weights": weights.hexdigest(), "log": log.hexdigest()}


def record(out_file: Path, data_dir: str | None, only: list[str]) -> None:
    torch.set_num_threads(1)
    results: dict[str, dict[str, str]] = {}
    for recipe in only or recipe_names():
        with tempfile.TemporaryDirectory() as scratch:
            try:
                results[recipe] = fingerprint(recipe, data_dir, Path(scratch))
            except GankitError as exc:  # e.g. a dataset that is not on this machine
                results[recipe] = {"skipped": str(exc).splitlines()[0]}
        print(f"{recipe}: {results[recipe]}", flush=True)
    out_file.write_text(json.dumps(results, indent=1, sort_keys=True) + "\n")


def compare(before_file: Path, after_file: Path) -> int:
    before = json.loads(before_file.read_text())
    after = json.loads(after_file.read_text())
    problems = []
    for recipe in sorted(set(before) | set(after)):
        old, new = before.get(recipe), after.get(recipe)
        if old is None or new is None:
            problems.append(f"{recipe}: only in {'after' if old is None else 'before'}")
        elif "skipped" in old or "skipped" in new:
            problems.append(f"{recipe}: skipped ({old.get('skipped') or new.get('skipped')})")
        elif old != new:
            changed = [key for key in ("weights", "log") if old[key] != new[key]]
            problems.append(f"{recipe}: {' and '.join(changed)} changed")
    same = len(set(before) & set(after)) - len(problems)
    print(f"{same} recipes bit-identical")
    for problem in problems:
        print(problem)
    return 1 if problems else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="Write the fingerprints here.")
    parser.add_argument("--data-dir", help="Where the recipes' datasets live.")
    parser.add_argument("--recipes", default="", help="Comma-separated (default: every recipe).")
    parser.add_argument("--compare", nargs=2, type=Path, metavar=("BEFORE", "AFTER"))
    args = parser.parse_args()
    if args.compare:
        return compare(*args.compare)
    if args.out is None:
        parser.error("give --out FILE to record, or --compare BEFORE AFTER")
    record(args.out, args.data_dir, [r for r in args.recipes.split(",") if r])
    return 0


if __name__ == "__main__":
    sys.exit(main())
