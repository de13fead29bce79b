"""Will a training step fit in memory? An estimate before the first step, and one line if not.

A batch too large for the machine's RAM does not raise on Linux: the kernel kills the process
(exit code 137) with no message. So before the first step the trainer measures one step of the
method on a few samples, on a copy of the method (its weights, optimizer moments and random
streams stay untouched, so the run is bit for bit what it would have been), and scales it to the
batch size:

    step memory = n * (saved per sample) + (saved, fixed) + 3 * (bytes of the parameters)

the last term being the gradients and two Adam moments that the first step allocates (the
weights are already allocated when the estimate is made, so they count as used). The bytes saved
for backward are followed with :func:`torch.autograd.graph.saved_tensors_hooks` through the
step, from when a graph saves a tensor until backward reads it, and their peak is taken; on 2
and on 4 samples: the difference is what a sample adds, the rest (weights saved by each layer)
is fixed. Available memory is the kernel's ``MemAvailable``,
or the container's cgroup limit less its usage where that is lower; on CUDA the free device
memory. Where neither can be read, or the probe step cannot run on a few samples, no estimate is
made and training goes on as before. A method of your own whose ``train_step`` acts outside the
method object (writes a file, counts calls in a global) does so for the two probe steps too:
``train.check_memory=false`` skips them.
"""

from __future__ import annotations

import contextlib
import copy
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import torch
from torch.utils.data import default_collate

from gankit.core.method import Method
from gankit.errors import ConfigError
from gankit.training.batches import Batch, BatchStream
from gankit.training.checkpoint import capture_rng, restore_rng

log = logging.getLogger(__name__)

PROBE_SAMPLES = 4  # samples in the measured step: enough for batch norm, small enough to be quick
MiB = 2**20


def available_bytes(device: torch.device) -> int | None:
    """Memory a step may still use on ``device``, or None where it cannot be read."""
    if device.type == "cuda":
        free, _total = torch.cuda.mem_get_info(device)
        return int(free)
    if device.type != "cpu":
        return None
    found = [n for n in (_meminfo_available(), _cgroup_available()) if n is not None]
    return min(found) if found else None


def _meminfo_available(path: Path = Path("/proc/meminfo")) -> int | None:
    try:
        for line in path.read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def _cgroup_available(root: Path = Path("/sys/fs/cgroup")) -> int | None:
    """The container's limit less its usage (cgroup v2, then v1), or None without a limit."""
    for limit_file, usage_file in (
        ("memory.max", "memory.current"),
        ("memory/memory.limit_in_bytes", "memory/memory.usage_in_bytes"),
    ):
        try:
            limit = (root / limit_file).read_text().strip()
            usage = int((root / usage_file).read_text().strip())
        except (OSError, ValueError):
            continue
        if limit == "max" or int(limit) >= 2**60:  # no limit (v1 writes a huge number)
            return None
        return max(0, int(limit) - usage)
    return None


def probe_batch(stream: BatchStream, n: int) -> Batch:
    """The dataset's first ``n`` samples as one batch on the stream's device, in the stream's
    memory format, without moving the stream."""
    dataset = stream.dataset
    if dataset.in_memory:
        samples, labels = dataset.tensors
        batch = (samples[:n].to(stream.device), labels[:n].to(stream.device))
    else:
        samples, labels = default_collate([dataset[i] for i in range(n)])
        batch = (samples.to(stream.device), labels.to(stream.device))
    if stream.memory_format is not None and batch[0].dim() == 4:
        batch = (batch[0].contiguous(memory_format=stream.memory_format), batch[1])
    return batch


def saved_bytes(method: Method, stream: BatchStream, n: int) -> int:
    """The most bytes held for backward at once during one training step of ``method`` on
    ``n`` samples, measured on a copy of it; every random stream is as before afterwards.

    A tensor counts from when a graph saves it until backward first reads it back (after which
    that graph is freed), so D's step and G's step are not added together.
    """
    live = peak = 0

    def pack(tensor: torch.Tensor) -> list[Any]:
        nonlocal live, peak
        size = tensor.numel() * tensor.element_size()
        live += size
        peak = max(peak, live)
        return [tensor, size]

    def unpack(saved: list[Any]) -> torch.Tensor:
        nonlocal live
        live -= saved[1]
        saved[1] = 0  # read again (double backward): already let go
        return saved[0]

    state = capture_rng()
    try:
        # the data set is shared, not copied: it can be most of the memory
        twin = copy.deepcopy(method, memo={id(stream.dataset): stream.dataset})
        batch = probe_batch(stream, n)
        with torch.autograd.graph.saved_tensors_hooks(pack, unpack):
            twin.train_step(batch, update_generator=True)
    finally:
        restore_rng(state)
    return peak


def measure_step(method: Method, stream: BatchStream) -> tuple[int, int, int]:
    """``(bytes per sample, fixed bytes, bytes of the parameters)`` of one training step: the
    saved bytes of steps on PROBE_SAMPLES and on half as many samples, whose difference is what
    each sample adds (weights saved by every layer, and their low-precision copies, are the
    fixed part)."""
    small, large = PROBE_SAMPLES // 2, PROBE_SAMPLES
    at_small, at_large = saved_bytes(method, stream, small), saved_bytes(method, stream, large)
    per_sample = max(0, at_large - at_small) // (large - small)
    fixed = max(0, at_small - small * per_sample)
    parameters = sum(
        p.numel() * p.element_size() for net in method.nets.values() for p in net.parameters()
    )
    return per_sample, fixed, parameters


def step_does_not_fit(method: Method, stream: BatchStream) -> str | None:
    """The one line that refuses a batch whose step cannot fit in the memory available (with a
    batch size that fits), or None when it fits or no estimate can be made."""
    batch_size = stream.batch_size
    available = available_bytes(stream.device)
    if available is None or batch_size <= PROBE_SAMPLES:
        return None
    try:
        per_sample, fixed, parameters = measure_step(method, stream)
    except Exception as error:  # a method that cannot step on a few samples: no estimate
        log.debug("no memory estimate: the probe step failed (%s)", error)
        return None
    needed = batch_size * per_sample + fixed + 3 * parameters
    if needed <= available:
        return None
    fits = (available - fixed - 3 * parameters) // max(per_sample, 1)
    suggestion = (
        f"data.batch_size={_round_down(fits)} fits"
        if fits >= 1
        else "even one sample does not fit: use a smaller network or a larger machine"
    )
    where = "GPU memory" if stream.device.type == "cuda" else "RAM"
    return (
        f"data.batch_size={batch_size} needs about {needed / MiB:,.0f} MiB per training step "
        f"({per_sample / MiB:.2f} MiB per sample) and {available / MiB:,.0f} MiB of {where} "
        f"is available; {suggestion}."
    )


def _round_down(n: int) -> int:
    """``n`` rounded down to a power of two below 64, else to a multiple of 64."""
    if n >= 64:
        return n - n % 64
    return 1 << (int(n).bit_length() - 1)


@contextlib.contextmanager
def out_of_memory_is_one_line(stream: BatchStream) -> Iterator[None]:
    """Turn an out-of-memory error that the estimate did not prevent into one line."""
    try:
        yield
    except torch.OutOfMemoryError:
        where = "GPU memory" if stream.device.type == "cuda" else "memory"
        raise ConfigError(
            f"A training step with data.batch_size={stream.batch_size} ran out of {where}; try "
            f"data.batch_size={max(1, stream.batch_size // 2)}."
        ) from None
