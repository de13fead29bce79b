"""Training on several processes with PyTorch's DistributedDataParallel, started by torchrun.

``torchrun --nproc_per_node=N -m gankit train ...`` (or ``python -m torch.distributed.run``)
starts N copies of ``gankit train`` and sets ``RANK``, ``LOCAL_RANK``, ``WORLD_SIZE`` and the
rendezvous address in their environment. :func:`session` reads them and joins the process group
(NCCL for CUDA tensors, gloo for CPU tensors); without them it is a one-process session whose
collectives do nothing, so the trainer runs the same code either way.

What is shared and what is not:

- **nets**: :class:`Replicas` wraps each trainable net in DDP, and the method sees the wrappers
  only while its ``train_step`` runs, so every backward averages gradients over the processes.
  Sampling, EMA and checkpoints use the plain nets (no collective on rank 0 alone).
- **data**: each process reads its own shard of every epoch (``BatchStream`` with a
  DistributedSampler), so the effective batch is ``data.batch_size`` x ``WORLD_SIZE``.
- **randomness**: rank 0 draws what a one-process run of the same seed draws; rank r > 0
  reseeds with :func:`rank_seed`, so each process draws its own noise.
- **files**: only rank 0 writes (run folder, logs, samples, checkpoints) and reads (the
  checkpoint to resume, shipped to the others), so no shared file system is needed.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import os
import socket
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

import torch
import torch.distributed as dist
from torch import nn
from torch.nn.parallel import DistributedDataParallel

from gankit.errors import ConfigError, DistributedError, GankitError
from gankit.training.checkpoint import capture_rng
from gankit.training.environment import pick_device

T = TypeVar("T")

# Rank 0 alone samples, evaluates and writes; the others wait for it at the next collective.
TIMEOUT = timedelta(minutes=30)


def rank_seed(seed: int, rank: int) -> int:
    """The seed of rank ``rank``'s random streams: ``seed`` on rank 0, a distant one elsewhere
    (so that the runs of a seed sweep never share noise between their processes)."""
    return seed + 1_000_003 * rank


class Distributed:
    """This process's place among the processes of a run; one process when not under torchrun."""

    def __init__(self, rank: int = 0, local_rank: int = 0, world_size: int = 1) -> None:
        self.rank, self.local_rank, self.world_size = rank, local_rank, world_size

    @property
    def enabled(self) -> bool:
        return self.world_size > 1

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    def device(self, name: str) -> torch.device:
        """The device for config value ``name``: under torchrun, GPU ``LOCAL_RANK`` for cuda."""
        device = pick_device(name)
        if not self.enabled or device.type == "cpu":
            return device
        if device.type != "cuda":
            raise ConfigError(
                f"Multi-process training runs on CUDA GPUs (NCCL) or the CPU (gloo), not on "
                f"{device.type}; use --device cuda or --device cpu."
            )
        if device.index is not None:
            raise ConfigError(
                f"Under torchrun each process trains on the GPU of its LOCAL_RANK; drop the index "
                f"from --device {name} (use --device cuda) and pick GPUs with CUDA_VISIBLE_DEVICES."
            )
        if self.local_rank >= torch.cuda.device_count():
            raise ConfigError(
                f"Process LOCAL_RANK={self.local_rank} has no GPU: only "
                f"{torch.cuda.device_count()} are visible. Start at most that many processes per "
                f"node (torchrun --nproc_per_node)."
            )
        device = torch.device("cuda", self.local_rank)
        torch.cuda.set_device(device)
        return device

    # ------------------------------------------------------------------ collectives

    def on_main(self, work: Callable[[], T]) -> T:
        """Run ``work`` on rank 0 only and hand its result (or its error) to every rank."""
        return work() if not self.enabled else self._after_main(work, share=True)

    def main_only(self, work: Callable[[], T]) -> T | None:
        """Run ``work`` on rank 0 only; the others get None (and rank 0's error, if any)."""
        return work() if not self.enabled else self._after_main(work, share=False)

    def main_first(self, work: Callable[[], T]) -> T:
        """Run ``work`` on rank 0, then on the others (e.g. so only one process downloads)."""
        if not self.enabled:
            return work()
        result = self._after_main(work, share=False)
        return result if self.is_main else work()

    def _after_main(self, work: Callable[[], T], share: bool) -> Any:
        """``work()`` on rank 0; every rank learns whether it failed (and, if ``share``, its
        result), so all raise together instead of waiting for a rank that is gone."""
        message: list[Any] = [None]
        if self.is_main:
            try:
                result = work()
            except Exception as exc:
                text = str(exc) if isinstance(exc, GankitError) else f"{type(exc).__name__}: {exc}"
                dist.broadcast_object_list([("error", text)], src=0)
                raise
            message[0] = ("ok", result if share else None)
        dist.broadcast_object_list(message, src=0)
        status, value = message[0]
        if status == "error":
            raise DistributedError(f"Rank 0 stopped: {value}")
        return result if self.is_main else value

    def any(self, flag: bool) -> bool:
        """True on every rank when ``flag`` is true on any rank: all stop at the same step."""
        if not self.enabled:
            return flag
        value = torch.tensor([int(flag)])
        dist.all_reduce(value, op=dist.ReduceOp.MAX)
        return bool(value.item())

    def mean(self, values: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
        """Each scalar averaged over the processes: the loss of the whole effective batch.

        A NaN on any rank makes the mean NaN on every rank, so all ranks stop together.
        """
        if not self.enabled or not values:
            return values
        stacked = torch.stack([v.detach().float().reshape(()).cpu() for v in values.values()])
        dist.all_reduce(stacked)
        return dict(zip(values, stacked / self.world_size))

    def gather(self, value: T) -> list[T]:
        """``value`` from every rank, in rank order."""
        if not self.enabled:
            return [value]
        values: list[Any] = [None] * self.world_size
        dist.all_gather_object(values, value)
        return values

    def ranks_in_sync(self, nets: dict[str, nn.Module], step: int, run: Path) -> dict[str, Any]:
        """Every rank's RNG state and weights fingerprint, for the checkpoint.

        The fingerprints must be equal: unequal ones mean some update bypassed DDP, and every
        rank raises before the checkpoint is written, so the last one stays good.
        """
        mine: dict[str, Any] = {"rng": capture_rng(), "weights": weights_fingerprint(nets)}
        ranks = self.gather(mine)
        fingerprints = [r["weights"] for r in ranks]
        if len(set(fingerprints)) > 1:
            raise DistributedError(
                f"At step {step} the processes hold different weights (fingerprints by rank: "
                f"{', '.join(fingerprints)}). The method must update its nets through `self.nets` "
                f"inside train_step, which DDP wraps; resume from the last good checkpoint with "
                f"`gankit train --resume {run}` once it does."
            )
        return {"world_size": len(ranks), "rng": [r["rng"] for r in ranks], "weights": fingerprints}

    def describe(self) -> dict[str, Any]:
        """What env.json records about the processes (empty for one process)."""
        if not self.enabled:
            return {}
        return {
            "distributed": {
                "world_size": self.world_size,
                "backend": dist.get_backend(),
                "hosts": self.gather(socket.gethostname()),
            }
        }


@contextlib.contextmanager
def session() -> Iterator[Distributed]:
    """Join torchrun's process group for the duration, or yield a one-process session.

    A process group that the caller already started (a script of its own under torchrun) is
    used as it is and left open.

    Leaving it, every rank first waits for the others (rank 0 is still writing the last
    checkpoint and plots while the others are done), then frees what holds the group (DDP's
    reducers sit in reference cycles that only the cyclic collector frees), then destroys the
    group. Without this a rank could exit with the group's C++ threads still running and be
    torn down by the interpreter's exit, which aborts the process ("terminate called without
    an active exception"). After an error the ranks do not wait: another rank may be gone.
    """
    world_size = int(os.environ.get("WORLD_SIZE", "1"))
    if world_size <= 1:
        yield Distributed()
        return
    rank, local_rank = int(os.environ["RANK"]), int(os.environ.get("LOCAL_RANK", "0"))
    owned = not dist.is_initialized()
    if owned:
        # One group, two backends: CUDA tensors (DDP's gradients) go through NCCL, CPU tensors
        # (flags, logged scalars, objects) through gloo, so control messages never wait on a GPU.
        backend = "cpu:gloo,cuda:nccl" if dist.is_nccl_available() else "gloo"
        dist.init_process_group(backend, timeout=TIMEOUT)
    here = Distributed(rank, local_rank, world_size)
    finished = False
    try:
        yield here
        finished = True
    finally:
        if owned:
            if finished:
                here.any(False)  # a barrier through gloo: no rank leaves while one still works
            gc.collect()
            dist.destroy_process_group()


def weights_fingerprint(nets: dict[str, nn.Module]) -> str:
    """A hash of every parameter of ``nets`` (values, shapes and names), equal iff they are.

    Buffers are left out on purpose: BatchNorm running statistics follow each rank's own batch
    between DDP's broadcasts from rank 0.
    """
    digest = hashlib.sha256()
    for name in sorted(nets):
        for key, parameter in nets[name].named_parameters():
            flat = parameter.detach().cpu().contiguous().reshape(-1)
            digest.update(f"{name}.{key}{tuple(parameter.shape)}".encode())
            digest.update(flat.view(torch.uint8).numpy().tobytes())
    return digest.hexdigest()[:16]


class Replicas:
    """A method's nets wrapped in DistributedDataParallel, for the duration of ``train_step``.

    Only the wrappers average gradients, so the method must reach its nets through
    ``self.nets`` inside ``train_step`` (the trainer checks at each checkpoint that the weights
    agree on every rank). A net inside ``frozen(...)`` takes part in no gradient sync: its
    weights get no gradients, so DDP's hooks never fire. Gradient penalties (``torch.autograd.grad``
    with ``create_graph``) work through the wrappers too: only the final backward reaches the
    weights, and it is averaged once.
    """

    def __init__(
        self,
        method: Any,
        wrap: bool,
        sync_batchnorm: bool = False,
        find_unused_parameters: bool = False,
    ) -> None:
        """``wrap``: whether to wrap at all (a process group must exist; one process: no)."""
        self.method, self.wrapped = method, None
        if not wrap:
            return
        if method.single_process_reason:
            raise DistributedError(
                f"{method.cfg.method} cannot train under torchrun yet: "
                f"{method.single_process_reason}. Train it in one process (gankit train)."
            )
        device = method.device
        if sync_batchnorm:
            if device.type != "cuda":
                raise ConfigError(
                    "train.sync_batchnorm=true needs CUDA GPUs: PyTorch's SyncBatchNorm has no "
                    "CPU kernel. Leave it off for CPU (gloo) runs."
                )
            for name, net in method.nets.items():  # the same Parameter objects, new BN modules
                method.nets[name] = nn.SyncBatchNorm.convert_sync_batchnorm(net)
        self.wrapped = {
            name: DistributedDataParallel(
                net,
                device_ids=[device.index] if device.index is not None else None,
                find_unused_parameters=find_unused_parameters,
            )
            if any(p.requires_grad for p in net.parameters())
            else net
            for name, net in method.nets.items()
        }

    def close(self) -> None:
        """Drop the wrappers (and, with them, DDP's hold on the process group)."""
        self.wrapped = None

    @contextlib.contextmanager
    def active(self) -> Iterator[None]:
        """The method's ``nets`` are the DDP wrappers inside this block."""
        if self.wrapped is None:
            yield
            return
        plain, self.method.nets = self.method.nets, self.wrapped
        try:
            yield
        except RuntimeError as exc:
            if "find_unused_parameters" not in str(exc):
                raise
            raise DistributedError(
                "A net has weights that took no part in a loss that was backpropagated, so DDP "
                "cannot average their gradients. Put the method's other nets under "
                "`frozen(...)` in that step, or set train.find_unused_parameters=true (slower: "
                "DDP then searches the graph after every forward)."
            ) from exc
        finally:
            self.method.nets = plain
