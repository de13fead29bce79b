"""CycleGAN: unpaired translation with two generators, two discriminators and cycle consistency.

Zhu et al. 2017, "Unpaired Image-to-Image Translation using Cycle-Consistent Adversarial
Networks": G: A -> B and F: B -> A with discriminators D_B and D_A. The full objective (Eq. 3) is
L_GAN(G, D_B) + L_GAN(F, D_A) + lambda_cyc L_cyc(G, F), with the L1 cycle loss of Eq. 2 and
lambda_cyc = 10. §4 / App. 7.1: least-squares adversarial loss, an identity loss
||G(b) - b||_1 + ||F(a) - a||_1 weighted 0.5 lambda_cyc (for photo <-> painting), a history pool
of 50 generated images for each D, D's objective halved, Adam lr 2e-4 with beta1 0.5, constant
for 100 epochs then linearly decayed to zero over the next 100, ResNet generators (9 blocks at
256 px, 6 at 128 px) and 70 x 70 PatchGANs with instance norm, batch size 1.

The least-squares terms are written as in §4, without LSGAN's 1/2s: G minimises
E[(D(G(x)) - 1)^2] and D (E[(D(y) - 1)^2] + E[D(G(x))^2]) / 2, as the authors' code computes
them. ``regularizers`` (as in the GAN family) apply to both discriminators and generators.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any, cast

import torch
from torch import nn

from gankit.config import DataConfig, OptimizerConfig, RunConfig, TrainConfig, TranslationNets
from gankit.core.method import Latent, frozen
from gankit.core.optim import build_optimizer
from gankit.core.spec import DataSpec
from gankit.errors import ConfigError
from gankit.methods.image_pool import ImagePool
from gankit.methods.image_translation import TranslationMethod
from gankit.methods.registry import METHODS
from gankit.methods.translation_losses import build_translation_loss, build_translation_regularizers
from gankit.nets.patchgan import build_patch_discriminator
from gankit.nets.translation import build_translator


@dataclass
class CycleGANOptimConfig:
    generators: OptimizerConfig = field(default_factory=OptimizerConfig)
    discriminators: OptimizerConfig = field(default_factory=OptimizerConfig)


@dataclass
class CycleGANConfig(TranslationNets, RunConfig):
    """Config of ``cyclegan``: the paper's defaults, on the embedded map and photo domains."""

    method: str = "cyclegan"
    generator_net: str = "resnet"  # resnet | unet | unet-noskip | unet++ | digits
    generator: dict[str, Any] = field(default_factory=dict)  # its options, for G and F alike
    discriminator_net: str = "patch"  # patch | global | digits
    discriminator: dict[str, Any] = field(default_factory=lambda: {"receptive_field": 70})
    norm: str = "instance"
    loss: str = "least_squares"  # least_squares (the paper) | vanilla | any registered loss
    regularizers: list[Any] = field(default_factory=list)  # names, or {name: ..., options}
    lambda_cycle: float = 10.0
    lambda_identity: float = 0.5  # a multiple of lambda_cycle; 0 switches the identity loss off
    pool_size: int = 50
    optim: CycleGANOptimConfig = field(default_factory=CycleGANOptimConfig)
    data: DataConfig = field(
        default_factory=lambda: DataConfig(name="unpaired:photos", image_size=64, batch_size=1)
    )
    train: TrainConfig = field(
        default_factory=lambda: TrainConfig(
            epochs=200, lr_decay="linear", lr_decay_start=0.5, num_samples=6, sample_every=500
        )
    )


@METHODS.register("cyclegan")
class CycleGAN(TranslationMethod):
    """CycleGAN (Zhu et al. 2017): adversarial + cycle (+ identity) losses, image pools."""

    config_class = CycleGANConfig
    cfg: CycleGANConfig
    sampling_net = "generator_ab"

    def __init__(self, cfg: CycleGANConfig, spec: DataSpec, device: torch.device | str) -> None:
        super().__init__(cfg, spec, device)
        if spec.kind != "unpaired":
            raise ConfigError(
                "cyclegan needs two unpaired domains: data.name=unpaired:PATH (trainA/, trainB/) "
                f"or unpaired:DATASET_A,DATASET_B; the data has {spec.kind} samples."
            )
        a, b = spec.input_shape, spec.shape
        assert a is not None  # unpaired data has a shape per domain
        if cfg.lambda_identity and a[0] != b[0]:
            raise ConfigError(
                f"The identity loss needs domains with the same channels ({a[0]} and {b[0]}); "
                "set lambda_identity=0 or data.channels."
            )
        size = b[-1]
        g_options = {"norm": cfg.norm} | cfg.generator
        d_options = {"norm": cfg.norm} | cfg.discriminator
        g_name, d_name = cfg.generator_net, cfg.discriminator_net
        self.nets["generator_ab"] = build_translator(g_name, a[0], b[0], size, g_options)
        self.nets["generator_ba"] = build_translator(g_name, b[0], a[0], size, g_options)
        self.nets["discriminator_a"] = build_patch_discriminator(d_name, a[0], size, d_options)
        self.nets["discriminator_b"] = build_patch_discriminator(d_name, b[0], size, d_options)
        self.loss = build_translation_loss(cfg.loss)
        self.regularizers = build_translation_regularizers(
            cfg.regularizers,
            self.loss,
            spec,
            [  # each D with the generator it judges
                {
                    "generator": self.nets["generator_ab"],
                    "discriminator": self.nets["discriminator_b"],
                },
                {
                    "generator": self.nets["generator_ba"],
                    "discriminator": self.nets["discriminator_a"],
                },
            ],
        )
        for net in self.nets.values():
            net.to(self.device)
        self.optimizers["generators"] = build_optimizer(
            itertools.chain(
                self.nets["generator_ab"].parameters(), self.nets["generator_ba"].parameters()
            ),
            cfg.optim.generators,
        )
        self.optimizers["discriminators"] = build_optimizer(
            itertools.chain(
                self.nets["discriminator_a"].parameters(), self.nets["discriminator_b"].parameters()
            ),
            cfg.optim.discriminators,
        )
        self.pools = {"a": ImagePool(cfg.pool_size), "b": ImagePool(cfg.pool_size)}
        self.domain_b: torch.Tensor | None = None

    def use_dataset(self, dataset: Any) -> None:
        self.domain_b = dataset.domain_b[0].to(self.device)

    def _sample_b(self, count: int) -> torch.Tensor:
        """Domain B images drawn uniformly with replacement, independently of domain A."""
        if self.domain_b is None:
            raise ConfigError("cyclegan trains on unpaired data; use_dataset was not called.")
        index = torch.randint(0, len(self.domain_b), (count,), device=self.domain_b.device)
        return self.domain_b[index]

    def train_step(self, batch: tuple[torch.Tensor, torch.Tensor], update_generator: bool) -> dict:
        G, F = self.nets["generator_ab"], self.nets["generator_ba"]
        D_A, D_B = self.nets["discriminator_a"], self.nets["discriminator_b"]
        real_a = batch[0]
        real_b = self._sample_b(len(real_a))
        cfg = self.cfg
        with frozen(D_A), frozen(D_B), self.autocast():
            fake_b, fake_a = G(real_a), F(real_b)
            adversarial = self.loss.generator_loss(D_B(fake_b)) + self.loss.generator_loss(
                D_A(fake_a)
            )
            cycle = (F(fake_b) - real_a).abs().mean() + (G(fake_a) - real_b).abs().mean()
            loss = adversarial + cfg.lambda_cycle * cycle
            identity = torch.zeros((), device=self.device)
            if cfg.lambda_identity:
                identity = (G(real_b) - real_b).abs().mean() + (F(real_a) - real_a).abs().mean()
                loss = loss + cfg.lambda_identity * cfg.lambda_cycle * identity
        logs = {}
        penalty: torch.Tensor | None  # G's summed penalty here, each D's penalty below
        for regularizer in self.regularizers:
            penalties = [regularizer.generator_penalty(net) for net in (G, F)]
            if any(p is not None for p in penalties):
                # a sum of at least one tensor (any() above), never the start value 0
                penalty = cast(torch.Tensor, sum(p for p in penalties if p is not None))
                loss = loss + penalty
                logs[f"g_{regularizer.name}"] = penalty.detach()
        self.update("generators", loss)
        logs |= {
            "g_loss": loss.detach(),
            "g_gan": adversarial.detach(),
            "cycle": cycle.detach(),
            "identity": identity.detach(),
        }
        objectives = []
        for domain, D, real, fake in (("a", D_A, real_a, fake_a), ("b", D_B, real_b, fake_b)):
            with self.autocast():
                real_out = D(real)
                pooled = self.pools[domain].query(fake)
                d_loss = 0.5 * self.loss.discriminator_loss(real_out, D(pooled))
            logs[f"d_{domain}"] = d_loss.detach()
            for regularizer in self.regularizers:  # halved with the loss, as in pix2pix
                penalty = regularizer.discriminator_penalty(D, real, pooled)
                if penalty is not None:
                    d_loss = d_loss + 0.5 * penalty
                    logs[f"{regularizer.name}_{domain}"] = penalty.detach()
            objectives.append(d_loss)
        self.update("discriminators", objectives[0] + objectives[1])
        for regularizer in self.regularizers:
            regularizer.after_discriminator_step(D_A)
            regularizer.after_discriminator_step(D_B)
        return logs

    # ------------------------------------------------------------------ inference and state

    def generate(self, images: Latent, net: nn.Module | None = None) -> torch.Tensor:
        net = net if net is not None else self.nets["generator_ab"]
        return super().generate(images, net)

    def translation_targets(self) -> tuple[str, ...]:
        return ("AtoB", "BtoA")

    def _shapes(self, target: str | int) -> tuple[tuple[int, ...], tuple[int, ...]]:
        a, b = self.spec.input_shape, self.spec.shape
        assert a is not None  # unpaired data has a shape per domain
        return (b, a) if target == "BtoA" else (a, b)

    def _translate(
        self, images: torch.Tensor, target: str | int, net: nn.Module | None
    ) -> torch.Tensor:
        """A -> B with G (``AtoB``, the default), B -> A with F (``BtoA``)."""
        if target == "BtoA":
            return super().generate(images, net if net is not None else self.nets["generator_ba"])
        return self.generate(images, net)

    def fixed_inputs(self, count: int, rng: torch.Generator, dataset: Any = None) -> Any:
        if dataset is None:
            raise ConfigError("cyclegan sample grids need the dataset to take images from.")
        a = dataset.tensors[0]
        b = dataset.domain_b[0]
        return a[: min(count, len(a))], b[: min(count, len(b))]

    def render(self, inputs: Any, net: nn.Module | None = None) -> tuple[torch.Tensor, int]:
        """Rows real A | G(a) | F(G(a)), then real B | F(b) | G(F(b))."""
        a, b = inputs
        G = net if net is not None else self.nets["generator_ab"]
        F = self.nets["generator_ba"]
        fake_b = super().generate(a, G)
        fake_a = super().generate(b, F)
        rows = [
            [a.cpu(), fake_b, super().generate(fake_b, F)],
            [b.cpu(), fake_a, super().generate(fake_a, G)],
        ]
        images = [torch.stack([_rgb(x) for x in row], 1).flatten(0, 1) for row in rows]
        return torch.cat(images), 3

    def state_dict(self) -> dict[str, Any]:
        return super().state_dict() | {"pools": {k: p.state_dict() for k, p in self.pools.items()}}

    def load_state_dict(self, state: dict[str, Any], nets_only: bool = False) -> None:
        super().load_state_dict(state, nets_only)
        if not nets_only:
            for key, pool in self.pools.items():
                pool.load_state_dict(state["pools"][key], self.device)


def _rgb(images: torch.Tensor) -> torch.Tensor:
    return images.expand(-1, 3, -1, -1) if images.shape[1] == 1 else images
