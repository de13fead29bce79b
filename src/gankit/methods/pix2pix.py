"""pix2pix: image-to-image translation with a conditional GAN and an L1 loss (Isola et al. 2017).

G maps an input image x to an output G(x); D judges (x, y) pairs. The objective (Eq. 4) is
G* = arg min_G max_D L_cGAN(G, D) + lambda L_L1(G), with lambda = 100 (§4.2). Following §3.3
and §6.1: Adam with learning rate 2e-4 and beta1 = 0.5, D's objective divided by 2, dropout in
G's decoder as the only noise, kept on at test time with batch statistics, 256 x 256 images,
batch size 1 to 10, a 70 x 70 PatchGAN and the U-Net generator.

Several valid targets per input (one photo, k sketches): the L1 term takes, per sample, the
target the output is closest to, and D sees every real pair, averaged (Gao's photo -> sketch
study, §6.1). Options from that study: one-sided label smoothing, random erasing of the input,
Gaussian noise on G's input, a Wasserstein loss with a Lipschitz regularizer, and the L1-only
ablation (``adversarial=false``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, cast

import torch
from torch import nn

from gankit.config import DataConfig, RunConfig, TrainConfig, TranslationNets
from gankit.core.method import Latent, frozen
from gankit.core.optim import build_optimizer
from gankit.core.spec import DataSpec
from gankit.errors import ConfigError
from gankit.methods.augment import add_input_noise, random_erase
from gankit.methods.gan import GanOptimConfig
from gankit.methods.image_translation import TranslationMethod
from gankit.methods.registry import METHODS
from gankit.methods.translation_losses import build_translation_loss, build_translation_regularizers
from gankit.nets.patchgan import build_patch_discriminator
from gankit.nets.translation import build_translator
from gankit.regularizers.pixel import closest_target_distance

DIRECTIONS = ("AtoB", "BtoA")


@dataclass
class Pix2PixConfig(TranslationNets, RunConfig):
    """Config of ``pix2pix``: the paper's defaults, on the embedded photo pairs at 64 px."""

    method: str = "pix2pix"
    direction: str = "AtoB"  # AtoB: input A -> target B; BtoA the other way
    generator_net: str = "unet"  # unet | unet-noskip | unet++ | resnet
    generator: dict[str, Any] = field(default_factory=dict)  # its options
    discriminator_net: str = "patch"  # patch (receptive_field 1, 16, 70, 286) | global
    discriminator: dict[str, Any] = field(default_factory=lambda: {"receptive_field": 70})
    norm: str = "batch"  # batch | instance, for G and D
    loss: str = "vanilla"  # vanilla (the log loss) | least_squares (LSGAN) | any registered loss
    regularizers: list[Any] = field(default_factory=list)  # names, or {name: ..., options}
    lambda_l1: float = 100.0
    adversarial: bool = True  # False: the L1-only ablation (G minimises lambda_l1 L1; D idle)
    label_smoothing: float = 0.0  # one-sided: the real target becomes 1 - label_smoothing
    random_erasing: float = 0.0  # probability of erasing one rectangle of the input (not targets)
    input_noise: float = 0.0  # std of Gaussian noise added to G's input while training
    conditional: bool = True  # D sees (input, output); False: only the output
    optim: GanOptimConfig = field(default_factory=lambda: GanOptimConfig.both("adam", 2e-4))
    data: DataConfig = field(default_factory=lambda: DataConfig(name="photos", batch_size=4))
    train: TrainConfig = field(
        default_factory=lambda: TrainConfig(steps=2000, num_samples=8, sample_every=250)
    )


@contextlib.contextmanager
def paper_inference_mode(net: nn.Module) -> Iterator[None]:
    """pix2pix's inference mode (§3.3): dropout stays on and batch norm uses the batch's
    statistics, without updating the running averages."""
    was_training = net.training
    norms = [m for m in net.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    # num_batches_tracked is a tensor wherever track_running_stats is set
    saved = [
        (m.momentum, cast(torch.Tensor, m.num_batches_tracked).clone())
        for m in norms
        if m.track_running_stats
    ]
    net.train()
    for m in norms:
        m.momentum = 0.0  # running = (1 - 0) * running + 0 * batch: unchanged
    try:
        yield
    finally:
        for m, (momentum, tracked) in zip((m for m in norms if m.track_running_stats), saved):
            m.momentum = momentum
            cast(torch.Tensor, m.num_batches_tracked).copy_(tracked)
        net.train(was_training)


def closest_target_l1(outputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Per sample, the mean absolute error to the closest of its k targets: outputs (N, C, H, W),
    targets (N, k, C, H, W) -> (N,). With k = 1 it is the usual L1 loss of Eq. 3."""
    return closest_target_distance(outputs, targets, power=1)


@METHODS.register("pix2pix")
class Pix2Pix(TranslationMethod):
    """pix2pix (Isola et al. 2017): conditional GAN + lambda L1; U-Net G, PatchGAN D.

    Off by default, each option of Gao's photo -> sketch study: ``label_smoothing`` (0.1 gives
    the study's real label 0.9), ``random_erasing`` (the probability of erasing a rectangle of
    the input photo; targets stay intact), ``input_noise`` (std of Gaussian noise on G's input),
    ``regularizers`` as in the GAN family (``loss=wasserstein`` needs a Lipschitz one; for the
    conditional D the penalties see (input, target) and (input, output) pairs, and a paired
    regularizer's ``pixel_penalty`` joins G's loss), and ``adversarial=false``: the L1-only
    ablation of Isola et al.'s Table 1 (their code's ``use_GAN=0``): D is built but never
    trained or consulted, and G minimises lambda_l1 * L1 alone.
    """

    config_class = Pix2PixConfig
    cfg: Pix2PixConfig

    def __init__(self, cfg: Pix2PixConfig, spec: DataSpec, device: torch.device | str) -> None:
        super().__init__(cfg, spec, device)
        if spec.kind != "paired":
            raise ConfigError(
                f"pix2pix needs paired images (data.name=photos, paired:PATH or paired-dirs:PATH), "
                f"but the data has {spec.kind} samples."
            )
        if cfg.direction not in DIRECTIONS:
            raise ConfigError(f"direction must be AtoB or BtoA, got {cfg.direction!r}.")
        if cfg.direction == "BtoA" and spec.targets > 1:
            raise ConfigError("direction=BtoA needs one target per input; this data has several.")
        source, target = spec.input_shape, spec.shape
        assert source is not None  # paired data has an input shape
        if cfg.direction == "BtoA":
            source, target = target, source
        self.source_channels, self.target_channels = source[0], target[0]
        size = target[-1]
        options = {"norm": cfg.norm} | cfg.generator
        self.nets["generator"] = build_translator(
            cfg.generator_net, source[0], target[0], size, options
        )
        d_channels = source[0] + target[0] if cfg.conditional else target[0]
        d_options = {"norm": cfg.norm} | cfg.discriminator
        self.nets["discriminator"] = build_patch_discriminator(
            cfg.discriminator_net, d_channels, size, d_options
        )
        self.loss = build_translation_loss(cfg.loss, cfg.label_smoothing)
        self.regularizers = build_translation_regularizers(
            cfg.regularizers, self.loss, spec, [self.nets]
        )
        idle = [r.name for r in self.regularizers if r.constrains_lipschitz]
        if idle and not cfg.adversarial:
            raise ConfigError(
                f"{idle[0]} constrains D, which adversarial=false never trains; remove it or set "
                "adversarial=true."
            )
        for name, net in self.nets.items():
            net.to(self.device)
            if cfg.adversarial or name == "generator":  # Isola et al.'s code: no D step then
                self.optimizers[name] = build_optimizer(net.parameters(), getattr(cfg.optim, name))

    def _pair(self, batch: tuple[torch.Tensor, torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor]:
        """(inputs (N, C, H, W), targets (N, k, C, H, W)) in the configured direction."""
        inputs, targets = batch[0], batch[1]
        if targets.dim() == 4:
            targets = targets.unsqueeze(1)
        if self.cfg.direction == "BtoA":
            return targets[:, 0], inputs.unsqueeze(1)
        return inputs, targets

    def _joined(self, inputs: torch.Tensor, outputs: torch.Tensor) -> torch.Tensor:
        """What D judges: the (input, output) pair stacked on channels, or the output alone."""
        return torch.cat([inputs, outputs], 1) if self.cfg.conditional else outputs

    def _judge(self, inputs: torch.Tensor, outputs: torch.Tensor) -> torch.Tensor:
        return self.nets["discriminator"](self._joined(inputs, outputs))

    def train_step(
        self, batch: tuple[torch.Tensor, torch.Tensor], update_generator: bool
    ) -> dict[str, torch.Tensor]:
        """One D update on every real pair against (input, G(input)), then G on the adversarial
        term + lambda L1 (+ any penalties). Random erasing changes the input both nets see;
        ``input_noise`` only G's copy of it."""
        G = self.nets["generator"]
        cfg = self.cfg
        if not (cfg.adversarial or update_generator):
            return {}
        inputs, targets = self._pair(batch)
        if cfg.random_erasing:
            inputs = random_erase(inputs, cfg.random_erasing)
        noisy = add_input_noise(inputs, cfg.input_noise) if cfg.input_noise else inputs
        with self.autocast():
            outputs = G(noisy)
        logs = (
            self._discriminator_step(inputs, outputs.detach(), targets) if cfg.adversarial else {}
        )
        if update_generator:
            logs |= self._generator_step(inputs, outputs, targets)
        return logs

    def _discriminator_step(
        self, inputs: torch.Tensor, outputs: torch.Tensor, targets: torch.Tensor
    ) -> dict[str, torch.Tensor]:
        """pix2pix halves D's whole objective (§3.3), penalties included, so each penalty keeps
        its written weight against the loss."""
        D, k = self.nets["discriminator"], targets.shape[1]
        with self.autocast():
            repeated = inputs.repeat_interleave(k, dim=0)  # every real pair, averaged in the loss
            real = self._joined(repeated, targets.flatten(0, 1))
            d_loss = 0.5 * self.loss.discriminator_loss(D(real), self._judge(inputs, outputs))
        logs, objective = {"d_loss": d_loss.detach()}, d_loss
        if self.regularizers:
            fake = self._joined(repeated, outputs.repeat_interleave(k, dim=0))  # one per real
            for regularizer in self.regularizers:
                penalty = regularizer.discriminator_penalty(D, real, fake)
                if penalty is not None:
                    objective = objective + 0.5 * penalty
                    logs[regularizer.name] = penalty.detach()
        self.update("discriminator", objective)
        for regularizer in self.regularizers:
            regularizer.after_discriminator_step(D)
        return logs

    def _generator_step(
        self, inputs: torch.Tensor, outputs: torch.Tensor, targets: torch.Tensor
    ) -> dict[str, torch.Tensor]:
        logs = {}
        with frozen(self.nets["discriminator"]), self.autocast():
            l1 = closest_target_l1(outputs, targets).mean()
            g_loss = self.cfg.lambda_l1 * l1
            if self.cfg.adversarial:
                g_gan = self.loss.generator_loss(self._judge(inputs, outputs))
                g_loss = g_gan + g_loss
                logs["g_gan"] = g_gan.detach()
        for regularizer in self.regularizers:
            for prefix, penalty in (
                ("g_", regularizer.generator_penalty(self.nets["generator"])),
                ("", regularizer.pixel_penalty(outputs, targets)),
            ):
                if penalty is not None:
                    g_loss = g_loss + penalty
                    logs[prefix + regularizer.name] = penalty.detach()
        self.update("generator", g_loss)
        return logs | {"g_loss": g_loss.detach(), "l1": l1.detach()}

    # ------------------------------------------------------------------ inference

    def generate(
        self, inputs: Latent, net: nn.Module | None = None, seed: int | None = None
    ) -> torch.Tensor:
        """Translate ``inputs`` with dropout on and batch statistics (the paper's test mode).

        Runs on a forked RNG, so translating never moves the training RNG streams; ``seed``
        fixes the dropout noise (the same seed gives the same output).
        """
        assert isinstance(inputs, torch.Tensor)  # an image batch: pix2pix never samples latents
        net = net if net is not None else self.nets["generator"]
        devices = [self.device] if self.device.type == "cuda" else []
        with torch.random.fork_rng(devices), paper_inference_mode(net), torch.no_grad():
            if seed is not None:
                torch.manual_seed(seed)
            with self.autocast():
                return net(inputs.to(self.device)).float().cpu()

    def translation_targets(self) -> tuple[str, ...]:
        return (self.cfg.direction,)

    def unreachable_hint(self, target: str | int) -> str:
        return f" Train another with direction={target}."

    def _shapes(self, target: str | int) -> tuple[tuple[int, ...], tuple[int, ...]]:
        size = self.spec.shape[-2:]
        return (self.source_channels, *size), (self.target_channels, *size)

    def _translate(
        self, images: torch.Tensor, target: str | int, net: nn.Module | None
    ) -> torch.Tensor:
        return self.generate(images, net)

    def fixed_inputs(self, count: int, rng: torch.Generator, dataset: Any = None) -> Any:
        """The first ``count`` pairs of the dataset (the grids show input | output | target)."""
        if dataset is None:
            raise ConfigError("pix2pix sample grids need the dataset to take inputs from.")
        inputs, targets = dataset.tensors
        count = min(count, len(inputs))
        return self._pair((inputs[:count], targets[:count]))

    def render(self, inputs: Any, net: nn.Module | None = None) -> tuple[torch.Tensor, int]:
        sources, targets = inputs
        outputs = self.generate(sources, net)
        rows = [_as_rgb(sources.cpu()), _as_rgb(outputs), _as_rgb(targets[:, 0].cpu())]
        return torch.stack(rows, dim=1).flatten(0, 1), 3

    def validate(self, dataset: Any) -> dict[str, float]:
        """The score of ``train.validate_every`` and of early stopping (``train.patience``):
        ``{"l1": validation_l1}``, lower is better."""
        return {"l1": self.validation_l1(dataset)}

    def validation_l1(self, dataset: Any, batch_size: int = 16) -> float:
        """Mean L1 (closest target) of the translated validation inputs: the early-stopping score."""
        inputs, targets = dataset.tensors
        total = 0.0
        for start in range(0, len(inputs), batch_size):
            sources, wanted = self._pair(
                (inputs[start : start + batch_size], targets[start : start + batch_size])
            )
            total += float(closest_target_l1(self.generate(sources), wanted.cpu()).sum())
        return total / len(inputs)


def _as_rgb(images: torch.Tensor) -> torch.Tensor:
    return images.expand(-1, 3, -1, -1) if images.shape[1] == 1 else images
