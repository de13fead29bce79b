"""The generic training loop. It knows nothing about which GAN it trains.

Per step it takes ``n_critic`` batches, hands each to the method's ``train_step`` (the last one
with ``update_generator=True``), then updates the EMA and the learning-rate schedules, and on
schedule logs, writes samples and writes checkpoints. Everything that decides where the next
step goes (weights, optimizer moments, schedules, grad scalers, EMA, RNG streams, data position)
is in the checkpoint, so a resumed run continues exactly as the uninterrupted one would.
"""

from __future__ import annotations

import contextlib
import math
import signal
import threading
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import torch

from gankit.config import RunConfig, to_dict
from gankit.data.base import GanDataset
from gankit.errors import ConfigError, TrainingDiverged, TrainingInterrupted
from gankit.methods.base import Method
from gankit.train.batches import BatchStream
from gankit.train.checkpoint import FORMAT, VERSION, capture_rng, restore_rng
from gankit.train.ema import EMA
from gankit.train.logger import ProgressBar, RunLogger
from gankit.train.optim import build_scheduler
from gankit.train.run_folder import RunFolder
from gankit.train.snapshots import Snapshots

if TYPE_CHECKING:  # imported when used: the metrics package is not needed to train
    from gankit.evaluation import PeriodicEvaluator


def total_steps(cfg: RunConfig, batches_per_epoch: int) -> int:
    """``train.steps``, or the steps that make ``train.epochs`` passes over the data."""
    if cfg.train.epochs is None:
        steps = cfg.train.steps
    else:
        steps = math.ceil(cfg.train.epochs * batches_per_epoch / cfg.train.n_critic)
    if steps < 1:
        raise ConfigError(f"A run needs at least one step; train.steps resolves to {steps}.")
    return steps


class Trainer:
    """Runs a method on a dataset, writing everything into a run folder."""

    def __init__(self, cfg: RunConfig, method: Method, dataset: GanDataset, run: RunFolder) -> None:
        if cfg.train.n_critic < 1:
            raise ConfigError(f"train.n_critic must be at least 1, got {cfg.train.n_critic}.")
        self.cfg, self.method, self.run = cfg, method, run
        device = method.device
        self.stream = BatchStream(
            dataset, cfg.data.batch_size, cfg.seed, device, cfg.data.num_workers
        )
        self.total_steps = total_steps(cfg, self.stream.batches_per_epoch)
        self.schedulers = {
            name: build_scheduler(opt, cfg.train, self.total_steps)
            for name, opt in method.optimizers.items()
        }
        sampler = method.nets[method.sampling_net]
        self.ema = (
            EMA(sampler, cfg.train.ema.decay, cfg.train.ema.start_step)
            if cfg.train.ema.enabled
            else None
        )
        self.snapshots = Snapshots(cfg, method, dataset)
        self.evaluator = self._build_evaluator(dataset)
        self.step, self.elapsed = 0, 0.0
        self._apply_speed_options()

    def _build_evaluator(self, dataset: GanDataset) -> PeriodicEvaluator | None:
        settings = self.cfg.eval
        if settings.every <= 0:
            return None
        if self.method.spec.kind != "image":
            raise ConfigError(
                "eval.every computes image metrics (FID, KID, ...); toy 2-D runs are scored by "
                "mode coverage at every sample step already. Set eval.every=0."
            )
        from gankit.evaluation import PeriodicEvaluator

        return PeriodicEvaluator(
            self.cfg.data,
            settings.metrics,
            settings.n,
            settings.features,
            settings.ref,
            settings.weights,
            self.method.device,
            settings.batch_size,
            dataset=dataset,
        )

    def _apply_speed_options(self) -> None:
        if self.cfg.train.channels_last:
            for net in self.method.nets.values():
                net.to(memory_format=torch.channels_last)
            self.stream.memory_format = torch.channels_last
        if self.cfg.train.compile:
            for net in self.method.nets.values():
                net.compile()

    # ------------------------------------------------------------------ state

    def state_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "version": VERSION,
            "step": self.step,
            "method": self.cfg.method,
            "config": to_dict(self.cfg),
            "spec": self.method.spec.to_dict(),
            "method_state": self.method.state_dict(),
            "schedulers": {k: v.state_dict() for k, v in self.schedulers.items()},
            "ema": self.ema.state_dict() if self.ema else None,
            "rng": capture_rng(),
            "data": self.stream.state_dict(),
            "elapsed": self.elapsed,
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.method.load_state_dict(state["method_state"])
        for name, scheduler in self.schedulers.items():
            scheduler.load_state_dict(state["schedulers"][name])
        if self.ema is not None:
            if state["ema"] is not None:
                self.ema.load_state_dict(state["ema"])
            else:  # EMA switched on at resume: start it from the current weights
                self.ema.update(self.method.nets[self.method.sampling_net], 0)
        restore_rng(state["rng"])
        self.stream.load_state_dict(state["data"])
        self.step, self.elapsed = int(state["step"]), float(state["elapsed"])

    # ------------------------------------------------------------------ the loop

    def fit(self) -> None:
        """Train from :attr:`step` to the last step; on Ctrl-C checkpoint and raise."""
        train = self.cfg.train
        logger = RunLogger(self.run, self.step, train.tensorboard)
        progress = ProgressBar(self.total_steps, self.step, train.progress, train.sample_every)
        sampler = self.method.nets[self.method.sampling_net]
        last_checkpoint_step = self.step
        try:
            if self.step == 0:
                self._snapshot(logger)
            with _catch_interrupt() as interrupted:
                started = time.perf_counter() - self.elapsed
                while self.step < self.total_steps:
                    if interrupted.is_set():
                        self._checkpoint(numbered=False)
                        raise TrainingInterrupted(
                            f"Interrupted at step {self.step}; a checkpoint was written. Resume "
                            f"with `gankit train --resume {self.run.path}`."
                        )
                    for i in range(train.n_critic):
                        logs = self.method.train_step(
                            next(self.stream), update_generator=i == train.n_critic - 1
                        )
                    self.step += 1
                    if self.ema is not None:
                        self.ema.update(sampler, self.step)
                    for scheduler in self.schedulers.values():
                        scheduler.step()
                    self.elapsed = time.perf_counter() - started
                    last = self.step == self.total_steps
                    record: dict[str, float] = {}
                    if self.step % train.log_every == 0 or last:
                        record.update(self._scalars(logs, last_checkpoint_step))
                        record["epoch"] = self.stream.epoch
                        record["time"] = round(self.elapsed, 3)
                    if self.step % train.sample_every == 0 or last:
                        record.update(self._snapshot(logger))
                    if self.evaluator and (self.step % self.cfg.eval.every == 0 or last):
                        record.update(self.evaluator(self.method, self._sampling_net()))
                    if record:
                        logger.log(self.step, record)
                    progress.update(self.step, record or None)
                    numbered = self.step % train.checkpoint_every == 0
                    if numbered or last:
                        self._scalars(logs, last_checkpoint_step)  # never checkpoint a NaN state
                        self._checkpoint(numbered)
                        last_checkpoint_step = self.step
                        logger.plot(f"{self.cfg.method} / {self.run.path.name}")
        finally:
            progress.close()
            logger.close()

    def _scalars(self, logs: dict[str, torch.Tensor], good_step: int) -> dict[str, float]:
        values = {k: float(v) for k, v in logs.items()}
        for name, optimizer in self.method.optimizers.items():
            values[f"lr_{name}"] = optimizer.param_groups[0]["lr"]
        bad = {k: v for k, v in values.items() if not math.isfinite(v)}
        if bad:
            where = (
                f"The last good checkpoint is {self.run.last_checkpoint()} (step {good_step}); "
                f"resume from it with `gankit train --resume {self.run.path}`"
                if self.run.last_checkpoint().exists()
                else "No checkpoint was written yet"
            )
            raise TrainingDiverged(
                f"Training diverged at step {self.step}: {bad}. {where}. Try a lower learning "
                f"rate, gradient clipping (train.grad_clip=1.0) or a different seed."
            )
        return values

    def _sampling_net(self) -> torch.nn.Module | None:
        """The EMA generator when one is kept; None means the method's own sampling net."""
        return self.ema.module if self.ema is not None else None

    def _snapshot(self, logger: RunLogger) -> dict[str, float]:
        net = self._sampling_net()
        pixels, metrics = self.snapshots.write(self.run.sample_path(self.step), net)
        if pixels is not None:
            logger.image("samples", pixels, self.step)
        return metrics

    def _checkpoint(self, numbered: bool) -> None:
        self.run.save_checkpoint(
            self.state_dict(), self.step, numbered, self.cfg.train.keep_checkpoints
        )


@contextlib.contextmanager
def _catch_interrupt() -> Iterator[threading.Event]:
    """Turn the first Ctrl-C into a flag the loop checks between steps; a second one aborts."""
    flag = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield flag
        return

    def handle(signum: int, frame: Any) -> None:
        if flag.is_set():
            raise KeyboardInterrupt
        flag.set()

    previous = signal.signal(signal.SIGINT, handle)
    try:
        yield flag
    finally:
        signal.signal(signal.SIGINT, previous)
