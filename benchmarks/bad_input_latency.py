"""How long `gankit train` takes to refuse each bad input of the reliability issue (21).

Each case is a fresh `gankit` process (as a user types it) that must exit with code 2 and one
line on stderr; its wall time is measured from the start of the process to its exit. The
reference is `gankit --version` in the same script (the cost of starting Python and the
command line). Cases and the reference are alternated within each repeat, and the median over
repeats is reported. Run it on an idle machine:

    python benchmarks/bad_input_latency.py --repeats 5 --out /tmp/latency.json

The cases are built in a temporary folder: a finished tiny run to resume, a copy with its
config.yaml edited, a run whose checkpoint is a pickle with a payload, a run locked by a live
process, and MNIST (``--data-dir``) for a batch that cannot fit in memory (skipped without it).
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TINY = ["data.image_size=16", "data.batch_size=16", "generator.width=8",
        "discriminator.width=8", "z_dim=8", "train.progress=false",
        "train.check_memory=false"]  # fmt: skip


def gankit(*args: str, cwd: Path) -> tuple[float, int, str]:
    """(seconds, exit code, stderr) of one `gankit ARGS` process."""
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "gankit", *args], cwd=cwd,
                          capture_output=True, text=True)  # fmt: skip
    return time.perf_counter() - start, done.returncode, done.stderr


class Payload:
    def __reduce__(self):
        return (print, ("unpickled",))


def prepare(folder: Path) -> None:
    """The runs the resume cases need."""
    _, code, err = gankit("train", "dcgan", "--name", "r", "--steps", "2", *TINY, cwd=folder)
    assert code == 0, err
    runs = folder / "runs" / "dcgan"
    shutil.copytree(runs / "r", runs / "edited")
    config = runs / "edited" / "config.yaml"
    config.write_text(config.read_text().replace("width: 8", "width: 9", 1))
    shutil.copytree(runs / "r", runs / "evil")
    (runs / "evil" / "checkpoints" / "last.pt").write_bytes(pickle.dumps(Payload()))
    shutil.copytree(runs / "r", runs / "locked")
    lock = {"pid": os.getpid(), "host": socket.gethostname(), "since": "now"}  # this script
    (runs / "locked" / "train.lock").write_text(json.dumps(lock))
    (folder / "evil.yaml").write_text("method: dcgan\nname: !!python/object/apply:os.getcwd []\n")
    (folder / "file").write_text("")


def cases(data_dir: str | None) -> dict[str, list[str]]:
    """Each row of the issue's table that is an input `gankit train` can refuse at once."""
    run = "runs/dcgan/r"
    found = {
        "optim.generator.lr=-1": ["train", "dcgan", "optim.generator.lr=-1"],
        "train.log_every=0": ["train", "dcgan", "train.log_every=0"],
        "--steps -3": ["train", "dcgan", "--steps", "-3"],
        "--name ../../escape": ["train", "dcgan", "--name", "../../escape"],
        "YAML tag in a config file": ["train", "--config", "evil.yaml"],
        "--resume RUN generator.width=16": ["train", "--resume", run, "generator.width=16"],
        "--resume RUN --steps 1 (below step 2)": ["train", "--resume", run, "--steps", "1"],
        "--resume RUN, config.yaml edited": ["train", "--resume", "runs/dcgan/edited"],
        "--resume RUN, malicious checkpoint": ["train", "--resume", "runs/dcgan/evil"],
        "--resume RUN, locked by a live process": ["train", "--resume", "runs/dcgan/locked"],
        "--out under a file": ["train", "dcgan", "--out", "file/runs"],
        "sample -n 0": ["sample", run, "-n", "0"],
    }
    if data_dir:
        found["data.batch_size=60000 on MNIST"] = [
            "train", "dcgan", "--data", "mnist", "--data-dir", data_dir, "data.download=false",
            "data.image_size=28", "data.batch_size=60000",
        ]  # fmt: skip
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--data-dir", help="where MNIST is, for the batch-size case")
    parser.add_argument("--out", help="write the figures as JSON here")
    args = parser.parse_args()
    found = cases(args.data_dir)
    times: dict[str, list[float]] = {name: [] for name in ["gankit --version", *found]}
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        prepare(folder)
        for _ in range(args.repeats):
            times["gankit --version"].append(gankit("--version", cwd=folder)[0])
            for name, command in found.items():
                seconds, code, err = gankit(*command, cwd=folder)
                # one line, after what a start says first; click's usage errors put theirs
                # under the usage
                lines = [line for line in err.strip().splitlines()
                         if not line.startswith(("Training ", "train.fast on "))]  # fmt: skip
                one_line = len(lines) == 1 or lines[0].startswith("Usage:")
                assert code == 2 and one_line and "Traceback" not in err, (name, code, err)
                times[name].append(seconds)
    cpu = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    names = cpuinfo.read_text().splitlines() if cpuinfo.is_file() else []
    cpu = next((line.split(":", 1)[1].strip() for line in names
                if line.startswith("model name")), cpu)  # fmt: skip
    reference = statistics.median(times["gankit --version"])
    print(f"{cpu}, {os.cpu_count()} CPUs, median of {args.repeats}")
    print("| input | seconds | x `gankit --version` |\n|---|---|---|")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"| {name} | {median:.2f} | {median / reference:.1f} |")
    if args.out:
        Path(args.out).write_text(json.dumps({"cpu": cpu, "times": times}, indent=2) + "\n")


if __name__ == "__main__":
    main()
