"""Class-conditional GAN: labels reach G and D (Mirza & Osindero 2014; Miyato & Koyama 2018)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import torch
from torch import nn

from gankit.config import DataConfig, TrainConfig
from gankit.errors import ConfigError
from gankit.methods.conditional import conditional_step
from gankit.methods.gan import GAN, GanConfig, check_unpacked_latent
from gankit.methods.registry import METHODS
from gankit.nets.conditional import build_conditional_discriminator, build_conditional_generator


@dataclass
class CGanConfig(GanConfig):
    """Config of ``cgan``: DCGAN nets on the embedded digits at 32 px, labels concatenated on
    both sides (Mirza & Osindero 2014)."""

    method: str = "cgan"
    nets: str = "dcgan"
    conditioning: str = "concat"  # how labels reach D: concat | projection
    generator_conditioning: str = "embedding"  # how labels reach G: embedding | batchnorm
    embedding_dim: int = 10  # G's label embedding, concatenated with z (embedding only)
    data: DataConfig = field(default_factory=lambda: DataConfig(image_size=32, batch_size=128))
    train: TrainConfig = field(default_factory=lambda: TrainConfig(steps=3000))


@METHODS.register("cgan")
class CGAN(GAN):
    """Conditional GAN (Mirza & Osindero 2014): G(z, y) and D(x, y), any loss, any net family.

    Mirza & Osindero 2014, "Conditional Generative Adversarial Nets", Eq. 2: the GAN value
    function with both players given the class y. Labels reach G through an embedding
    concatenated with z (``generator_conditioning=embedding``, the default, close to the
    paper's G, which joined hidden layers of z and of a one-hot y) or through conditional
    BatchNorm (``batchnorm``, as in the generators of Miyato & Koyama 2018). They reach D by
    one-hot planes concatenated to the image (``conditioning=concat``, the default: the paper's
    joining of x and y, at the input) or by the projection discriminator of Miyato & Koyama
    2018, Eq. 3 (``projection``; their setting adds ``loss=hinge regularizers=[spectral_norm]
    discriminator.norm=none``). The defaults are the 2014 model on any nets: on MNIST with
    DCGAN nets and a short budget (800 steps) they gave 55% label accuracy where every
    projection variant stayed under 20% (docs/experiments/control.md); the projection D
    learned the labels quickly and overpowered G, and the per-class scales of conditional
    BatchNorm move slowly.

    Each generated batch uses the real batch's labels, so D sees each class equally often among
    real and generated samples. Training is Algorithm 1 with any registered loss and
    regularizers (:func:`gankit.methods.conditional.conditional_step`); the nets, optimizers
    (Adam 2e-4, beta1 0.5) and batch size 128 are DCGAN's. Samples are drawn as ``(z, y)``.
    """

    config_class = CGanConfig
    cfg: CGanConfig

    def check_config(self) -> None:
        check_unpacked_latent(self.cfg, "cgan")
        if not self.spec.num_classes:
            raise ConfigError(
                "cgan needs labelled data, and this dataset has no classes. Use a labelled one: "
                "digits, mnist, fashion-mnist or cifar10."
            )
        self.num_classes = self.spec.num_classes

    def build_nets(self) -> dict[str, nn.Module]:
        cfg, spec = self.cfg, self.spec
        generator = build_conditional_generator(
            cfg.generator_name,
            cfg.z_dim,
            spec,
            self.num_classes,
            cfg.generator_conditioning,
            cfg.generator,
            cfg.embedding_dim,
        )
        discriminator = build_conditional_discriminator(
            cfg.discriminator_name, spec, self.num_classes, cfg.conditioning, cfg.discriminator
        )
        return {"generator": generator, "discriminator": discriminator}

    def noise(self, n: int, rng: torch.Generator | None = None) -> torch.Tensor:
        """z alone, from the configured prior."""
        return GAN.sample_latent(self, n, rng)

    # GAN's latent is z alone; cgan's adds the labels
    def sample_latent(  # type: ignore[override]
        self, n: int, rng: torch.Generator | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """``(z, labels)`` with labels uniform over the classes."""
        device = "cpu" if rng is not None else self.device
        labels = torch.randint(self.num_classes, (n,), generator=rng, device=device)
        return self.noise(n, rng), labels.to(self.device)

    def labelled_latent(
        self, labels: torch.Tensor, rng: torch.Generator | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """``(z, labels)`` for the given class labels (N,)."""
        labels = torch.as_tensor(labels, dtype=torch.long)
        if len(labels) and (labels.min() < 0 or labels.max() >= self.num_classes):
            raise ConfigError(
                f"Labels must lie in 0..{self.num_classes - 1} for this run's "
                f"{self.num_classes} classes; got {sorted(set(labels.tolist()))}."
            )
        return self.noise(len(labels), rng), labels.to(self.device)

    def per_class_latent(
        self, per_class: int, rng: torch.Generator | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """``per_class`` codes for each class in turn: class 0's first, then class 1's, ..."""
        labels = torch.arange(self.num_classes).repeat_interleave(max(1, per_class))
        return self.labelled_latent(labels, rng)

    def interpolate_latents(
        self, start: tuple[torch.Tensor, ...], end: tuple[torch.Tensor, ...], steps: int
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Walks z from start to end; each row keeps its start's label."""
        path = super().interpolate_latents(start[0], end[0], steps)
        return path, start[1].unsqueeze(1).expand(-1, steps)

    def fixed_inputs(self, count: int, rng: torch.Generator, dataset: Any = None) -> Any:
        """One row per class (``count // num_classes`` samples each)."""
        return self.per_class_latent(count // self.num_classes, rng)

    def render(self, inputs: Any, net: torch.nn.Module | None = None) -> tuple[torch.Tensor, int]:
        return self.generate(inputs, net), max(1, len(inputs[1]) // self.num_classes)

    def train_step(
        self, batch: tuple[torch.Tensor, torch.Tensor], update_generator: bool
    ) -> dict[str, torch.Tensor]:
        real, labels = batch
        if bool((labels < 0).any()):
            raise ConfigError("cgan got a batch with unknown labels (-1); use labelled data.")
        z = self.noise(real.shape[0])
        G, D = self.nets["generator"], self.nets["discriminator"]
        return conditional_step(self, G, D, real, z, (labels.long(),), update_generator)
