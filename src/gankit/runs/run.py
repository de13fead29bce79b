"""A trained run as a Python object: its config, its networks, and what its method can do.

:func:`gankit.load` (and :func:`gankit.train`, when training ends) returns a :class:`Run`. Every
run can be sampled or translated according to its method's capabilities (the protocols of
:mod:`gankit.core.method`), scored with :func:`gankit.evaluate`, and read back: its config, its
logged metrics, the folder it lives in.

    run = gankit.load("runs/dcgan/first")
    images = run.sample(64, seed=0)            # (64, C, H, W) in [-1, 1], on the CPU
    codes = gankit.load("runs/bigan/b").encode(images)
"""

from __future__ import annotations

import operator
from pathlib import Path
from typing import Any

import torch
from torch import nn

from gankit.config import RunConfig
from gankit.core.method import Encoder, Method, Translator
from gankit.errors import ConfigError
from gankit.training.logger import read_metrics
from gankit.training.run_folder import RunFolder

SAMPLE_BATCH = 256


class Run:
    """A run folder with its trained method loaded (the EMA weights when the run kept them)."""

    def __init__(self, path: Path, method: Method, config: RunConfig, generator: nn.Module):
        self.path, self.method, self.config, self.generator = path, method, config, generator

    def __repr__(self) -> str:
        return f"Run({str(self.path)!r}, method={self.config.method!r}, data={self.data!r})"

    @property
    def data(self) -> str:
        return self.config.data.name

    @property
    def metrics(self) -> list[dict[str, Any]]:
        """The records of ``metrics.jsonl`` (losses every ``log_every`` steps, evaluations);
        none for an export."""
        return read_metrics(RunFolder(self.path))

    def sample(self, n: int, seed: int = 0, batch_size: int = SAMPLE_BATCH) -> torch.Tensor:
        """``n`` generated samples (on the CPU; images in [-1, 1]), from latent codes drawn with
        ``seed``: the same seed gives the same samples."""
        if isinstance(self.method, Translator):
            raise ConfigError(
                f"A {self.config.method} run translates images rather than sampling from noise; "
                "use run.translate(images)."
            )
        n, seed = _whole(n, "n, how many samples,"), _whole(seed, "seed")
        if n < 1:
            raise ConfigError(f"Ask for at least one sample, got n={n}.")
        rng = torch.Generator().manual_seed(seed)
        chunks = []
        with torch.no_grad():
            for start in range(0, n, batch_size):
                latent = self.method.sample_latent(min(batch_size, n - start), rng)
                chunks.append(self.method.generate(latent, self.generator).float().cpu())
        return torch.cat(chunks)

    def translate(self, images: torch.Tensor, target: str | int | None = None) -> torch.Tensor:
        """Images (N, C, H, W) in [-1, 1] translated by the run into ``target``: its own
        direction by default, ``"BtoA"`` for CycleGAN's other generator, ``k`` for StarGAN's
        domain k (``run.method.translation_targets()`` lists them)."""
        if not isinstance(self.method, Translator):
            raise ConfigError(
                f"A {self.config.method} run does not translate images; translation runs are "
                "pix2pix, cyclegan and stargan. Use run.sample(n)."
            )
        _check_images(images, self.method.translation_shapes(target)[0], "translate")
        with torch.no_grad():
            return self.method.translate(images.to(self.method.device), target).cpu()

    def encode(self, images: torch.Tensor) -> torch.Tensor:
        """Codes of images (N, C, H, W) in [-1, 1]: BiGAN's E(x), InfoGAN's Q(c|x)."""
        if not isinstance(self.method, Encoder):
            raise ConfigError(
                f"A {self.config.method} run has no encoder; bigan (E(x)) and infogan (Q(c|x)) "
                "map images to codes."
            )
        _check_images(images, self.method.spec.shape, "encode")
        with torch.no_grad():
            return self.method.encode(images.to(self.method.device)).cpu()


def _whole(value: Any, what: str) -> int:
    """``value`` as an int, or one line saying that ``what`` must be a whole number."""
    if not isinstance(value, bool):
        try:
            return operator.index(value)
        except TypeError:
            pass
    raise ConfigError(f"{what} must be a whole number; got {value!r}.")


def _check_images(images: Any, shape: tuple[int, ...], what: str) -> None:
    """One line when ``images`` is not a batch (N, C, H, W) with the run's C channels."""
    if not isinstance(images, torch.Tensor):
        raise ConfigError(f"{what} takes a torch.Tensor of images; got {type(images).__name__}.")
    if images.dim() != 4 or images.shape[1] != shape[0]:
        raise ConfigError(
            f"{what} takes images (N, {shape[0]}, H, W) in [-1, 1]; got shape "
            f"{tuple(images.shape)}."
        )
