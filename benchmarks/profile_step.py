"""Where a training step's time goes: torch.profiler over recipe steps, grouped by kind of work.

Builds the step as ``roofline.py`` does (the trainer's own data stream and speed options) and
sorts the CPU self time of every operator into: convolutions and matrix products (the networks'
arithmetic), normalisation and activations (also the networks', but memory-bound), the
optimizer, data (indexing the in-memory set, layout copies), and the rest. Prints the share of
each and the ten most expensive operators.

    python benchmarks/profile_step.py --recipe dcgan64
    python benchmarks/profile_step.py --recipe dcgan64 --fast
"""

from __future__ import annotations

import argparse
import re
import tempfile
from collections import defaultdict

from roofline import RECIPES, prepared_step
from torch.profiler import ProfilerActivity, profile

from gankit.training.environment import pick_device

KINDS = (
    ("convolution / matmul", r"conv|mm|matmul|linear|addmm|bmm|mkldnn"),
    ("normalisation / activation", r"norm|relu|tanh|sigmoid|leaky|elu|gelu"),
    ("optimizer", r"adam|foreach|lerp|sqrt|addcdiv|addcmul"),
    ("data / layout", r"index|copy|contiguous|to_copy|clone|cat|stack"),
)


def kind_of(name: str) -> str:
    for kind, pattern in KINDS:
        if re.search(pattern, name, re.IGNORECASE):
            return kind
    return "other"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--recipe", choices=list(RECIPES), default="dcgan64")
    parser.add_argument("--fast", action="store_true")
    parser.add_argument("--steps", type=int, default=2, help="profiled steps (after one warm-up)")
    args = parser.parse_args()
    device = pick_device(args.device)
    with tempfile.TemporaryDirectory() as out:
        one_step, line = prepared_step(args.recipe, args.fast, device, out)
        one_step()
        activities = [ProfilerActivity.CPU] + (
            [ProfilerActivity.CUDA] if device.type == "cuda" else []
        )
        with profile(activities=activities) as prof:
            for _ in range(args.steps):
                one_step()
    events = [e for e in prof.key_averages() if e.self_cpu_time_total > 0]
    total = sum(e.self_cpu_time_total for e in events)
    shares: dict[str, float] = defaultdict(float)
    for event in events:
        shares[kind_of(event.key)] += event.self_cpu_time_total
    print(f"{args.recipe}, {line or 'fp32'}: {total / 1e6 / args.steps:.3f} s of CPU time per step")
    for kind, spent in sorted(shares.items(), key=lambda item: -item[1]):
        print(f"  {kind:28s} {spent / total:6.1%}")
    print("top operators (self CPU time per step):")
    for event in sorted(events, key=lambda e: -e.self_cpu_time_total)[:10]:
        print(f"  {event.key:45s} {event.self_cpu_time_total / 1e3 / args.steps:9.1f} ms")


if __name__ == "__main__":
    main()
