"""What the image-to-image methods share: one ``translate(images, target)`` and its checks.

A translation run maps images into one of its targets: pix2pix into the direction it was
trained in (``"AtoB"`` or ``"BtoA"``), CycleGAN in either direction (``"AtoB"`` with G,
``"BtoA"`` with F), StarGAN into a domain index 0..K-1, which must be named. The target is
checked here, once for all three, and the method's :meth:`TranslationMethod._translate` does
the rest. Translation runs do not sample from noise.
"""

from __future__ import annotations

from abc import abstractmethod
from typing import ClassVar

import torch
from torch import nn

from gankit.core.method import Method
from gankit.errors import ConfigError

Target = str | int


class TranslationMethod(Method):
    """Base of pix2pix, CycleGAN and StarGAN (the :class:`~gankit.core.method.Translator`
    capability). A subclass lists its :meth:`translation_targets` (the first is the default
    unless :attr:`needs_target`) and implements :meth:`_translate` and :meth:`_shapes`."""

    needs_target: ClassVar[bool] = False  # True: no default target (StarGAN's domains)

    @abstractmethod
    def translation_targets(self) -> tuple[Target, ...]:
        """The targets this run translates into."""

    @abstractmethod
    def _translate(
        self, images: torch.Tensor, target: Target, net: nn.Module | None
    ) -> torch.Tensor:
        """``images`` translated into the (checked) ``target``, on the CPU."""

    @abstractmethod
    def _shapes(self, target: Target) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """(input C, H, W), (output C, H, W) of the translation into ``target``."""

    def check_target(self, target: Target | None) -> Target:
        """``target``, or the default one; a target the run cannot reach is one clear line."""
        targets = self.translation_targets()
        if target is None:
            if self.needs_target:
                raise ConfigError(
                    f"Give the target domain: --target-domain {targets[0]}..{targets[-1]} (a "
                    f"{self.cfg.method} run translates into any of its {len(targets)} domains)."
                )
            return targets[0]
        chosen = int(target) if isinstance(targets[0], int) and str(target).isdigit() else target
        if isinstance(chosen, int) != isinstance(targets[0], int):
            raise ConfigError(
                f"A {self.cfg.method} run translates into "
                + (
                    f"domain indices ({', '.join(map(str, targets))}): give --target-domain, not "
                    f"--direction {target}."
                    if isinstance(targets[0], int)
                    else f"{', '.join(map(str, targets))} (--direction); --target-domain {target} is for "
                    "stargan runs."
                )
            )
        if chosen not in targets:
            raise ConfigError(
                f"This {self.cfg.method} run translates into {', '.join(map(str, targets))}; it "
                f"cannot translate into {target!r}.{self.unreachable_hint(target)}"
            )
        return chosen

    def unreachable_hint(self, target: Target) -> str:
        """A sentence on how to get a target this run cannot reach (empty by default)."""
        return ""

    def translate(
        self, images: torch.Tensor, target: Target | None = None, net: nn.Module | None = None
    ) -> torch.Tensor:
        """``images`` (N, C, H, W) in [-1, 1] translated into ``target`` (default: the run's
        own), with ``net`` in place of the trained generator if given."""
        return self._translate(images, self.check_target(target), net)

    def translation_shapes(
        self, target: Target | None = None
    ) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """(input C, H, W), (output C, H, W) of the translation into ``target``."""
        return self._shapes(self.check_target(target))

    def sample_latent(self, n: int, rng: torch.Generator | None = None) -> torch.Tensor:
        raise ConfigError(
            f"{self.cfg.method} translates images rather than sampling noise: use `gankit "
            "translate RUN --input IMAGES --output DIR` (or gankit.load(RUN).translate(images))."
        )
