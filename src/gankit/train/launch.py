"""Starting, resuming and reloading runs: config -> dataset + method -> trainer -> run folder."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import torch

from gankit.config import (
    Override,
    RunConfig,
    apply_overrides,
    check_run_name,
    check_values,
    from_dict,
    load_yaml,
    merge,
    save_yaml,
)
from gankit.data import DataSpec, build_dataset
from gankit.errors import CheckpointError, ConfigError
from gankit.methods import METHODS, Method
from gankit.train import distributed
from gankit.train.checkpoint import load_checkpoint
from gankit.train.distributed import Distributed, rank_seed
from gankit.train.environment import describe_environment, pick_device, seed_everything
from gankit.train.run_folder import RunFolder
from gankit.train.trainer import Trainer
from gankit.train.validation import validation_dataset


def resolve_config(
    method: str | None,
    config_file: str | Path | None = None,
    overrides: Sequence[Override] = (),
) -> RunConfig:
    """Method defaults < the YAML file < ``key.sub=value`` overrides, checked and typed."""
    file_data = load_yaml(config_file) if config_file else {}
    named = file_data.get("method")
    if method and named and named != method:
        raise ConfigError(
            f"The command names method {method!r} but {str(config_file)!r} is for {named!r}; "
            f"drop one of them."
        )
    method = method or named
    if not method:
        raise ConfigError(
            "No method given: name one (`gankit train dcgan`) or use a config file with a "
            f"`method:` key. Methods: {', '.join(METHODS.names())}."
        )
    config_class = METHODS.get(method).config_class
    explicit = apply_overrides(dict(file_data), list(overrides))
    data = merge(config_class.defaults(explicit), explicit)
    data["method"] = method
    cfg = from_dict(config_class, data)
    check_values(cfg)
    if cfg.name is not None:
        check_run_name(cfg.name)
    return cfg


def start(cfg: RunConfig) -> RunFolder:
    """Train a new run of ``cfg``; returns its folder. Under torchrun, every process calls it.

    A start that fails before its first checkpoint (bad data, a NaN, out of memory, Ctrl-C)
    deletes the folder it made, so the same ``--name`` can be used again at once.
    """
    check_values(cfg)  # a config built in code, not by resolve_config, is checked too
    with distributed.session() as session:
        device = session.device(cfg.device)
        seed_everything(cfg.seed, cfg.train.deterministic, device)
        run, name = session.on_main(lambda: RunFolder.create(cfg.out, cfg.method, cfg.name))
        try:
            _train_new(cfg, name, run, session, device)
        except BaseException:
            if session.is_main:
                run.discard_unless_checkpointed()
            raise
    return run


def _train_new(
    cfg: RunConfig, name: str, run: RunFolder, session: Distributed, device: torch.device
) -> None:
    """Dataset, method and trainer of a new run, its config.yaml and env.json, then training."""
    dataset = session.main_first(lambda: build_dataset(cfg.data))
    method = METHODS.get(cfg.method)(cfg, dataset.spec, device)
    validation = session.main_only(lambda: validation_dataset(cfg, method))
    cfg = replace(cfg, name=name)
    method.use_dataset(dataset)
    environment = describe_environment(device) | {"data": dataset.description} | session.describe()
    if session.is_main:
        save_yaml(cfg, run.config_file)
        run.env_file.write_text(json.dumps(environment, indent=2) + "\n")
    trainer = Trainer(cfg, method, dataset, run, session, validation)
    if session.rank > 0:  # its own noise; rank 0 draws what a one-process run would
        seed_everything(rank_seed(cfg.seed, session.rank), cfg.train.deterministic, device)
    trainer.fit()


def resume(path: str | Path, overrides: Sequence[Override] = ()) -> RunFolder:
    """Continue a stopped or killed run from its last checkpoint (or the checkpoint given).

    Overrides may change the run, e.g. ``train.steps=20000`` to train longer; the run's
    config.yaml is updated to match. Under torchrun, rank 0 reads the checkpoint and hands it to
    the other processes.
    """
    with distributed.session() as session:
        run, state = session.on_main(lambda: _read(path))
        data = apply_overrides(state["config"], list(overrides))
        config_class = METHODS.get(state["method"]).config_class
        cfg = from_dict(config_class, data)
        check_values(cfg)
        device = session.device(cfg.device)
        seed_everything(cfg.seed, cfg.train.deterministic, device)
        dataset = session.main_first(lambda: build_dataset(cfg.data))
        method = METHODS.get(cfg.method)(cfg, dataset.spec, device)
        method.use_dataset(dataset)
        validation = session.main_only(lambda: validation_dataset(cfg, method))
        trainer = Trainer(cfg, method, dataset, run, session, validation)
        trainer.load_state_dict(state)
        if overrides and session.is_main:
            save_yaml(cfg, run.config_file)
        trainer.fit()
    return run


def _read(path: str | Path) -> tuple[RunFolder, dict]:
    """The run and its checkpoint, once half-written files of a killed process are cleared."""
    run, checkpoint = _locate(path)
    run.remove_stale_temporaries()
    return run, load_checkpoint(checkpoint)


def load_trained(
    path: str | Path, device: str = "cpu", use_ema: bool = True
) -> tuple[Method, RunConfig, torch.nn.Module]:
    """A run's method with its trained weights, and the net to sample from (EMA if kept)."""
    _, checkpoint = _locate(path)
    state = load_checkpoint(checkpoint)
    cfg = from_dict(METHODS.get(state["method"]).config_class, state["config"])
    spec = DataSpec.from_dict(state["spec"])
    method = METHODS.get(cfg.method)(cfg, spec, pick_device(device))
    method.load_state_dict(state["method_state"], nets_only=True)
    net = method.nets[method.sampling_net]
    if use_ema and state.get("ema") is not None:
        net.load_state_dict(state["ema"])
    return method, cfg, net


def _locate(path: str | Path) -> tuple[RunFolder, Path]:
    """A run folder or a checkpoint file -> (run folder, checkpoint to load)."""
    path = Path(path)
    if path.is_file():
        return RunFolder.open(path.parent.parent), path
    run = RunFolder.open(path)
    checkpoint = run.last_checkpoint()
    if not checkpoint.exists():
        raise CheckpointError(
            f"Run {str(path)!r} has no checkpoint yet (it is still running, or was killed before "
            f"its first one); start it afresh under another name with `gankit train --config "
            f"{run.config_file} --name NEW`."
        )
    return run, checkpoint
