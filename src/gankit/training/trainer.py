"""The generic training loop. It knows nothing about which GAN it trains.

Per step it takes ``n_critic`` batches, hands each to the method's ``train_step`` (the last one
with ``update_generator=True``), then updates the EMA and the learning-rate schedules, and on
schedule logs, writes samples (and, for translation methods, held-out samples; see
:mod:`gankit.training.snapshots`), validates (see :mod:`gankit.training.validation`) and writes
checkpoints. Everything that decides where the next
step goes (weights, optimizer moments, schedules, grad scalers, EMA, RNG streams, data position)
is in the checkpoint, so a resumed run continues exactly as the uninterrupted one would.

Under torchrun every process runs this loop on its own shard of the data (see
:mod:`gankit.training.distributed`); rank 0 alone writes, and every decision to stop (the end, a
NaN, Ctrl-C, ranks that disagree) is taken by all ranks at the same step.
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable
from typing import Any, cast

import torch
from torch import nn

from gankit.config import RunConfig, to_dict
from gankit.core.method import Method
from gankit.core.optim import build_scheduler, rebase
from gankit.data.base import GanDataset
from gankit.errors import ConfigError, TrainingDiverged, TrainingInterrupted
from gankit.training.batches import BatchStream
from gankit.training.checkpoint import FORMAT, VERSION, capture_rng, restore_rng, save_atomic
from gankit.training.distributed import Distributed, Replicas, rank_seed
from gankit.training.ema import EMA
from gankit.training.environment import seed_everything
from gankit.training.interrupt import catch_interrupt
from gankit.training.logger import ProgressBar, RunLogger
from gankit.training.memory import out_of_memory_is_one_line, step_does_not_fit
from gankit.training.run_folder import RunFolder
from gankit.training.snapshots import Snapshots, heldout_path, heldout_snapshots
from gankit.training.validation import EarlyStopping, check_validation, score, validation_dataset

# The periodic evaluation: the method and its sampling net in, ``{"eval/<metric>": value}`` out.
Evaluator = Callable[[Method, nn.Module | None], dict[str, float]]  # None: the sampling net


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

    def __init__(
        self,
        cfg: RunConfig,
        method: Method,
        dataset: GanDataset,
        run: RunFolder,
        session: Distributed | None = None,
        validation: GanDataset | None = None,
        make_evaluator: Callable[[GanDataset], Evaluator | None] | None = None,
    ) -> None:
        """``validation``: the held-out split for ``train.validate_every`` (rank 0 only; built
        here when not given). ``make_evaluator(dataset)`` gives the callable that scores the
        sampling net every ``eval.every`` steps (``{"eval/fid": ...}``), or None: the run layer
        passes :func:`gankit.metrics.periodic.evaluator_for`, so the trainer imports no
        metric."""
        if cfg.train.n_critic < 1:
            raise ConfigError(f"train.n_critic must be at least 1, got {cfg.train.n_critic}.")
        check_validation(cfg, method)
        self.cfg, self.method, self.run = cfg, method, run
        self.session = session = session or Distributed()
        self.early_stopping = (
            EarlyStopping(cfg.train.patience) if cfg.train.validate_every else None
        )
        if self.early_stopping and session.is_main and validation is None:
            validation = validation_dataset(cfg, method)
        self.validation = validation
        device = method.device
        self.stream = BatchStream(
            dataset,
            cfg.data.batch_size,
            cfg.seed,
            device,
            cfg.data.num_workers,
            session.rank,
            session.world_size,
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
        self.snapshots = Snapshots(cfg, method, dataset) if session.is_main else None
        self.heldout = (
            heldout_snapshots(cfg, method, dataset, self.validation) if session.is_main else None
        )
        self.evaluator = make_evaluator(dataset) if make_evaluator else None
        self.step, self.elapsed = 0, 0.0
        self.saturated_grids = 0  # sample grids in a row whose every pixel was at -1 or 1
        self.config_history = 0  # lines of the run's config_history.jsonl that cfg includes
        self._apply_speed_options()
        self.replicas = Replicas(
            method, session.enabled, cfg.train.sync_batchnorm, cfg.train.find_unused_parameters
        )

    def _apply_speed_options(self) -> None:
        if self.cfg.train.channels_last:
            for net in self.method.nets.values():
                # Module.to takes memory_format; torch's overloads leave it out
                net.to(memory_format=torch.channels_last)  # type: ignore[call-overload]
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
            "early_stopping": self.early_stopping.state_dict() if self.early_stopping else None,
            "config_history": self.config_history,
            "saturated_grids": self.saturated_grids,
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Continue from ``state``; the learning rates are this trainer's config's (a resume
        may change them), at the point of the schedule the checkpoint reached."""
        configured = {name: list(s.base_lrs) for name, s in self.schedulers.items()}
        self.method.load_state_dict(state["method_state"])
        for name, scheduler in self.schedulers.items():
            scheduler.load_state_dict(state["schedulers"][name])
            rebase(scheduler, configured[name])
        if self.ema is not None:
            if state["ema"] is not None:
                self.ema.load_state_dict(state["ema"])
            else:  # EMA switched on at resume: start it from the current weights
                self.ema.update(self.method.nets[self.method.sampling_net], 0)
        self._restore_rng(state)
        self.stream.load_state_dict(state["data"])
        self.step, self.elapsed = int(state["step"]), float(state["elapsed"])
        self.saturated_grids = int(state.get("saturated_grids", 0))  # absent before 2026-12
        if self.early_stopping and state.get("early_stopping"):  # absent: validation switched on
            self.early_stopping.load_state_dict(state["early_stopping"])

    def _restore_rng(self, state: dict[str, Any]) -> None:
        """Each rank continues its own streams; on a different number of processes the new
        ranks start fresh ones (the run then no longer repeats the uninterrupted one)."""
        ranks, rank = state.get("ranks"), self.session.rank
        if ranks is not None and ranks["world_size"] == self.session.world_size:
            restore_rng(ranks["rng"][rank])
        elif rank == 0:
            restore_rng(state["rng"])
        else:
            seed = rank_seed(self.cfg.seed, rank) + int(state["step"])
            seed_everything(seed, self.cfg.train.deterministic, self.method.device)

    # ------------------------------------------------------------------ the loop

    def fit(self) -> None:
        """Train from :attr:`step` to the last step; on Ctrl-C checkpoint and raise."""
        train, main = self.cfg.train, self.session.is_main
        logger = RunLogger(self.run, self.step, train.tensorboard) if main else None
        progress = ProgressBar(
            self.total_steps, self.step, train.progress and main, train.sample_every
        )
        sampler = self.method.nets[self.method.sampling_net]
        last_checkpoint_step = self.step
        if self.step < self.total_steps and train.check_memory:
            refusal = step_does_not_fit(self.method, self.stream)
            if self.session.any(refusal is not None):  # every rank stops together
                raise ConfigError(refusal or "Another process's batch does not fit in memory.")
        try:
            if self.step == 0 and main:
                assert logger is not None  # rank 0 has one
                self._snapshot(logger)
            if self._stopped_early() and main:  # resumed after it stopped early
                assert self.early_stopping is not None  # _stopped_early() says so
                print(self.early_stopping.message(self.step), file=sys.stderr, flush=True)
            with catch_interrupt() as interrupted:
                started = time.perf_counter() - self.elapsed
                while self.step < self.total_steps and not self._stopped_early():
                    if self.session.any(interrupted.is_set()):
                        self._checkpoint(numbered=False)
                        raise TrainingInterrupted(
                            f"Interrupted at step {self.step}; a checkpoint was written. Resume "
                            f"with `gankit train --resume {self.run.path}`."
                        )
                    with self.replicas.active(), out_of_memory_is_one_line(self.stream):
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
                    validated: dict[str, float] = {}
                    if self.early_stopping and (self.step % train.validate_every == 0 or last):
                        validated = self._validate()
                        if self._stopped_early():
                            last, validated["stopped_early"] = True, 1
                    if self.step % train.log_every == 0 or last:
                        record.update(self._scalars(logs, last_checkpoint_step))
                        record["epoch"] = self.stream.epoch
                        record["time"] = round(self.elapsed, 3)
                    record.update(validated)
                    sampled, saturated = self.step % train.sample_every == 0 or last, False
                    if main:  # rank 0 alone samples, evaluates and writes
                        assert logger is not None  # rank 0 has one
                        if sampled:
                            record.update(self._snapshot(logger))
                            saturated = self._saturated()
                        if self.evaluator and (self.step % self.cfg.eval.every == 0 or last):
                            record.update(self.evaluator(self.method, self._sampling_net()))
                        if record:
                            logger.log(self.step, record)
                    if sampled and self.session.any(saturated):  # every rank stops together
                        self._diverged(
                            f"every pixel of the last {train.saturation_checks} sample grids is "
                            f"at -1 or 1 (train.saturation_checks={train.saturation_checks})",
                            last_checkpoint_step,
                        )
                    progress.update(self.step, record or None)
                    numbered = self.step % train.checkpoint_every == 0
                    if numbered or last:
                        self._scalars(logs, last_checkpoint_step)  # never checkpoint a NaN state
                        self._checkpoint(numbered)
                        last_checkpoint_step = self.step
                        if main:
                            assert logger is not None  # rank 0 has one
                            logger.plot(f"{self.cfg.method} / {self.run.path.name}")
        finally:
            self.replicas.close()
            progress.close()
            if logger is not None:
                logger.close()

    def _scalars(self, logs: dict[str, torch.Tensor], good_step: int) -> dict[str, float]:
        """The logged numbers (averaged over the processes); raises if any is NaN or infinite,
        or if a loss is larger in magnitude than ``train.max_loss``."""
        values = {k: float(v) for k, v in self.session.mean(logs).items()}
        for name, optimizer in self.method.optimizers.items():
            values[f"lr_{name}"] = optimizer.param_groups[0]["lr"]
        bad = {k: v for k, v in values.items() if not math.isfinite(v)}
        limit = self.cfg.train.max_loss
        if limit is not None:  # exploding losses that have not reached inf yet
            bad |= {k: v for k, v in values.items() if "loss" in k and abs(v) > limit}
        if bad:
            bound = (
                f" (|loss| above train.max_loss={limit:g})"
                if all(math.isfinite(v) for v in bad.values())
                else ""
            )
            self._diverged(f"{bad}{bound}", good_step)
        return values

    def _diverged(self, what: str, good_step: int) -> None:
        where = (
            f"The last good checkpoint is {self.run.last_checkpoint()} (step {good_step}); "
            f"resume from it with `gankit train --resume {self.run.path}`"
            if self.run.last_checkpoint().exists()
            else "No checkpoint was written yet"
        )
        raise TrainingDiverged(
            f"Training diverged at step {self.step}: {what}. {where}. Try a lower learning "
            f"rate, gradient clipping (train.grad_clip=1.0) or a different seed."
        )

    def _saturated(self) -> bool:
        """Whether the last ``train.saturation_checks`` grids in a row had every generated
        pixel at -1 or 1 (a generator collapsed onto tanh's ends)."""
        limit = self.cfg.train.saturation_checks
        assert self.snapshots is not None  # rank 0, which alone samples, has them
        if not self.snapshots.watch_saturation or limit == 0:
            return False
        self.saturated_grids = self.saturated_grids + 1 if self.snapshots.saturated else 0
        return self.saturated_grids >= limit

    def _stopped_early(self) -> bool:
        return self.early_stopping is not None and self.early_stopping.should_stop

    def _validate(self) -> dict[str, float]:
        """Rank 0 scores the held-out split, every rank counts it; best.pt when it is the best."""
        assert self.early_stopping is not None  # fit() validates only when it is set
        # rank 0 alone runs the lambda, and has the validation split
        values, key = self.session.on_main(
            lambda: score(self.method, cast(GanDataset, self.validation))
        )
        if self.early_stopping.update(key, values[key], self.step):
            self._checkpoint(numbered=False, best=True)
        if self.early_stopping.should_stop and self.session.is_main:
            print(self.early_stopping.message(self.step), file=sys.stderr, flush=True)
        return values

    def _sampling_net(self) -> torch.nn.Module | None:
        """The EMA generator when one is kept; None means the method's own sampling net."""
        return self.ema.module if self.ema is not None else None

    def _snapshot(self, logger: RunLogger) -> dict[str, float]:
        net = self._sampling_net()
        assert self.snapshots is not None  # rank 0, which alone samples, has them
        pixels, metrics = self.snapshots.write(self.run.sample_path(self.step), net)
        if pixels is not None:
            logger.image("samples", pixels, self.step)
        if self.heldout is not None:
            pixels, _ = self.heldout.write(heldout_path(self.run, self.step), net)
            if pixels is not None:
                logger.image("samples/heldout", pixels, self.step)
        return metrics

    def _checkpoint(self, numbered: bool, best: bool = False) -> None:
        """Every rank takes part (with several processes); rank 0 writes. ``best``: best.pt
        alone (the best validation score so far)."""
        state = self.state_dict()
        if self.session.enabled:  # every rank's RNG state; raises if the ranks' weights differ
            state["ranks"] = self.session.ranks_in_sync(self.method.nets, self.step, self.run.path)
        if not self.session.is_main:
            return
        if best:
            save_atomic(state, self.run.best_checkpoint())
        else:
            self.run.save_checkpoint(state, self.step, numbered, self.cfg.train.keep_checkpoints)
