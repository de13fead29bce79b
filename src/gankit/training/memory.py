"""Will a training step fit in memory? An estimate before the first step, and one line if not.

A batch too large for the machine's RAM does not raise on Linux: the kernel kills the process
(exit code 137) with no message. So before the first step the trainer measures one step of the
method on a few samples, on a copy of the method (its weights, optimizer moments and random
streams stay untouched, so the run is bit for bit what it would have been), and scales it to the
batch size:

    step memory = n * (held per sample) + (held, fixed) + 3 * (bytes of the parameters)

the last term being the gradients and two Adam moments that the first step allocates (the
weights are already allocated when the estimate is made, so they count as used; on resume the
moments exist too, and only the gradients count). What the step's graphs hold for backward is
followed with :func:`torch.autograd.graph.saved_tensors_hooks`: each storage once, from when a
graph first saves it until the last graph holding it is freed, weights and buffers left out;
the peak of that, on two small batches, gives what a sample adds (the difference) and the rest,
each times OVERHEAD for what backward builds beside it (measured below).
Available memory is the kernel's ``MemAvailable``, or the container's cgroup limit less its
usage where that is lower, shared by the processes of the machine under torchrun; on CUDA the
free device memory plus what torch's allocator holds unused. Where it cannot be read no estimate
is made; where the probe step cannot run on a few samples, a note says so and training goes on.
A method of your own whose ``train_step`` acts outside the
method object (writes a file, counts calls in a global) does so for the two probe steps too:
``train.check_memory=false`` skips them.
"""

from __future__ import annotations

import contextlib
import copy
import gc
import itertools
import logging
import os
import weakref
from collections.abc import Iterator
from pathlib import Path

import torch

from gankit.core.method import Method
from gankit.errors import ConfigError
from gankit.training.batches import BatchStream
from gankit.training.checkpoint import capture_rng, restore_rng

log = logging.getLogger(__name__)

PROBE_SAMPLES = 4  # samples in the measured step: enough for batch norm, small enough to be quick
# What graphs hold for backward leaves out the gradients that backward builds beside them and
# short-lived temporaries: the peak resident memory per sample, measured between two large
# batches, was 1.32x the held bytes for configs/dcgan-mnist.yaml in fp32, 1.2x with bf16, and
# 1.18x for configs/wgan-gp.yaml on MNIST in fp32 (AMD EPYC, 2026-12-07; README, "Resume").
OVERHEAD = 1.35
MiB = 2**20


def available_bytes(device: torch.device) -> int | None:
    """Memory a step may still use on ``device``, or None where it cannot be read."""
    if device.type == "cuda":
        free, _total = torch.cuda.mem_get_info(device)
        # what torch's caching allocator holds but no tensor uses is free to this process
        cached = torch.cuda.memory_reserved(device) - torch.cuda.memory_allocated(device)
        return int(free + cached)
    if device.type != "cpu":
        return None
    found = [n for n in (_meminfo_available(), _cgroup_available()) if n is not None]
    if not found:
        return None
    # the processes of one machine under torchrun share its memory
    return min(found) // max(1, int(os.environ.get("LOCAL_WORLD_SIZE", "1")))


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


class _Saved:
    """What a graph holds for backward in place of a tensor; its end (when autograd frees the
    graph) is when the tensor's memory may go."""

    __slots__ = ("tensor", "__weakref__")

    def __init__(self, tensor: torch.Tensor) -> None:
        self.tensor = tensor


def _storage(tensor: torch.Tensor) -> int | None:
    try:
        return tensor.untyped_storage().data_ptr()
    except (RuntimeError, NotImplementedError):  # a tensor without storage of its own
        return None


def saved_bytes(method: Method, stream: BatchStream, n: int) -> int:
    """The most bytes that graphs hold for backward at once during one training step of
    ``method`` on ``n`` samples, measured on a copy of it; every random stream is as before
    afterwards.

    A storage counts once however many graph nodes save it (a ReLU's output that the next layer
    saves too), from when a graph first saves it until the last graph holding it is freed (so a
    graph kept for a double backward stays counted, and D's graph and G's are added only while
    both live); the weights and buffers, allocated already, do not count.
    """
    holders: dict[int, int] = {}  # storage -> graph nodes holding it
    live = peak = 0

    def release(key: int, size: int) -> None:
        nonlocal live
        holders[key] -= 1
        if holders[key] == 0:
            live -= size

    def pack(tensor: torch.Tensor) -> _Saved | torch.Tensor:
        nonlocal live, peak
        key = _storage(tensor)
        if key is None or key in allocated:
            return tensor
        saved = _Saved(tensor)
        size = tensor.untyped_storage().nbytes()
        if holders.get(key, 0) == 0:
            live += size
            peak = max(peak, live)
        holders[key] = holders.get(key, 0) + 1
        weakref.finalize(saved, release, key, size)
        return saved

    def unpack(saved: _Saved | torch.Tensor) -> torch.Tensor:
        return saved.tensor if isinstance(saved, _Saved) else saved

    state = capture_rng()
    try:
        # shared, not copied: the data set and the method's other tensors (CycleGAN's domain B)
        # can be most of the memory, and a step only reads them
        shared = [stream.dataset, *(v for v in vars(method).values() if torch.is_tensor(v))]
        twin = copy.deepcopy(method, memo={id(obj): obj for obj in shared})
        allocated = {
            _storage(t)
            for net in twin.nets.values()
            for t in itertools.chain(net.parameters(), net.buffers())
        }
        batch = stream.first(n)
        with torch.autograd.graph.saved_tensors_hooks(pack, unpack):
            twin.train_step(batch, update_generator=True)
        del twin, batch
        gc.collect()
    finally:
        restore_rng(state)
    return peak


def probe_sizes(method: Method) -> tuple[int, int]:
    """Two small batch sizes for the probe steps, multiples of what the method packs together
    (PacGAN's ``pack``)."""
    unit = max(1, int(getattr(method.cfg, "pack", 1) or 1))
    return PROBE_SAMPLES // 2 * unit, PROBE_SAMPLES * unit


def measure_step(method: Method, stream: BatchStream) -> tuple[int, int, int]:
    """``(bytes per sample, fixed bytes, bytes still to allocate)`` of one training step: the
    peaks of steps on two probe sizes, whose difference is what each sample adds (the rest, such
    as the low-precision copies of the weights, is fixed), and the gradients and Adam moments
    that the first step allocates (the moments exist already when the run was resumed)."""
    small, large = probe_sizes(method)
    at_small, at_large = saved_bytes(method, stream, small), saved_bytes(method, stream, large)
    per_sample = max(0, at_large - at_small) / (large - small)
    fixed = max(0.0, at_small - small * per_sample)
    parameters = sum(
        p.numel() * p.element_size() for net in method.nets.values() for p in net.parameters()
    )
    return (
        round(OVERHEAD * per_sample),
        round(OVERHEAD * fixed),
        parameters * (1 if _resumed(method) else 3),
    )


def step_does_not_fit(method: Method, stream: BatchStream) -> str | None:
    """The one line that refuses a batch whose step cannot fit in the memory available (with
    what to do), or None when it fits or no estimate can be made (with a note why)."""
    batch_size = stream.batch_size
    if batch_size <= probe_sizes(method)[1]:
        return None
    try:
        available = available_bytes(stream.device)
        if available is None:
            return None
        per_sample, fixed, to_allocate = measure_step(method, stream)
    except Exception as error:  # a method that cannot step on a few samples: no estimate
        log.warning("note: no memory estimate for this run (its probe step failed: %s)", error)
        return None
    needed = batch_size * per_sample + fixed + to_allocate
    if needed <= available:
        return None
    fits = (available - fixed - to_allocate) // max(per_sample, 1)
    if _resumed(method):  # the batch size is the run's: it cannot change on resume
        advice = "free some memory, or resume with train.check_memory=false to try anyway"
    elif fits >= 1:
        advice = f"data.batch_size={_round_down(fits)} fits"
    else:
        advice = "even one sample does not fit: use a smaller network or a larger machine"
    where = "GPU memory" if stream.device.type == "cuda" else "RAM"
    return (
        f"data.batch_size={batch_size} needs about {_mib(needed)} MiB per training step "
        f"({_mib(per_sample)} MiB per sample) and {_mib(available)} MiB of {where} is "
        f"available; {advice}."
    )


def _resumed(method: Method) -> bool:
    """Whether the optimizers hold moments already (a resumed run)."""
    return any(opt.state for opt in method.optimizers.values())


def _mib(n: float) -> str:
    return f"{n / MiB:,.0f}" if n >= 10 * MiB else f"{n / MiB:.2f}"


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
