"""StarGAN: one generator translating between many domains (Choi et al. 2018).

G(x, c) translates x into domain c (the one-hot label replicated over the image as input
channels); D has an adversarial head D_src and a domain classifier D_cls. Losses (Eq. 5-6):
L_D = -L_adv + lambda_cls L_cls^r, L_G = L_adv + lambda_cls L_cls^f + lambda_rec L_rec, with
the Wasserstein adversarial loss and gradient penalty lambda_gp = 10 (Eq. 8), lambda_cls = 1,
lambda_rec = 10 and the L1 reconstruction ||x - G(G(x, c), c')||_1 (Eq. 4). §4 / App. 7.2:
Adam lr 1e-4, beta1 0.5, beta2 0.999, n_critic 5, target domains drawn by shuffling the batch's
labels. The ResNet translator (6 residual blocks) is the generator.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from gankit.config import DataConfig, RunConfig, TrainConfig, TranslationNets
from gankit.core.method import frozen
from gankit.core.optim import build_optimizer
from gankit.core.spec import DataSpec
from gankit.errors import ConfigError
from gankit.methods.gan import GanOptimConfig
from gankit.methods.image_translation import TranslationMethod
from gankit.methods.registry import METHODS
from gankit.nets.stargan import SourceHead, build_stargan_discriminator, with_label_channels
from gankit.nets.translation import build_translator
from gankit.regularizers import GradientPenalty


@dataclass
class StarGANConfig(TranslationNets, RunConfig):
    """Config of ``stargan``: the paper's losses and optimiser, on MNIST/USPS/digits domains."""

    method: str = "stargan"
    generator_net: str = "resnet"  # a translator; its input has the domain label's channels
    generator: dict[str, Any] = field(default_factory=lambda: {"blocks": 6})  # its options
    discriminator: dict[str, Any] = field(default_factory=lambda: {"width": 64})  # its options
    option_fields = {"generator_net": ("generator",)}  # D is always StarGAN's own
    norm: str = "instance"
    lambda_gp: float = 10.0
    lambda_cls: float = 1.0
    lambda_rec: float = 10.0
    optim: GanOptimConfig = field(
        default_factory=lambda: GanOptimConfig.both("adam", 1e-4, (0.5, 0.999))
    )
    data: DataConfig = field(
        default_factory=lambda: DataConfig(
            name="multidomain:mnist,usps,digits", image_size=32, batch_size=16
        )
    )
    train: TrainConfig = field(
        default_factory=lambda: TrainConfig(steps=10000, n_critic=5, num_samples=8)
    )


@METHODS.register("stargan")
class StarGAN(TranslationMethod):
    """StarGAN (Choi et al. 2018): multi-domain translation with one G and a D with two heads."""

    config_class = StarGANConfig
    cfg: StarGANConfig
    needs_target = True  # a domain index: no default

    def __init__(self, cfg: StarGANConfig, spec: DataSpec, device: torch.device | str) -> None:
        super().__init__(cfg, spec, device)
        if spec.kind != "image" or not spec.num_classes or spec.num_classes < 2:
            raise ConfigError(
                "stargan needs images labelled by domain: data.name=multidomain:A,B[,C] or a "
                "folder whose subfolders are the domains."
            )
        self.domains = spec.num_classes
        channels, size = spec.shape[0], spec.shape[-1]
        options = {"norm": cfg.norm} | cfg.generator
        self.nets["generator"] = build_translator(
            cfg.generator_net, channels + self.domains, channels, size, options
        )
        self.nets["discriminator"] = build_stargan_discriminator(
            channels, size, self.domains, cfg.discriminator
        )
        for name, net in self.nets.items():
            net.to(self.device)
            self.optimizers[name] = build_optimizer(net.parameters(), getattr(cfg.optim, name))
        self.penalty = GradientPenalty(cfg.lambda_gp)

    def translate_to(
        self, images: torch.Tensor, domains: torch.Tensor, G: nn.Module | None = None
    ) -> torch.Tensor:
        G = G if G is not None else self.nets["generator"]
        return G(with_label_channels(images, domains, self.domains))

    def train_step(self, batch: tuple[torch.Tensor, torch.Tensor], update_generator: bool) -> dict:
        D = self.nets["discriminator"]
        real, source = batch[0], batch[1]
        target = source[torch.randperm(len(source), device=source.device)]
        with self.autocast():
            fake = self.translate_to(real, target)
            real_src, real_cls = D(real)
            fake_src, _ = D(fake.detach())
            adversarial = fake_src.mean() - real_src.mean()
            classification = F.cross_entropy(real_cls.float(), source)
        gp = self.penalty.discriminator_penalty(SourceHead(D), real, fake.detach())
        d_loss = adversarial + self.cfg.lambda_cls * classification + gp
        self.update("discriminator", d_loss)
        logs = {
            "d_loss": d_loss.detach(),
            "d_cls": classification.detach(),
            "gradient_penalty": gp.detach(),
        }
        if update_generator:
            with frozen(D), self.autocast():
                fake_src, fake_cls = D(fake)
                g_adversarial = -fake_src.mean()
                g_classification = F.cross_entropy(fake_cls.float(), target)
                reconstruction = (self.translate_to(fake, source) - real).abs().mean()
                g_loss = (
                    g_adversarial
                    + self.cfg.lambda_cls * g_classification
                    + self.cfg.lambda_rec * reconstruction
                )
            self.update("generator", g_loss)
            logs |= {
                "g_loss": g_loss.detach(),
                "g_cls": g_classification.detach(),
                "rec": reconstruction.detach(),
            }
        return logs

    # ------------------------------------------------------------------ inference

    def generate(self, latent: Any, net: nn.Module | None = None) -> torch.Tensor:
        """``latent`` is (images, target domains)."""
        images, domains = latent
        G = net if net is not None else self.nets["generator"]
        was_training = G.training
        G.eval()
        try:
            with torch.no_grad(), self.autocast():
                return (
                    self.translate_to(images.to(self.device), domains.to(self.device), G)
                    .float()
                    .cpu()
                )
        finally:
            G.train(was_training)

    def translation_targets(self) -> tuple[int, ...]:
        return tuple(range(self.domains))

    def _shapes(self, target: str | int) -> tuple[tuple[int, ...], tuple[int, ...]]:
        return self.spec.shape, self.spec.shape

    def _translate(
        self, images: torch.Tensor, target: str | int, net: nn.Module | None
    ) -> torch.Tensor:
        return self.generate((images, torch.full((len(images),), int(target))), net)

    def fixed_inputs(self, count: int, rng: torch.Generator, dataset: Any = None) -> Any:
        """One image per domain (the first of each), to be shown in every domain."""
        samples, labels = dataset.tensors
        picks = [
            int((labels == d).nonzero()[0]) for d in range(self.domains) if (labels == d).any()
        ]
        return samples[picks]

    def render(self, inputs: Any, net: nn.Module | None = None) -> tuple[torch.Tensor, int]:
        """Rows: each input, then it translated into every domain."""
        rows = []
        for image in inputs:
            batch = image.expand(self.domains, *image.shape)
            rows += [image.cpu()[None], self.generate((batch, torch.arange(self.domains)), net)]
        return torch.cat(rows), self.domains + 1
