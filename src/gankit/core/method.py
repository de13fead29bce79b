"""The contract between a GAN method and the generic trainer.

A method builds its networks and optimizers and defines :meth:`Method.train_step`; the trainer
(``gankit.training``) does everything else: data, schedules, EMA, checkpoints, logging, sampling.
This is Mimicry's split (Lee & Town 2020): "method = train_step, trainer = everything else".
"""

from __future__ import annotations

import contextlib
from abc import ABC, abstractmethod
from collections.abc import Iterator
from typing import Any, ClassVar, Protocol, runtime_checkable

import torch
from torch import nn

from gankit.config import RunConfig
from gankit.core.spec import DataSpec
from gankit.errors import ConfigError

AMP_DTYPES = {"none": None, "bf16": torch.bfloat16, "fp16": torch.float16}
Latent = torch.Tensor | tuple[torch.Tensor, ...]


@runtime_checkable
class Translator(Protocol):
    """The capability of a method that maps images to images (pix2pix, cyclegan, stargan): the
    run layer checks it with ``isinstance`` (the trainer's held-out grids)."""

    def translate(
        self, images: torch.Tensor, target: str | int | None = None, net: nn.Module | None = None
    ) -> torch.Tensor: ...

    def translation_targets(self) -> tuple[str | int, ...]: ...

    def translation_shapes(
        self, target: str | int | None = None
    ) -> tuple[tuple[int, ...], tuple[int, ...]]: ...


@runtime_checkable
class Encoder(Protocol):
    """The capability of a method that maps images back to codes (BiGAN's E(x), InfoGAN's
    Q(c|x)), checked with ``isinstance`` by the run layer."""

    def encode(self, images: torch.Tensor) -> torch.Tensor: ...


@runtime_checkable
class ConditionalSampler(Protocol):
    """Samples of chosen classes (cGAN): ``gankit sample --label/--per-class``."""

    num_classes: int

    def labelled_latent(self, labels: torch.Tensor, rng: torch.Generator | None = None) -> Any: ...

    def per_class_latent(self, per_class: int, rng: torch.Generator | None = None) -> Any: ...


@runtime_checkable
class Traversable(Protocol):
    """Named latent codes to walk along (InfoGAN): ``gankit sample --traverse``."""

    def code_names(self) -> list[str]: ...

    def traversal(
        self, code: str, low: float, high: float, steps: int, rng: torch.Generator
    ) -> tuple[Any, int]: ...


@runtime_checkable
class Classifier(Protocol):
    """Class probabilities of images (the semi-supervised GANs): ``gankit accuracy``. A method
    may have the capability and a run not use it: ``semi_supervised`` says whether it does."""

    semi_supervised: bool

    def class_probabilities(self, images: torch.Tensor) -> torch.Tensor: ...


@runtime_checkable
class Validating(Protocol):
    """Scores on held-out data (pix2pix's L1): ``train.validate_every`` and early stopping."""

    def validate(self, dataset: Any) -> dict[str, float]: ...


@contextlib.contextmanager
def frozen(net: nn.Module) -> Iterator[None]:
    """Stop gradients reaching ``net``'s weights (they still flow through it to its input).

    Used for D during the generator step: skipping D's weight gradients saves work, and keeps
    distributed training from syncing gradients of a network that is not being updated.
    """
    flags = [p.requires_grad for p in net.parameters()]
    for p in net.parameters():
        p.requires_grad_(False)
    try:
        yield
    finally:
        for p, flag in zip(net.parameters(), flags):
            p.requires_grad_(flag)


class Method(ABC):
    """A GAN method: its networks (``self.nets``), optimizers, and one training step.

    A method **must** build ``self.nets`` and ``self.optimizers`` in ``__init__`` and define
    :meth:`train_step` (one update of every player, returning the losses to log) and
    :meth:`sample_latent` (the inputs :meth:`generate` feeds the sampling net).

    It **may** override :meth:`interpolate_latents`, :meth:`generate`, :meth:`use_dataset`
    (data it needs beyond the batch stream), :meth:`fixed_inputs` and :meth:`render` (its
    sample grids), and ``state_dict``/``load_state_dict`` (state beyond nets and optimizers).

    Optional capabilities, which the run layer checks with ``isinstance`` against the protocols
    of this module: :class:`Translator` (``translate``), :class:`Encoder` (``encode``),
    :class:`ConditionalSampler` (``labelled_latent``, ``per_class_latent``),
    :class:`Traversable` (``traversal``), :class:`Classifier` (``class_probabilities``) and
    :class:`Validating` (``validate(dataset) -> dict[str, float]``, for
    ``train.validate_every`` and early stopping: lower is better; the key named by a
    ``validation_metric`` class attribute, else the first key, decides; see
    :mod:`gankit.training.validation`).
    """

    config_class: ClassVar[type[RunConfig]] = RunConfig
    sampling_net: ClassVar[str] = "generator"  # the net :meth:`generate` runs
    # Why the method cannot train under torchrun ("" = it can): DDP's wrappers average only what
    # goes through a net's forward, so a step that reaches inside its nets must say so here.
    single_process_reason: ClassVar[str] = ""

    def __init__(self, cfg: RunConfig, spec: DataSpec, device: torch.device | str) -> None:
        self.cfg, self.spec, self.device = cfg, spec, torch.device(device)
        self.nets: dict[str, nn.Module] = {}
        self.optimizers: dict[str, torch.optim.Optimizer] = {}
        if cfg.train.amp not in AMP_DTYPES:
            raise ConfigError(
                f"train.amp must be one of {list(AMP_DTYPES)}, got {cfg.train.amp!r}."
            )
        self.amp_dtype = AMP_DTYPES[cfg.train.amp]
        if self.amp_dtype is torch.float16 and self.device.type != "cuda":
            raise ConfigError("train.amp=fp16 needs a CUDA device; use train.amp=bf16 or none.")
        self.scalers: dict[str, torch.amp.GradScaler] = {}

    # ------------------------------------------------------------------ what a method defines

    @abstractmethod
    def train_step(
        self, batch: tuple[torch.Tensor, torch.Tensor], update_generator: bool
    ) -> dict[str, torch.Tensor]:
        """One discriminator update, plus a generator update when ``update_generator``.

        The trainer calls this ``n_critic`` times per step with fresh batches, the last time with
        ``update_generator=True``. Returns detached scalar tensors to log.
        """

    @abstractmethod
    def sample_latent(self, n: int, rng: torch.Generator | None = None) -> Latent:
        """``n`` latent codes on :attr:`device`; drawn from ``generator`` (a CPU RNG) if given."""

    def interpolate_latents(self, start: Any, end: Any, steps: int) -> Any:
        """``steps`` codes from ``start`` to ``end`` (each (N, ...)), shape (N, steps, ...).

        Spherical interpolation (White 2016, "Sampling Generative Networks"): for Gaussian codes
        it stays on the shell where the prior's mass lies, unlike a straight line. ``start`` and
        ``end`` are what :meth:`sample_latent` returns: tensors here; a method whose latents are
        tuples overrides this (hence ``Any``).
        """
        flat_start, flat_end = start.flatten(1), end.flatten(1)
        cosine = torch.nn.functional.cosine_similarity(flat_start, flat_end).clamp(-1, 1)
        omega = torch.acos(cosine).unsqueeze(1)
        t = torch.linspace(0, 1, steps, device=start.device).view(1, steps, 1)
        sin_omega = torch.sin(omega).unsqueeze(1)
        omega = omega.unsqueeze(1)
        straight = flat_start.unsqueeze(1) * (1 - t) + flat_end.unsqueeze(1) * t
        spherical = (
            torch.sin((1 - t) * omega) * flat_start.unsqueeze(1)
            + torch.sin(t * omega) * flat_end.unsqueeze(1)
        ) / sin_omega.clamp_min(1e-8)
        codes = torch.where(sin_omega.abs() < 1e-6, straight, spherical)
        return codes.view(start.shape[0], steps, *start.shape[1:])

    # ------------------------------------------------------------------ shared machinery

    def generate(self, latent: Latent, net: nn.Module | None = None) -> torch.Tensor:
        """Samples from ``latent`` in eval mode, without gradients, as float32 on the CPU.

        ``latent`` is what :meth:`sample_latent` returns: a tensor, or a tuple of tensors that
        are passed as separate arguments (e.g. noise and class labels).
        """
        net = net if net is not None else self.nets[self.sampling_net]
        inputs = latent if isinstance(latent, tuple) else (latent,)
        was_training = net.training
        net.eval()
        try:
            with torch.no_grad(), self.autocast():
                return net(*(x.to(self.device) for x in inputs)).float().cpu()
        finally:
            net.train(was_training)

    def use_dataset(self, dataset: Any) -> None:  # noqa: B027  (most methods need nothing)
        """Called once before training with the training dataset (its tensors, not its files).

        For methods that need more than the batches, e.g. a labelled subset for semi-supervised
        training. Sampling from a trained run never calls it.
        """

    def fixed_inputs(self, count: int, rng: torch.Generator, dataset: Any = None) -> Any:
        """What every sample grid of a run is drawn from: by default ``count`` fixed latents.

        Methods that translate images return a fixed batch of inputs from ``dataset`` instead.
        Must use ``generator`` (never the global RNG), so training is not disturbed.
        """
        return self.sample_latent(count, rng)

    def render(self, inputs: Any, net: nn.Module | None = None) -> tuple[torch.Tensor, int | None]:
        """The samples (N, C, H, W), or points (N, D), for :meth:`fixed_inputs`, and the images
        per grid row (None for a square grid)."""
        return self.generate(inputs, net), None

    def autocast(self) -> contextlib.AbstractContextManager:
        if self.amp_dtype is None:
            return contextlib.nullcontext()
        return torch.autocast(self.device.type, dtype=self.amp_dtype)

    def update(self, name: str, loss: torch.Tensor) -> None:
        """Backpropagate ``loss`` and step optimizer ``name``, with AMP scaling and clipping."""
        optimizer = self.optimizers[name]
        optimizer.zero_grad(set_to_none=True)
        scaler = self._scaler(name)
        if scaler is None:
            loss.backward()
        else:
            scaler.scale(loss).backward()
        if self.cfg.train.grad_clip:
            if scaler is not None:
                scaler.unscale_(optimizer)
            params = [p for group in optimizer.param_groups for p in group["params"]]
            nn.utils.clip_grad_norm_(params, self.cfg.train.grad_clip)
        if scaler is None:
            optimizer.step()
        else:
            scaler.step(optimizer)
            scaler.update()

    def _scaler(self, name: str) -> torch.amp.GradScaler | None:
        if self.amp_dtype is not torch.float16:
            return None
        if name not in self.scalers:
            self.scalers[name] = torch.amp.GradScaler(self.device.type)
        return self.scalers[name]

    # ------------------------------------------------------------------ state

    def state_dict(self) -> dict[str, Any]:
        return {
            "nets": {k: v.state_dict() for k, v in self.nets.items()},
            "optimizers": {k: v.state_dict() for k, v in self.optimizers.items()},
            "scalers": {k: v.state_dict() for k, v in self.scalers.items()},
        }

    def load_state_dict(self, state: dict[str, Any], nets_only: bool = False) -> None:
        for name, net in self.nets.items():
            net.load_state_dict(state["nets"][name])
        if nets_only:
            return
        for name, optimizer in self.optimizers.items():
            optimizer.load_state_dict(state["optimizers"][name])
        for name, scaler_state in state.get("scalers", {}).items():
            scaler = self._scaler(name)
            if scaler is not None:
                scaler.load_state_dict(scaler_state)
