"""Functional gradient descent with gradient layers (Nitanda & Suzuki 2018): the generator is a
fixed base network followed by one gradient layer per training step."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import torch
from torch import nn

from gankit.config import DataConfig, OptimizerConfig, RunConfig, TrainConfig
from gankit.data.base import DataSpec
from gankit.errors import ConfigError, UnknownNameError
from gankit.methods.base import Method
from gankit.methods.gan import LATENTS, draw_latent
from gankit.methods.registry import METHODS
from gankit.nets import build_discriminator, build_generator
from gankit.refinement import GradientLayers, critic_objective
from gankit.regularizers import build_regularizers
from gankit.train.optim import build_optimizer


@dataclass
class CriticOptimConfig:
    discriminator: OptimizerConfig = field(
        default_factory=lambda: OptimizerConfig("adam", 1e-3, (0.0, 0.9))
    )


@dataclass
class GradientLayerConfig(RunConfig):
    """Config of ``gradient-layer``: a logistic critic, MLP nets, one layer per step."""

    method: str = "gradient-layer"
    z_dim: int = 100
    latent: str = "normal"
    eta: float = 0.05  # step size of every gradient layer
    max_layers: int = 500  # the most layers (stored critics) a run may build
    loss: str = "nonsaturating"
    loss_options: dict[str, Any] = field(default_factory=dict)
    regularizers: list[Any] = field(default_factory=list)
    nets: str = "mlp"
    generator: dict[str, Any] = field(default_factory=dict)
    discriminator: dict[str, Any] = field(default_factory=dict)
    optim: CriticOptimConfig = field(default_factory=CriticOptimConfig)
    data: DataConfig = field(default_factory=lambda: DataConfig(batch_size=64))
    train: TrainConfig = field(default_factory=lambda: TrainConfig(steps=100, n_critic=10))


class ComposedGenerator(nn.Module):
    """z -> layers(base(z)): a fixed base generator followed by gradient layers.

    Image outputs are clamped to [-1, 1], the data range, after the last layer.
    """

    def __init__(self, base: nn.Module, layers: GradientLayers, clamp: bool) -> None:
        super().__init__()
        self.base = base.requires_grad_(False).eval()
        self.layers, self.clamp = layers, clamp

    def train(self, mode: bool = True) -> ComposedGenerator:
        super().train(mode)
        self.base.eval()  # G_0 is a fixed function: no batch statistics, no running updates
        return self

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        x = self.layers(self.base(z))
        return x.clamp(-1, 1) if self.clamp else x


@METHODS.register("gradient-layer")
class GradientLayerGAN(Method):
    """Functional gradient descent for the generator (Nitanda & Suzuki 2018, gradient layers).

    Algorithm 3 in Sørby's (2019) numbering: phi_0 = G_0, phi_{k+1} = phi_k - eta grad L(phi_k),
    the functional gradient taken in sample space with the current critic:
    phi_{k+1}(z) = phi_k(z) - eta grad_x l(D_k(x)) at x = phi_k(z), with l the loss's
    per-sample generator loss: x + eta sigmoid(-D_k(x)) grad D_k(x) for the default
    non-saturating loss, x + eta grad D_k(x) for ``loss=wasserstein`` (the paper's WGAN form;
    pair it with ``regularizers=[gradient_penalty]``). Each step trains the critic
    ``train.n_critic`` (T_0) times on real samples against samples of the current composition,
    then freezes a copy of it as the next layer. The base generator G_0 keeps its initial
    weights: only the critic is trained, and the generator grows by composition instead of by
    parameter updates.

    Memory and time. After T steps the generator holds G_0 and T critics: |theta_G0| +
    T |theta_D| weights (``gankit`` keeps them in every checkpoint). Drawing a batch costs T
    critic forward and backward passes, so a run of T steps does about T_0 T^2 / 2 of them.
    ``max_layers`` bounds T (and so the memory): a run longer than it is refused.

    Nitanda & Suzuki report learning Gaussian-mixture toy sets in about 100 such iterations
    (default ``train.steps=100``). The other defaults are ours: eta = 0.05, T_0 = 10, Adam 1e-3
    with betas (0, 0.9) for the critic, the non-saturating loss; with them ring8 and grid25 are
    measured in docs/experiments/bayes.md. To refine an already trained run by gradient layers
    (their Algorithm 2) use ``gankit refine``.
    """

    config_class = GradientLayerConfig

    def __init__(self, cfg: GradientLayerConfig, spec: DataSpec, device: torch.device | str):
        super().__init__(cfg, spec, device)
        if cfg.latent not in LATENTS:
            raise UnknownNameError("latent distribution", cfg.latent, LATENTS)
        if cfg.max_layers < 1:
            raise ConfigError(f"max_layers must be at least 1, got {cfg.max_layers}.")
        if cfg.train.epochs is None and cfg.train.steps > cfg.max_layers:
            raise ConfigError(self._too_many_layers(cfg.train.steps))
        if cfg.train.ema.enabled:
            raise ConfigError(
                "gradient-layer grows its generator by layers, not by weight updates, so an EMA "
                "of its weights does not apply. Set train.ema.enabled=false."
            )
        self.loss_name = cfg.loss
        layers = GradientLayers(cfg.eta, cfg.loss, cfg.loss_options)
        self.loss = layers.loss
        base = build_generator(cfg.nets, cfg.z_dim, spec, cfg.generator)
        self.nets["generator"] = ComposedGenerator(base, layers, clamp=spec.kind == "image")
        self.nets["discriminator"] = build_discriminator(cfg.nets, spec, cfg.discriminator)
        if getattr(self.nets["discriminator"], "output_kind", "score") not in self.loss.accepts:
            raise ConfigError(
                f"Loss {cfg.loss!r} does not take the outputs of discriminator {cfg.nets!r}; "
                "use a score loss (wasserstein, hinge, nonsaturating, ...) with mlp or dcgan nets."
            )
        self.regularizers = build_regularizers(cfg.regularizers)
        for regularizer in self.regularizers:
            regularizer.check(spec, self.nets)
            regularizer.prepare(self.nets)
        for net in self.nets.values():
            net.to(self.device)
        critic = self.nets["discriminator"]
        self.optimizers["discriminator"] = build_optimizer(
            critic.parameters(), cfg.optim.discriminator
        )

    def _too_many_layers(self, steps: int) -> str:
        return (
            f"gradient-layer adds one layer (a stored critic) per step, so {steps} steps need "
            f"{steps} layers, more than max_layers={self.cfg.max_layers}. Memory grows as "
            "|G_0| + steps x |D| weights and sampling time as steps critic passes: raise "
            "max_layers if that fits, or train fewer steps."
        )

    def sample_latent(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        return draw_latent(n, self.cfg.z_dim, self.cfg.latent, self.device, generator)

    def train_step(
        self, batch: tuple[torch.Tensor, torch.Tensor], update_generator: bool
    ) -> dict[str, torch.Tensor]:
        generator, critic = self.nets["generator"], self.nets["discriminator"]
        real = batch[0]
        with torch.no_grad():
            fake = generator(self.sample_latent(real.shape[0]))
        with self.autocast():
            total, logs = critic_objective(critic, self.loss, self.regularizers, real, fake)
        self.update("discriminator", total)
        for regularizer in self.regularizers:
            regularizer.after_discriminator_step(critic)
        if update_generator:
            layers = generator.layers
            if len(layers) >= self.cfg.max_layers:
                raise ConfigError(self._too_many_layers(len(layers) + 1))
            layers.append(critic)
        logs["layers"] = torch.tensor(float(len(generator.layers)))
        return logs

    def load_state_dict(self, state: dict[str, Any], nets_only: bool = False) -> None:
        """Grow the composition to the checkpoint's number of layers, then load the weights."""
        layers = self.nets["generator"].layers
        stored = {key.split(".")[2] for key in state["nets"]["generator"]
                  if key.startswith("layers.critics.")}  # fmt: skip
        while len(layers.critics) < len(stored):
            layers.append(self.nets["discriminator"])
        layers.repeats = [1] * len(layers.critics)
        super().load_state_dict(state, nets_only)
