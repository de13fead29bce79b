"""Functional gradient descent with gradient layers (Nitanda & Suzuki 2018): the generator is a
fixed base network followed by one gradient layer per training step."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, cast

import torch
from torch import nn

from gankit.config import DataConfig, NetChoice, OptimizerConfig, RunConfig, TrainConfig
from gankit.core.method import Method
from gankit.core.optim import build_optimizer
from gankit.core.spec import DataSpec
from gankit.errors import CheckpointError, ConfigError, UnknownNameError
from gankit.methods.gan import LATENTS, draw_latent
from gankit.methods.gradient_layers import OLDEST_FIRST, GradientLayers, critic_objective
from gankit.methods.registry import METHODS
from gankit.nets import build_discriminator, build_generator
from gankit.nets.split import OUTPUT, GeneratorSplit
from gankit.regularizers import build_regularizers


@dataclass
class CriticOptimConfig:
    discriminator: OptimizerConfig = field(
        default_factory=lambda: OptimizerConfig("adam", 1e-3, (0.0, 0.9))
    )


@dataclass
class GradientLayerConfig(NetChoice, RunConfig):
    """Config of ``gradient-layer``: a logistic critic, MLP nets, one layer per step."""

    method: str = "gradient-layer"
    z_dim: int = 100
    latent: str = "normal"
    eta: float = 0.05  # step size of every gradient layer
    split_layer: str = OUTPUT  # the layer of G_0's body after which the layers act, or output
    max_layers: int = 500  # the most layers (stored critics) a run may build
    loss: str = "nonsaturating"
    loss_options: dict[str, Any] = field(default_factory=dict)
    regularizers: list[Any] = field(default_factory=list)
    nets: str = "mlp"
    # G or D alone, in place of the family's (gankit.config.NetChoice)
    generator_net: str | None = None
    discriminator_net: str | None = None
    generator: dict[str, Any] = field(default_factory=dict)
    discriminator: dict[str, Any] = field(default_factory=dict)
    optim: CriticOptimConfig = field(default_factory=CriticOptimConfig)
    data: DataConfig = field(default_factory=lambda: DataConfig(batch_size=64))
    train: TrainConfig = field(default_factory=lambda: TrainConfig(steps=100, n_critic=10))


class ComposedGenerator(nn.Module):
    """z -> layers(base(z)): a fixed base generator followed by gradient layers; with a
    ``split`` of the base, z -> G_2(layers(G_1(z))), the layers inside it.

    Image outputs are clamped to [-1, 1], the data range, after the last layer.
    """

    def __init__(
        self,
        base: nn.Module,
        layers: GradientLayers,
        clamp: bool,
        split: GeneratorSplit | None = None,
    ) -> None:
        super().__init__()
        self.base = base.requires_grad_(False).eval()
        self.layers, self.clamp, self.split = layers, clamp, split

    def train(self, mode: bool = True) -> ComposedGenerator:
        super().train(mode)
        self.base.eval()  # G_0 is a fixed function: no batch statistics, no running updates
        return self

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        if self.split is None:
            x = self.layers(self.base(z))
        else:
            x = self.split.samples(self.split.head(z), self.layers)
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

    ``split_layer`` puts the layers inside G_0 = G_2 o G_1 (Sørby 2019, §3.3, Eq. 3.16):
    ``output`` (default) after the whole of it, or a layer of its body (``net.<i>`` for the
    mlp and dcgan generators; a wrong name lists the choices). Then each layer moves the
    features h = G_1(z) by h - eta grad_h l(D_k(G_2(h))), through G_2 in eval mode, and the
    sample is G_2 of the moved features. Each new layer acts on the output of the earlier
    ones (oldest first), as the composition phi_{k+1} = phi_k - eta grad L(phi_k) reads.

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
    cfg: GradientLayerConfig

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
        layers = GradientLayers(cfg.eta, cfg.loss, cfg.loss_options, cfg.split_layer)
        self.loss = layers.loss
        base = build_generator(cfg.generator_name, cfg.z_dim, spec, cfg.generator).to(self.device)
        split = None
        if cfg.split_layer != OUTPUT:
            probe = self.sample_latent(2, torch.Generator().manual_seed(0))
            split = GeneratorSplit(base, cfg.split_layer, spec.shape, probe)
        self.nets["generator"] = ComposedGenerator(base, layers, spec.kind == "image", split)
        self.nets["discriminator"] = build_discriminator(
            cfg.discriminator_name, spec, cfg.discriminator
        )
        if getattr(self.nets["discriminator"], "output_kind", "score") not in self.loss.accepts:
            raise ConfigError(
                f"Loss {cfg.loss!r} does not take the outputs of discriminator {cfg.discriminator_name!r}; "
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

    def _composed(self) -> ComposedGenerator:
        """The generator, typed as built (it has no trained weights, so DDP never wraps it)."""
        return cast(ComposedGenerator, self.nets["generator"])

    def sample_latent(self, n: int, rng: torch.Generator | None = None) -> torch.Tensor:
        return draw_latent(n, self.cfg.z_dim, self.cfg.latent, self.device, rng)

    def train_step(
        self, batch: tuple[torch.Tensor, torch.Tensor], update_generator: bool
    ) -> dict[str, torch.Tensor]:
        generator, critic = self._composed(), self.nets["discriminator"]
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

    def state_dict(self) -> dict[str, Any]:
        layers = self._composed().layers
        composition = {"split_layer": layers.split_layer, "order": layers.order}
        return {**super().state_dict(), "composition": composition}

    def load_state_dict(self, state: dict[str, Any], nets_only: bool = False) -> None:
        """Grow the composition to the checkpoint's number of layers, then load the weights.

        The checkpoint's split and order must be this method's (checkpoints from before they
        were recorded are ``output``, ``oldest-first``).
        """
        layers = self._composed().layers
        saved = state.get("composition", {"split_layer": OUTPUT, "order": OLDEST_FIRST})
        if (saved["split_layer"], saved["order"]) != (layers.split_layer, layers.order):
            raise CheckpointError(
                f"This checkpoint's gradient layers act after {saved['split_layer']!r} "
                f"({saved['order']}), but this run puts them after {layers.split_layer!r} "
                f"({layers.order}); set split_layer={saved['split_layer']} to load it."
            )
        stored = {key.split(".")[2] for key in state["nets"]["generator"]
                  if key.startswith("layers.critics.")}  # fmt: skip
        while len(layers.critics) < len(stored):
            layers.append(self.nets["discriminator"])
        layers.repeats = [1] * len(layers.critics)
        super().load_state_dict(state, nets_only)
