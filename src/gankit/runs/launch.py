"""Starting, resuming and reloading runs: config -> dataset + method -> trainer -> run folder."""

from __future__ import annotations

import contextlib
import copy
import json
import sys
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, cast

import torch

from gankit.config import (
    Override,
    RunConfig,
    apply_overrides,
    differences,
    from_dict,
    from_saved,
    load_yaml,
    merge,
    save_yaml,
    set_dotted,
    to_dict,
)
from gankit.config_checks import check_resume_changes, check_run_name, check_values, resumable, show
from gankit.data import DataSpec, build_dataset
from gankit.data.toy2d import POINT_DATASETS
from gankit.errors import DISK_ERRORS, CheckpointError, ConfigError, GankitError, RunFolderError
from gankit.methods import METHODS, Method
from gankit.metrics.periodic import evaluator_for
from gankit.nets import GENERATORS
from gankit.plugins import import_modules, imported, load_entry_points, modules_used_by
from gankit.recipes import find_recipe
from gankit.training import distributed
from gankit.training.checkpoint import load_checkpoint
from gankit.training.distributed import Distributed, rank_seed
from gankit.training.environment import describe_environment, pick_device, seed_everything
from gankit.training.fast import apply_fast
from gankit.training.run_folder import RunFolder, check_writable
from gankit.training.trainer import Trainer
from gankit.training.validation import validation_dataset


def resolve_config(
    method: str | None,
    config_file: str | Path | None = None,
    overrides: Sequence[Override] = (),
) -> RunConfig:
    """Method defaults < the YAML file < ``key.sub=value`` overrides, checked and typed.

    ``config_file`` is a path or the name of a recipe in configs/ (``cgan-mnist``).
    """
    file_data = load_yaml(find_recipe(config_file)) if config_file else {}
    asked = apply_overrides({}, list(overrides))  # the overrides alone
    load_entry_points()
    imports = asked["imports"] if "imports" in asked else file_data.get("imports")
    import_modules(list(imports or []), source="the config's imports")
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
    for layer in (file_data, asked):  # apart: an old file's generator: unet takes no generator.x
        config_class.refuse_outdated(layer)
    given = apply_overrides(copy.deepcopy(file_data), list(overrides))  # file_data is read again
    fitted = fit_file_to_overrides(config_class, file_data, list(overrides))
    if fitted is not file_data:
        given = apply_overrides(fitted, list(overrides))
    explicit = fit_defaults_to_data(config_class, given)
    data = merge(config_class.defaults(explicit), explicit)
    data["method"] = method
    data["imports"] = list(
        dict.fromkeys([*(given.get("imports") or []), *imported, *modules_used_by(data)])
    )
    cfg = from_dict(config_class, data)
    check_values(cfg)
    if cfg.name is not None:
        check_run_name(cfg.name)
    return cfg


def fit_file_to_overrides(
    config_class: type[RunConfig], file_data: dict[str, Any], overrides: list[Override]
) -> dict[str, Any]:
    """``file_data`` without the options it sets for a piece that the overrides replace, and a
    note; options the overrides set themselves still apply.

    A recipe's ``generator: {width: 64}`` is for the recipe's generator: with
    ``generator_net=my_nets:G`` (or another ``nets``, or another ``loss`` for ``loss_options``)
    on top, those options would reach a constructor that does not take them. A piece named again
    as it was keeps its options.
    """
    defaults = to_dict(config_class())
    before = config_class.pieces(merge(defaults, file_data))
    after = config_class.pieces(
        merge(defaults, apply_overrides(copy.deepcopy(file_data), overrides))
    )
    dropped = {
        name: file_data[name]
        for name in before
        if before[name] != after[name] and file_data.get(name)
    }
    if not dropped:
        return file_data
    said = ", ".join(f"{name}={value}" for name, value in dropped.items())
    print(f"note: the overrides replace the recipe's pieces, so its options {said} are left out",
          file=sys.stderr)  # fmt: skip
    return {key: value for key, value in file_data.items() if key not in dropped}


def fit_defaults_to_data(config_class: type[RunConfig], explicit: dict[str, Any]) -> dict[str, Any]:
    """``explicit`` with the method defaults that cannot fit its data set replaced, and a note.

    An image method (``wgan``, ``dcgan``, ...) on the 2-D point sets: its default image size and
    channels become null and its default convolutional nets the MLP nets, as ``gan`` has them.
    Values the file or the overrides set are never changed.
    """
    defaults = to_dict(config_class())
    given = cast(
        "dict[str, Any]", explicit.get("data") if isinstance(explicit.get("data"), dict) else {}
    )
    if given.get("name", defaults["data"]["name"]) not in POINT_DATASETS:
        return explicit
    changes: dict[str, Any] = {}
    for key in ("image_size", "channels"):
        if key not in given and defaults["data"].get(key) is not None:
            changes[f"data.{key}"] = None
    nets = defaults.get("nets")
    if "nets" not in explicit and isinstance(nets, str) and nets != "mlp" and "mlp" in GENERATORS:
        changes["nets"] = "mlp"
    if not changes:
        return explicit
    fitted = apply_overrides(dict(explicit), list(changes.items()))
    said = ", ".join(f"{k}={'null' if v is None else v}" for k, v in changes.items())
    print(f"note: {given['name']} holds 2-D points, so {said} (the method's defaults are for "
          f"images)", file=sys.stderr)  # fmt: skip
    return fitted


def start(cfg: RunConfig) -> RunFolder:
    """Train a new run of ``cfg``; returns its folder. Under torchrun, every process calls it.

    The run is locked from its creation to its end (:class:`~gankit.training.run_folder.RunLock`).
    A start that fails before its first checkpoint (bad data, a NaN, out of memory, Ctrl-C)
    deletes the folder it made, so the same ``--name`` can be used again at once.
    """
    check_values(cfg)  # a config built in code, not by resolve_config, is checked too
    with distributed.session() as session, contextlib.ExitStack() as held:
        device = session.device(cfg.device)
        seed_everything(cfg.seed, cfg.train.deterministic, device)
        run, name = session.on_main(lambda: _create_locked(cfg, held))
        try:
            with disk_faults(run.path):
                _train_new(cfg, name, run, session, device)
        except BaseException:
            if session.is_main:
                run.discard_unless_checkpointed()
            raise
    return run


def _create_locked(cfg: RunConfig, held: contextlib.ExitStack) -> tuple[RunFolder, str]:
    run, name = RunFolder.create(cfg.out, cfg.method, cfg.name)
    held.enter_context(run.lock())
    return run, name


def _train_new(
    cfg: RunConfig, name: str, run: RunFolder, session: Distributed, device: torch.device
) -> None:
    """Dataset, method and trainer of a new run, its config.yaml and env.json, then training."""
    dataset = session.main_first(lambda: build_dataset(cfg.data))
    cfg, fast = apply_fast(cfg, device, image_data=dataset.spec.kind != "points")
    if session.is_main:
        print(f"Training {cfg.method} on {dataset.description or cfg.data.name}, {device}, "
              f"into {run.path}", file=sys.stderr, flush=True)  # fmt: skip
    if fast and session.is_main:
        print(fast, file=sys.stderr, flush=True)
    method = METHODS.get(cfg.method)(cfg, dataset.spec, device)
    validation = session.main_only(lambda: validation_dataset(cfg, method))
    cfg = replace(cfg, name=name)
    method.use_dataset(dataset)
    environment = describe_environment(device) | {"data": dataset.description} | session.describe()
    if fast:
        environment["fast"] = fast
    if session.is_main:
        save_yaml(cfg, run.config_file)
        run.env_file.write_text(json.dumps(environment, indent=2) + "\n")
    trainer = Trainer(
        cfg, method, dataset, run, session, validation, _evaluator_maker(cfg, method, session)
    )
    if session.rank > 0:  # its own noise; rank 0 draws what a one-process run would
        seed_everything(rank_seed(cfg.seed, session.rank), cfg.train.deterministic, device)
    trainer.fit()


def resume(path: str | Path, overrides: Sequence[Override] = ()) -> RunFolder:
    """Continue a stopped or killed run from its last checkpoint (or the checkpoint given).

    Overrides may change only what :data:`~gankit.config_checks.RESUMABLE` allows (the length,
    intervals, learning rates, device, ...); any other change, a length below the step reached,
    or a config.yaml edited by hand is refused in one line before anything is written. A change
    takes effect (a learning rate reaches the optimizers and their schedules) and is recorded:
    config.yaml becomes the config the run trains with now, and config_history.jsonl gets a line
    with each change's old and new value. The run is locked while it trains. Under torchrun, rank
    0 reads the checkpoint and hands it to the other processes.
    """
    with distributed.session() as session, contextlib.ExitStack() as held:
        run, state, history = session.on_main(lambda: _open_locked(path, held))
        import_recorded(state, run.path)
        config_class = METHODS.get(state["method"]).config_class
        config_class.refuse_outdated(apply_overrides({}, list(overrides)))
        before = to_dict(from_saved(config_class, state["config"]))
        cfg = from_dict(config_class, apply_overrides(to_dict(before), list(overrides)))
        check_resume_changes(differences(before, to_dict(cfg)), str(run.path))
        check_values(cfg)
        if cfg.train.epochs is None:  # a length in steps is judged before the data is read
            _check_length(cfg, cfg.train.steps, int(state["step"]), run)
        device = session.device(cfg.device)
        seed_everything(cfg.seed, cfg.train.deterministic, device)
        dataset = session.main_first(lambda: build_dataset(cfg.data))
        method = METHODS.get(cfg.method)(cfg, dataset.spec, device)
        method.use_dataset(dataset)
        validation = session.main_only(lambda: validation_dataset(cfg, method))
        trainer = Trainer(
            cfg, method, dataset, run, session, validation, _evaluator_maker(cfg, method, session)
        )
        _check_length(cfg, trainer.total_steps, int(state["step"]), run)
        if session.is_main:
            print(f"Resuming {run.path} at step {int(state['step'])} of {trainer.total_steps}, "
                  f"{device}", file=sys.stderr, flush=True)  # fmt: skip
        trainer.load_state_dict(state)
        changes = differences(_last_written(config_class, state, history), to_dict(cfg))
        trainer.config_history = len(history) + bool(changes)
        with disk_faults(run.path):
            if session.is_main:
                if changes:
                    run.record_config_change(int(state["step"]), changes)
                save_yaml(cfg, run.config_file)  # also rewrites one saved in an older layout
            trainer.fit()
    return run


@contextlib.contextmanager
def disk_faults(path: Path) -> Iterator[None]:
    """A full disk, a quota or a permission while a run writes becomes one line naming the run;
    checkpoints are written atomically, so the last one is still there to resume from."""
    try:
        yield
    except OSError as exc:
        if exc.errno not in DISK_ERRORS:
            raise
        raise RunFolderError(
            f"Could not write to {path}: {exc.strerror}. Its last checkpoint is intact: free some "
            f"space or fix the permissions, then `gankit train --resume {path}`."
        ) from None


def _open_locked(path: str | Path, held: contextlib.ExitStack) -> tuple[RunFolder, dict, list]:
    """The run (locked), its checkpoint and config history, once half-written files of a killed
    process are cleared and config.yaml is found as gankit last wrote it."""
    run, checkpoint = locate_checkpoint(path)
    for folder in (run.path, run.checkpoints):
        check_writable(folder)
    held.enter_context(run.lock())
    run.remove_stale_temporaries()
    state = load_checkpoint(checkpoint)
    history = run.config_history()
    _check_unedited(run, METHODS.get(state["method"]).config_class, state, history)
    return run, state, history


def _last_written(
    config_class: type[RunConfig], state: dict, history: list[dict]
) -> dict[str, Any]:
    """The config gankit last wrote to config.yaml: the checkpoint's, with the changes of the
    resumes since it was written (a resume killed before its first checkpoint, or a checkpoint
    older than last.pt) applied, in today's layout."""
    data = to_dict(from_saved(config_class, state["config"]))
    for event in history[state.get("config_history", 0) :]:
        for key, change in event["changes"].items():
            set_dotted(data, key, change["to"])
    return to_dict(from_dict(config_class, data))


def _check_unedited(
    run: RunFolder, config_class: type[RunConfig], state: dict, history: list
) -> None:
    """Refuse a config.yaml changed by hand: a resume would ignore the edit, then overwrite it."""
    try:
        on_disk = to_dict(from_saved(config_class, load_yaml(run.config_file)))
    except GankitError as exc:
        raise ConfigError(
            f"{run.config_file} was edited and no longer reads as the run's config "
            f"({str(exc).splitlines()[0]}). Put it back as it was; a resume takes its changes "
            f"on the command line: `gankit train --resume {run.path} key=value`."
        ) from None
    edits = differences(_last_written(config_class, state, history), on_disk)
    if not edits:
        return
    key, (old, new) = next(iter(edits.items()))
    then = (
        f"resume with `gankit train --resume {run.path} {key}={show(new)}`"
        if resumable(key)
        else f"start a new run for it: `gankit train --config {run.config_file} --name NEW "
        f"{key}={show(new)}`"
    )
    raise ConfigError(
        f"{run.config_file} was edited ({key}: {show(old)} in the run, {show(new)} in the file), "
        f"and a resume does not read it. Put {key}: {show(old)} back, then {then}."
    )


def _check_length(cfg: RunConfig, total: int, step: int, run: RunFolder) -> None:
    """Refuse a length below the step the run reached: a run cannot go back."""
    if total >= step:
        return
    asked = f"train.steps={total}"
    if cfg.train.epochs is not None:
        asked = f"train.epochs={show(cfg.train.epochs)} ({total} steps)"
    raise ConfigError(
        f"{asked} is below step {step}, which run {run.path} has reached already: a run cannot "
        f"go back. Resume with a larger --steps, or sample from the run as it is."
    )


def load_trained(
    path: str | Path, device: str = "cpu", use_ema: bool = True
) -> tuple[Method, RunConfig, torch.nn.Module]:
    """A run's method with its trained weights, and the net to sample from (EMA if kept)."""
    run, checkpoint = locate_checkpoint(path)
    return build_trained(load_checkpoint(checkpoint), run.path, device, use_ema)


def build_trained(
    state: dict[str, Any], run: Path, device: str = "cpu", use_ema: bool = True
) -> tuple[Method, RunConfig, torch.nn.Module]:
    """:func:`load_trained` for a checkpoint ``state`` already read (of the run at ``run``)."""
    import_recorded(state, run)
    cfg = from_saved(METHODS.get(state["method"]).config_class, state["config"])
    spec = DataSpec.from_dict(state["spec"])
    method = METHODS.get(cfg.method)(cfg, spec, pick_device(device))
    method.load_state_dict(state["method_state"], nets_only=True)
    net = method.nets[method.sampling_net]
    if use_ema and state.get("ema") is not None:
        net.load_state_dict(state["ema"])
    return method, cfg, net


def _evaluator_maker(cfg: RunConfig, method: Method, session: Distributed) -> Any:
    """What the trainer calls with its dataset to get its periodic evaluator (or None)."""
    return lambda dataset: evaluator_for(cfg, method, dataset, session.is_main)


def import_recorded(state: dict[str, Any], run: Path) -> None:
    """Import the modules the run's parts were registered in (its config's ``imports``) and the
    installed plugins, before its method is looked up by name."""
    load_entry_points()
    import_modules(state["config"].get("imports") or [], source=f"run {run}'s config (imports)")


def locate_checkpoint(path: str | Path) -> tuple[RunFolder, Path]:
    """A run folder or a checkpoint file -> (run folder, checkpoint to load)."""
    path = Path(path)
    if path.is_file():
        if path.suffix != ".pt" or path.parent.name != "checkpoints":
            raise RunFolderError(
                f"{str(path)!r} is a file, not a run folder or one of its checkpoints "
                "(RUN/checkpoints/*.pt)."
            )
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
