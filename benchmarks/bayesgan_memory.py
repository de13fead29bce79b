"""Peak memory of bayesgan training against J_g, J_d and M (Saatci & Wilson 2017, Algorithm 1).

Each configuration runs in a fresh process: it builds the method on synthetic 28x28 images
(DCGAN nets, ``--width``, batch ``--batch``), takes ``--steps`` training iterations, and reports
the peak memory the method added. On CUDA that is ``torch.cuda.max_memory_allocated``; on the
CPU it is the growth of the process's peak resident set (``ru_maxrss``) over its value just
before the method was built, which includes the allocator's caching and is coarser. Beside it,
the docstring's formula for the parameter state: 12 (J_g M P_g + J_d M P_d) bytes (weights,
gradients and SGHMC velocities in float32), P_g and P_d the parameters of one net.

    python benchmarks/bayesgan_memory.py --device cpu
    python benchmarks/bayesgan_memory.py --device cuda --configs 1,1,1 10,1,2 10,2,2 10,4,2

Record the table in BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import subprocess
import sys
import time

DEFAULT_CONFIGS = ["1,1,1", "2,1,1", "4,1,1", "4,2,1", "4,4,1", "4,1,2", "10,1,2"]


def measure(args: argparse.Namespace, generators: int, discriminators: int, mcmc: int) -> dict:
    """Run in the worker process: build, train ``args.steps`` iterations, report peak memory."""
    import torch

    from gankit.core.spec import DataSpec
    from gankit.methods import METHODS
    from gankit.runs.launch import resolve_config

    torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    spec = DataSpec("image", (1, 28, 28), num_classes=10)
    overrides = [f"bayes.generators={generators}", f"bayes.discriminators={discriminators}",
                 f"bayes.mcmc={mcmc}", "bayes.observed=60000", f"generator.width={args.width}",
                 f"discriminator.width={args.width}", f"data.batch_size={args.batch}"]  # fmt: skip
    cfg = resolve_config("bayesgan", None, overrides)
    real = torch.rand(args.batch, *spec.shape, device=device) * 2 - 1
    labels = torch.zeros(args.batch, dtype=torch.long, device=device)
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats(device)
        start = torch.cuda.memory_allocated(device)
    baseline_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    method = METHODS.get("bayesgan")(cfg, spec, device)
    began = time.perf_counter()
    for _ in range(args.steps):
        method.train_step((real, labels), update_generator=True)
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    seconds = (time.perf_counter() - began) / args.steps
    if device.type == "cuda":
        peak_mib = (torch.cuda.max_memory_allocated(device) - start) / 2**20
    else:
        peak_mib = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - baseline_kib) / 1024
    generator_params = sum(p.numel() for p in method.nets["generator"].chains[0].parameters())
    critic_params = sum(p.numel() for p in method.nets["discriminator"].chains[0].parameters())
    state = 12 * (generators * mcmc * generator_params + discriminators * mcmc * critic_params)
    return {
        "J_g": generators,
        "J_d": discriminators,
        "M": mcmc,
        "P_g": generator_params,
        "P_d": critic_params,
        "formula_state_mib": round(state / 2**20, 1),
        "peak_mib": round(peak_mib, 1),
        "seconds_per_iteration": round(seconds, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--configs", nargs="*", default=DEFAULT_CONFIGS, help="J_g,J_d,M each")
    parser.add_argument("--width", type=int, default=64)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--steps", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(measure(args, *map(int, args.worker.split(",")))))
        return
    print(f"# {platform.processor() or platform.machine()}, device {args.device}, "
          f"DCGAN width {args.width}, batch {args.batch}, 28x28, {args.steps} iterations")  # fmt: skip
    print("| J_g | J_d | M | params state (formula) | peak added | s / iteration |")
    print("|---|---|---|---|---|---|")
    for config in args.configs:
        command = [sys.executable, __file__, "--worker", config, "--device", args.device,
                   "--width", str(args.width), "--batch", str(args.batch),
                   "--steps", str(args.steps), "--threads", str(args.threads)]  # fmt: skip
        output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
        row = json.loads(output.strip().splitlines()[-1])
        print(f"| {row['J_g']} | {row['J_d']} | {row['M']} | {row['formula_state_mib']} MiB | "
              f"{row['peak_mib']} MiB | {row['seconds_per_iteration']} |", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
