"""The GAN objective with interchangeable losses, regularizers and nets (Goodfellow et al. 2014).

Goodfellow et al. 2014, "Generative Adversarial Nets", Algorithm 1: for each training
iteration, k steps update D on a minibatch of noise and a minibatch of data; then one step
updates G on a minibatch of noise. ``train.n_critic`` is that k (the paper used k = 1).
G's minibatch is new noise with ``fresh_noise``; by default G's step reuses the batch D's last
step generated (see :func:`gankit.methods.adversarial.adversarial_step`).

Every classic recipe (WGAN, WGAN-GP, SNGAN, LSGAN, BEGAN, DRAGAN, Banach WGAN) is this loop with
another ``loss``, other ``regularizers`` and other ``nets``: see the modules beside this one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import torch
from torch import nn

from gankit.config import DataConfig, NetChoice, OptimizerConfig, RunConfig, TrainConfig
from gankit.core.method import Method
from gankit.core.optim import build_optimizer
from gankit.core.spec import DataSpec
from gankit.errors import ConfigError, UnknownNameError
from gankit.losses import LOSSES, build_loss
from gankit.methods.adversarial import adversarial_step
from gankit.methods.registry import METHODS
from gankit.nets import build_discriminator, build_generator
from gankit.nets.packing import PackedDiscriminator, packed_spec
from gankit.regularizers import build_regularizers

LATENTS = ("normal", "uniform")


def check_unpacked_latent(cfg: Any, method: str, fresh_noise: bool = False) -> None:
    """For the GAN variants that reuse GanConfig but not its PacGAN packing, nor its
    ``fresh_noise`` unless they say they take it (the others draw the noise once, for both
    players)."""
    if cfg.latent not in LATENTS:
        raise UnknownNameError("latent distribution", cfg.latent, LATENTS)
    if cfg.pack != 1:
        raise ConfigError(f"{method} does not pack samples (PacGAN); set pack=1.")
    if cfg.fresh_noise and not fresh_noise:
        raise ConfigError(
            f"{method} reuses the discriminator step's noise for the generator step; "
            f"set fresh_noise=false."
        )


def draw_latent(
    n: int, z_dim: int, latent: str, device: Any, rng: torch.Generator | None = None
) -> torch.Tensor:
    """``n`` codes from N(0, I) or U[-1, 1]^z_dim; on the CPU when a ``generator`` is given (it
    is a CPU generator), moved to ``device`` after."""
    where = "cpu" if rng is not None else device
    if latent == "uniform":
        z = torch.rand((n, z_dim), generator=rng, device=where) * 2 - 1
    else:
        z = torch.randn((n, z_dim), generator=rng, device=where)
    return z.to(device)


@dataclass
class GanOptimConfig:
    generator: OptimizerConfig = field(default_factory=OptimizerConfig)
    discriminator: OptimizerConfig = field(default_factory=OptimizerConfig)

    @classmethod
    def both(
        cls, name: str, lr: float, betas: tuple[float, float] = (0.5, 0.999)
    ) -> GanOptimConfig:
        """The same optimizer settings for G and D (two separate optimizers)."""
        return cls(OptimizerConfig(name, lr, betas), OptimizerConfig(name, lr, betas))


@dataclass
class GanConfig(NetChoice, RunConfig):
    """Config of ``gan``: MLP nets on the embedded digits, non-saturating loss."""

    method: str = "gan"
    z_dim: int = 100
    latent: str = "normal"  # normal: N(0, I); uniform: U(-1, 1)
    fresh_noise: bool = False  # G's step on new noise (Algorithm 1); False reuses D's batch
    loss: str = "nonsaturating"  # a registered loss (gankit list)
    loss_options: dict[str, Any] = field(default_factory=dict)  # e.g. {gamma: 0.5} for began
    regularizers: list[Any] = field(default_factory=list)  # names, or {name: ..., options}
    pack: int = 1  # samples per discriminator decision (PacGAN); 1 = no packing
    nets: str = "mlp"  # family of both nets; generator/discriminator hold their options
    # G or D alone, in place of the family's: a registered name or an import path
    # (module:qualname) of a class or factory, built as G(z_dim, spec, **generator) and
    # D(spec, **discriminator)
    generator_net: str | None = None
    discriminator_net: str | None = None
    generator: dict[str, Any] = field(default_factory=dict)
    discriminator: dict[str, Any] = field(default_factory=dict)
    optim: GanOptimConfig = field(default_factory=GanOptimConfig)
    data: DataConfig = field(default_factory=lambda: DataConfig(batch_size=64))
    train: TrainConfig = field(default_factory=lambda: TrainConfig(steps=5000))


@METHODS.register("gan")
class GAN(Method):
    """Vanilla GAN (Goodfellow et al. 2014): MLP nets, minimax or non-saturating loss, k D steps.

    One training step is :func:`gankit.methods.adversarial.adversarial_step` with its defaults.
    ``fresh_noise`` (off by default) draws a new minibatch of noise for the generator step, as
    Algorithm 1 does; off, G's step reuses the batch generated for D's step: one G forward per
    step instead of two, and the same expected gradient (every result gankit records was made
    so).
    """

    config_class = GanConfig
    cfg: GanConfig

    def __init__(self, cfg: GanConfig, spec: DataSpec, device: torch.device | str) -> None:
        """Set-up in a fixed order that every GAN variant shares: :meth:`check_config`, the
        loss, :meth:`build_nets`, the loss checked against D's output, the regularizers (spectral
        norm changes D's parameters, so they come before the optimizers), the nets moved to the
        device, then :meth:`build_optimizers`. Variants override the three hooks, never this."""
        super().__init__(cfg, spec, device)
        self.check_config()
        self.loss = build_loss(cfg.loss, cfg.loss_options)
        self.nets.update(self.build_nets())
        self._check_loss_fits_discriminator()
        self.regularizers = build_regularizers(cfg.regularizers)
        for regularizer in self.regularizers:
            regularizer.check(spec, self.nets)
            regularizer.prepare(self.nets)
        for net in self.nets.values():
            net.to(self.device)
        self.optimizers.update(self.build_optimizers())

    def check_config(self) -> None:
        """Refuse settings this method cannot run, before anything is built."""
        if self.cfg.latent not in LATENTS:
            raise UnknownNameError("latent distribution", self.cfg.latent, LATENTS)
        if self.cfg.pack < 1:
            raise ConfigError(f"pack must be at least 1, got {self.cfg.pack}.")

    def build_nets(self) -> dict[str, nn.Module]:
        """The networks by role; G and D here (D packed when ``pack`` > 1, PacGAN)."""
        cfg, spec = self.cfg, self.spec
        generator = build_generator(cfg.generator_name, cfg.z_dim, spec, cfg.generator)
        if cfg.pack == 1:
            return {
                "generator": generator,
                "discriminator": build_discriminator(
                    cfg.discriminator_name, spec, cfg.discriminator
                ),
            }
        inner = build_discriminator(
            cfg.discriminator_name, packed_spec(spec, cfg.pack), cfg.discriminator
        )
        return {"generator": generator, "discriminator": PackedDiscriminator(inner, cfg.pack)}

    def build_optimizers(self) -> dict[str, torch.optim.Optimizer]:
        """One optimizer per net, from ``cfg.optim.<net name>``."""
        return {
            name: build_optimizer(net.parameters(), getattr(self.cfg.optim, name))
            for name, net in self.nets.items()
        }

    def _check_loss_fits_discriminator(self) -> None:
        produces = getattr(self.nets["discriminator"], "output_kind", "score")
        if produces not in self.loss.accepts:
            fitting = [n for n in LOSSES.names() if produces in LOSSES.get(n).accepts]
            raise ConfigError(
                f"Loss {self.cfg.loss!r} needs a discriminator that outputs "
                f"{' or '.join(self.loss.accepts)}, but discriminator {self.cfg.discriminator_name!r} outputs "
                f"a {produces}. Use nets=began for an auto-encoder discriminator, or a loss that "
                f"takes a {produces}: {', '.join(fitting)}."
            )

    def sample_latent(self, n: int, rng: torch.Generator | None = None) -> torch.Tensor:
        return draw_latent(n, self.cfg.z_dim, self.cfg.latent, self.device, rng)

    def interpolate_latents(self, start: Any, end: Any, steps: int) -> Any:
        if self.cfg.latent == "uniform":  # a straight line stays inside the cube [-1, 1]^d
            t = torch.linspace(0, 1, steps, device=start.device).view(1, steps, 1)
            return start.unsqueeze(1) * (1 - t) + end.unsqueeze(1) * t
        return super().interpolate_latents(start, end, steps)

    def train_step(
        self, batch: tuple[torch.Tensor, torch.Tensor], update_generator: bool
    ) -> dict[str, torch.Tensor]:
        G, D = self.nets["generator"], self.nets["discriminator"]
        real = batch[0]

        def generate() -> torch.Tensor:  # new noise on every call, as fresh_noise needs
            return G(self.sample_latent(real.shape[0]))

        return adversarial_step(
            self, G, D, real, generate, update_generator, fresh_noise=self.cfg.fresh_noise
        )

    def state_dict(self) -> dict[str, Any]:
        return super().state_dict() | {"loss": self.loss.state_dict()}

    def load_state_dict(self, state: dict[str, Any], nets_only: bool = False) -> None:
        super().load_state_dict(state, nets_only)
        if not nets_only:
            self.loss.load_state_dict(state.get("loss", {}))
