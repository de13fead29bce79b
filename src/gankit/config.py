"""Typed run configuration: dataclasses, YAML load/save and dotted command-line overrides.

A run's config is resolved from three layers, lowest to highest precedence::

    method defaults (a dataclass)  <  a YAML file (--config)  <  dotted overrides (key.sub=value)

Every key is checked against the dataclass fields; a typo is reported with the closest valid key.
:func:`check_values` (in :mod:`gankit.config_checks`, with each shared section's ranges) then
checks the values of the shared sections (data, optimizers, EMA, train, eval) before any work
starts. Fields typed ``dict[str, Any]`` (network options, dataset options) are free-form here and
checked later by whatever consumes them.
"""

from __future__ import annotations

import dataclasses
import os
import types
import typing
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar, cast

import yaml

from gankit.config_checks import (
    check_data,
    check_ema,
    check_eval,
    check_optimizer,
    check_run,
    check_train,
)
from gankit.config_checks import check_run_name as check_run_name  # importable from here too
from gankit.config_checks import check_values as check_values
from gankit.config_upgrade import refuse_old_net_keys, upgrade_net_keys
from gankit.errors import ConfigError, UnknownNameError

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

C = TypeVar("C", bound="DataclassInstance")
R = TypeVar("R", bound="RunConfig")


@dataclass
class DataConfig:
    """Which data to train on and how to batch it."""

    name: str = "digits"  # a registered dataset, ``folder:PATH``, or a folder path
    root: str | None = None  # where downloadable datasets live (else $GANKIT_DATA, ~/.cache/gankit)
    split: str = "train"
    val_split: str = "val"  # the held-out split train.validate_every scores
    image_size: int | None = None  # None keeps the dataset's own size
    channels: int | None = None  # None keeps the dataset's own channels; 1 or 3 converts
    batch_size: int = 64
    num_workers: int = 0  # DataLoader workers, used for data read from disk
    download: bool = True
    options: dict[str, Any] = field(default_factory=dict)  # dataset-specific keyword arguments

    def check(self, prefix: str) -> None:
        check_data(self, prefix)


@dataclass
class OptimizerConfig:
    """One optimizer: Adam (betas, amsgrad), RMSprop (alpha, momentum) or SGD (momentum)."""

    name: str = "adam"
    lr: float = 2e-4
    betas: tuple[float, float] = (0.5, 0.999)
    momentum: float = 0.0
    alpha: float = 0.99
    eps: float = 1e-8
    weight_decay: float = 0.0
    amsgrad: bool = False  # Adam only: AMSGrad's running maximum of v (Reddi et al. 2018)
    fused: bool = False  # Adam only: torch's one-kernel update (same formula; train.fast sets it)

    def check(self, prefix: str) -> None:
        check_optimizer(self, prefix)


@dataclass
class EMAConfig:
    """An exponential moving average of the generator's weights, used for sampling."""

    enabled: bool = False
    decay: float = 0.999
    start_step: int = 0

    def check(self, prefix: str) -> None:
        check_ema(self, prefix)


@dataclass
class TrainConfig:
    """The generic loop: length, schedule, speed options and what gets written when."""

    steps: int = 1000  # generator steps; each consumes n_critic batches
    epochs: float | None = None  # when set, overrides steps
    n_critic: int = 1  # discriminator steps per generator step
    lr_decay: str = "none"  # none | linear (to zero at the last step)
    lr_decay_start: float = 0  # step where linear decay begins; below 1, a fraction of the run
    grad_clip: float | None = None  # max gradient norm per optimizer
    max_loss: float | None = 1e6  # a logged |loss| above this stops the run as diverged
    saturation_checks: int = 3  # grids in a row with every pixel at +-1 stop the run; 0 = never
    # before the first step, refuse a batch whose step cannot fit in the memory available
    # (gankit.training.memory); false skips the estimate
    check_memory: bool = True
    ema: EMAConfig = field(default_factory=EMAConfig)
    amp: str = "none"  # none | bf16 | fp16 (CUDA only)
    channels_last: bool = False
    compile: bool = False
    fast: bool = False  # the options measured faster at equal quality here (training/fast.py)
    deterministic: bool = False  # repeatable CUDA kernels (slower); CPU runs always repeat
    sync_batchnorm: bool = False  # under torchrun on GPUs: BatchNorm statistics over all processes
    find_unused_parameters: bool = False  # under torchrun: for nets with weights a loss skips
    validate_every: int = 0  # steps between validations (method.validate); 0 = never
    patience: int = 0  # validations without improvement before stopping early; 0 = never stop
    log_every: int = 10
    sample_every: int = 200
    checkpoint_every: int = 500
    keep_checkpoints: int = 3  # numbered checkpoints kept besides last.pt; 0 = none
    num_samples: int = 64  # size of the fixed-noise sample grid
    tensorboard: bool = True
    progress: bool = True

    def check(self, prefix: str) -> None:
        check_train(self, prefix)


@dataclass
class EvalConfig:
    """Set metrics computed during training (FID, KID, IS, PR, DC); off while ``every`` is 0."""

    every: int = 0  # steps between evaluations (and one at the last step); 0 = never
    metrics: list[str] = field(default_factory=lambda: ["fid"])
    n: int = 5000  # generated and reference images
    features: str = "inception"  # inception | classifier (the dataset's domain classifier)
    ref: str | None = None  # reference split; None = the training split
    weights: str | None = None  # the pytorch-fid Inception weights file, if not found by itself
    resize: str = "pytorch"  # pytorch | tf | clean: how images reach Inception's 299x299 input
    batch_size: int = 50

    def check(self, prefix: str) -> None:
        check_eval(self, prefix)


@dataclass
class RunConfig:
    """What every run has, whatever the method. Methods subclass it with their own fields."""

    method: str = ""
    name: str | None = None  # run folder name; None picks a fresh time-stamped one
    out: str = "runs"
    seed: int = 0
    device: str = "auto"  # auto | cpu | cuda | cuda:N | mps
    # modules imported for their registrations (user nets, losses, ...): `gankit --import` and a
    # recipe's list, recorded so that loading the run imports them again (gankit.plugins)
    imports: list[str] = field(default_factory=list)
    data: DataConfig = field(default_factory=DataConfig)
    train: TrainConfig = field(default_factory=TrainConfig)
    eval: EvalConfig = field(default_factory=EvalConfig)

    # Fields that pick a piece by name, each with the option fields belonging to that piece:
    # the default options are for the default piece, and are dropped when another is picked.
    option_fields: ClassVar[dict[str, tuple[str, ...]]] = {}

    def check(self, prefix: str) -> None:
        check_run(self, prefix)

    @classmethod
    def pieces(cls, data: dict[str, Any]) -> dict[str, Any]:
        """For each option field, the piece its options are for in config ``data`` (a dict):
        ``{"generator": "dcgan", ...}``."""
        return {
            name: data.get(selector)
            for selector, names in cls.option_fields.items()
            for name in names
        }

    @classmethod
    def defaults(cls, explicit: dict[str, Any]) -> dict[str, Any]:
        """The default values under what a file and overrides set (``explicit``), as a dict."""
        values = to_dict(cls())
        for selector, options in cls.option_fields.items():
            if selector in explicit and explicit[selector] != values[selector]:
                for name in options:
                    values[name] = {}
        return values

    @classmethod
    def upgrade(cls, data: dict[str, Any]) -> dict[str, Any]:
        """A whole config ``data`` that a run saved (its checkpoint, config.yaml, an export),
        rewritten from any older layout of this class to today's; as it is here."""
        return data

    @classmethod
    def refuse_outdated(cls, given: dict[str, Any]) -> None:
        """Refuse keys that a file or the overrides (``given``) write in a meaning they no
        longer have, in one line naming today's key; none here."""


class NetChoice:
    """What a config that builds G and D by name shares: ``nets`` names the family of both,
    ``generator_net`` / ``discriminator_net`` one of them alone (a registered name, or an import
    path ``module:qualname`` of a class or factory), ``generator`` / ``discriminator`` their
    options. A mixin for dataclass configs that declare those fields."""

    nets: str
    generator_net: str | None
    discriminator_net: str | None

    option_fields: ClassVar[dict[str, tuple[str, ...]]] = {
        "nets": ("generator", "discriminator"),
        "generator_net": ("generator",),
        "discriminator_net": ("discriminator",),
        "loss": ("loss_options",),
    }

    @classmethod
    def pieces(cls, data: dict[str, Any]) -> dict[str, Any]:
        """The generator and discriminator actually built (``*_net``, else ``nets``), and the
        loss."""
        return {
            "generator": data.get("generator_net") or data.get("nets"),
            "discriminator": data.get("discriminator_net") or data.get("nets"),
            "loss_options": data.get("loss"),
        }

    @property
    def generator_name(self) -> str:
        """The generator to build: ``generator_net``, or the family's (``nets``)."""
        return self.generator_net or self.nets

    @property
    def discriminator_name(self) -> str:
        """The discriminator to build: ``discriminator_net``, or the family's (``nets``)."""
        return self.discriminator_net or self.nets


class TranslationNets:
    """The net keys of the image-translation methods, as the GAN family's (:class:`NetChoice`)
    have them: ``generator_net`` / ``discriminator_net`` name the nets (a registered translator
    or patch discriminator, or an import path ``module:qualname``), ``generator`` /
    ``discriminator`` hold their options. A mixin for dataclass configs that declare those
    fields; one whose D is not chosen by name (StarGAN's) narrows ``option_fields``. Configs
    saved when ``generator`` named the net are read through :mod:`gankit.config_upgrade`."""

    option_fields: ClassVar[dict[str, tuple[str, ...]]] = {
        "generator_net": ("generator",),
        "discriminator_net": ("discriminator",),
    }

    @classmethod
    def upgrade(cls, data: dict[str, Any]) -> dict[str, Any]:
        return upgrade_net_keys(data)

    @classmethod
    def refuse_outdated(cls, given: dict[str, Any]) -> None:
        refuse_old_net_keys(given, [name.removesuffix("_net") for name in cls.option_fields])


# ----------------------------------------------------------------------------- conversion


def to_dict(config: Any) -> dict[str, Any]:
    """A plain, YAML-ready dict (tuples become lists)."""

    def plain(value: Any) -> Any:
        if dataclasses.is_dataclass(value):
            return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
        if isinstance(value, (list, tuple)):
            return [plain(v) for v in value]
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        return value

    return plain(config)


def from_dict(cls: type[C], data: dict[str, Any], prefix: str = "") -> C:
    """Build dataclass ``cls`` from ``data``, checking every key and coercing every value."""
    if not isinstance(data, dict):
        raise ConfigError(
            f"Config section {prefix or '(top level)'!r} must be a mapping, got {data!r}."
        )
    hints = typing.get_type_hints(cls)
    names = [f.name for f in dataclasses.fields(cls)]
    kwargs = {}
    for key, value in data.items():
        path = f"{prefix}{key}"
        if key not in names:
            raise UnknownNameError(
                "config key",
                path,
                all_keys(cls, prefix),
                hint="See every key with `gankit config METHOD`.",
            )
        kwargs[key] = _coerce(value, hints[key], path)
    return cls(**kwargs)


def from_saved(cls: type[R], data: dict[str, Any]) -> R:
    """Config class ``cls`` built from a config a run saved, in whatever layout it was saved."""
    return from_dict(cls, cls.upgrade(data))


def all_keys(cls: type, prefix: str = "") -> list[str]:
    """Every dotted key of a config dataclass, nested sections included."""
    keys = []
    hints = typing.get_type_hints(cls)
    for f in dataclasses.fields(cls):
        path = f"{prefix}{f.name}"
        keys.append(path)
        if dataclasses.is_dataclass(hints[f.name]):
            keys.extend(all_keys(hints[f.name], path + "."))
    return keys


def _coerce(value: Any, hint: Any, path: str) -> Any:
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        errors = []
        for arm in (a for a in args if a is not type(None)):
            try:
                return _coerce(value, arm, path)
            except ConfigError as exc:
                errors.append(str(exc))
        raise ConfigError(errors[0])
    if dataclasses.is_dataclass(hint):
        return from_dict(cast("type[DataclassInstance]", hint), value or {}, path + ".")
    if hint is Any:
        return value
    if origin is dict:
        if not isinstance(value, dict):
            raise ConfigError(f"Config key {path!r} must be a mapping, got {value!r}.")
        return dict(value)
    if origin in (tuple, list):
        if not isinstance(value, (list, tuple)):
            raise ConfigError(f"Config key {path!r} must be a list, got {value!r}.")
        if origin is tuple and args and args[-1] is not Ellipsis:
            if len(args) != len(value):
                raise ConfigError(f"Config key {path!r} needs {len(args)} values, got {value!r}.")
            item_types = args
        else:
            item_types = (args[0] if args else Any,) * len(value)
        items = [_coerce(v, t, f"{path}[{i}]") for i, (v, t) in enumerate(zip(value, item_types))]
        return tuple(items) if origin is tuple else items
    return _coerce_scalar(value, hint, path)


def _coerce_scalar(value: Any, hint: type, path: str) -> Any:
    def fail() -> ConfigError:
        return ConfigError(f"Config key {path!r} must be {hint.__name__}, got {value!r}.")

    if hint is bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false", "yes", "no", "on", "off"):
            return value.lower() in ("true", "yes", "on")
        raise fail()
    if hint is int:
        if isinstance(value, bool):
            raise fail()
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str):
            try:
                number = float(value)
            except ValueError:
                raise fail() from None
            if number.is_integer():
                return int(number)
        raise fail()
    if hint is float:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        if isinstance(value, str):
            try:
                return float(value)
            except ValueError:
                raise fail() from None
        raise fail()
    if hint is str:
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            return str(value)
        raise fail()
    raise ConfigError(f"Config key {path!r} has an unsupported type {hint!r}.")


# ----------------------------------------------------------------------------- overrides


def parse_value(text: str) -> Any:
    """A command-line value: YAML syntax (lists, null, booleans), plus floats like ``1e-4``.

    A quoted value stays a string: ``name='007'`` is the text 007, not the number 7.
    """
    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError:
        return text
    if isinstance(value, str) and not text.startswith(("'", '"')):
        try:
            return float(value)
        except ValueError:
            return value
    return value


Override = str | tuple[str, Any]


def apply_overrides(data: dict[str, Any], overrides: Sequence[Override]) -> dict[str, Any]:
    """Apply overrides to a nested dict (in place), returning it.

    An override is a ``key.sub=value`` string, its value read as YAML, or a ``(key, value)``
    pair whose value is used as it is (the command line's typed flags: ``--name 007`` is the
    name "007", never the number 7).

    A run's length is the last of ``train.steps`` and ``train.epochs`` given: steps given after
    (or without) epochs clear the epochs the data had, which would otherwise win.
    """
    length = None  # the last length key given
    for item in overrides:
        if isinstance(item, tuple):
            key, value = item
        else:
            key, sep, text = item.partition("=")
            if not sep or not key:
                raise ConfigError(
                    f"Cannot read override {item!r}: write it as key.sub=value, e.g. "
                    f"train.steps=500."
                )
            key, value = key.strip(), parse_value(text.strip())
        set_dotted(data, key, value)
        if key in ("train.steps", "train.epochs"):
            length = key
    if length == "train.steps":
        set_dotted(data, "train.epochs", None)
    return data


def set_dotted(data: dict[str, Any], key: str, value: Any) -> None:
    node = data
    parts = key.split(".")
    for part in parts[:-1]:
        child = node.get(part)
        if child is None:
            child = node[part] = {}
        elif not isinstance(child, dict):
            raise ConfigError(f"Cannot set {key!r}: {part!r} holds a value, not a section.")
        node = child
    node[parts[-1]] = value


def merge(base: dict[str, Any], update: dict[str, Any]) -> dict[str, Any]:
    """Recursively merge ``update`` into a copy of ``base``."""
    merged = dict(base)
    for key, value in update.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def differences(before: dict[str, Any], after: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    """Every dotted key whose value differs between two plain config dicts: ``(before, after)``.

    Sections (dicts) are compared key by key, lists as whole values; a key missing on one side
    counts as None there.
    """
    changes: dict[str, tuple[Any, Any]] = {}

    def walk(a: Any, b: Any, path: str) -> None:
        if isinstance(a, dict) and isinstance(b, dict):
            for key in [*a, *(k for k in b if k not in a)]:
                walk(a.get(key), b.get(key), f"{path}{key}.")
        elif a != b:
            changes[path.rstrip(".")] = (a, b)

    walk(before, after, "")
    return changes


# ----------------------------------------------------------------------------- YAML


def load_yaml(path: str | Path) -> dict[str, Any]:
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"Config file {str(path)!r} does not exist.")
    try:
        data = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(
            f"Config file {str(path)!r} is not valid YAML: {yaml_problem(exc)}"
        ) from None
    if not isinstance(data, dict):
        raise ConfigError(f"Config file {str(path)!r} must hold a mapping of keys to values.")
    return data


def yaml_problem(exc: yaml.YAMLError) -> str:
    """PyYAML's several-line report as one line: the problem and where (1-based line, column),
    then its context; a tag (``!!python/...``) also says that gankit reads none."""
    if not isinstance(exc, yaml.MarkedYAMLError):
        return " ".join(str(exc).split())

    def at(what: str | None, mark: Any) -> str:
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        return f"{what}{where}" if what else ""

    said = at(exc.problem, exc.problem_mark)
    context = at(exc.context, exc.context_mark)
    if context:
        said += f", {context}"
    if isinstance(exc, yaml.constructor.ConstructorError) and "tag" in (exc.problem or ""):
        return f"{said}; gankit reads plain YAML only, without tags."
    return f"{said}."


def dump_yaml(config: Any) -> str:
    return yaml.safe_dump(to_dict(config), sort_keys=False, default_flow_style=None)


def save_yaml(config: Any, path: str | Path) -> None:
    """Write ``config`` as YAML; a crash mid-write leaves the old file whole (temp + rename)."""
    path = Path(path)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(dump_yaml(config))
    os.replace(temporary, path)
