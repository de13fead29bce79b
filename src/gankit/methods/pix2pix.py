"""pix2pix: image-to-image translation with a conditional GAN and an L1 loss (Isola et al. 2017).

G maps an input image x to an output G(x); D judges (x, y) pairs. The objective (Eq. 4) is
G* = arg min_G max_D L_cGAN(G, D) + lambda L_L1(G), with lambda = 100 (§4.2). Following §3.3
and §6.1: Adam with learning rate 2e-4 and beta1 = 0.5, D's objective divided by 2, dropout in
G's decoder as the only noise, kept on at test time with batch statistics, 256 x 256 images,
batch size 1 to 10, a 70 x 70 PatchGAN and the U-Net generator.

Several valid targets per input (one photo, k sketches): the L1 term takes, per sample, the
target the output is closest to, and D sees every real pair, averaged.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import torch
from torch import nn

from gankit.config import DataConfig, RunConfig, TrainConfig
from gankit.data.base import DataSpec
from gankit.errors import ConfigError
from gankit.losses import build_loss
from gankit.methods.base import Method, frozen
from gankit.methods.gan import GanOptimConfig
from gankit.methods.registry import METHODS
from gankit.nets.patchgan import build_patch_discriminator
from gankit.nets.translation import build_translator
from gankit.train.optim import build_optimizer

LOSS_NAMES = {"vanilla": "nonsaturating", "lsgan": "least_squares"}
DIRECTIONS = ("AtoB", "BtoA")


@dataclass
class Pix2PixConfig(RunConfig):
    """Config of ``pix2pix``: the paper's defaults, on the embedded photo pairs at 64 px."""

    method: str = "pix2pix"
    direction: str = "AtoB"  # AtoB: input A -> target B; BtoA the other way
    generator: str = "unet"  # unet | unet-noskip | unet++ | resnet
    generator_options: dict[str, Any] = field(default_factory=dict)
    discriminator: str = "patch"  # patch (receptive_field 1, 16, 70, 286) | global
    discriminator_options: dict[str, Any] = field(default_factory=lambda: {"receptive_field": 70})
    option_fields = {
        "generator": ("generator_options",),
        "discriminator": ("discriminator_options",),
    }
    norm: str = "batch"  # batch | instance, for G and D
    loss: str = "vanilla"  # vanilla (the log loss) | least_squares (LSGAN) | any registered loss
    lambda_l1: float = 100.0
    label_smoothing: float = 0.0  # one-sided: the real target becomes 1 - label_smoothing
    random_erasing: float = 0.0  # probability of erasing one rectangle of input and target
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
    saved = [(m.momentum, m.num_batches_tracked.clone()) for m in norms if m.track_running_stats]
    net.train()
    for m in norms:
        m.momentum = 0.0  # running = (1 - 0) * running + 0 * batch: unchanged
    try:
        yield
    finally:
        for m, (momentum, tracked) in zip((m for m in norms if m.track_running_stats), saved):
            m.momentum = momentum
            m.num_batches_tracked.copy_(tracked)
        net.train(was_training)


def closest_target_l1(outputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Per sample, the mean absolute error to the closest of its k targets: outputs (N, C, H, W),
    targets (N, k, C, H, W) -> (N,). With k = 1 it is the usual L1 loss of Eq. 3."""
    return (outputs.unsqueeze(1) - targets).abs().flatten(2).mean(2).min(dim=1).values


def random_erase(
    images: list[torch.Tensor], probability: float, scale=(0.02, 0.4), ratio=(0.3, 3.3)
) -> list[torch.Tensor]:
    """Random erasing (Zhong et al. 2017, Alg. 1): with ``probability``, one rectangle of each
    sample (area ``scale`` of the image, aspect ``ratio``) is filled with uniform noise; the
    same rectangle and noise in every tensor of ``images`` (input and targets)."""
    out = [x.clone() for x in images]
    n, _, height, width = images[0].shape[0], *images[0].shape[-3:]
    for i in range(n):
        if torch.rand(()) >= probability:
            continue
        for _ in range(10):  # the paper retries until the rectangle fits
            area = height * width * float(torch.empty(()).uniform_(*scale))
            aspect = float(torch.empty(()).uniform_(*ratio))
            h, w = round((area * aspect) ** 0.5), round((area / aspect) ** 0.5)
            if 0 < h < height and 0 < w < width:
                top = int(torch.randint(0, height - h + 1, ()))
                left = int(torch.randint(0, width - w + 1, ()))
                noise = torch.rand(3, h, w, device=images[0].device) * 2 - 1
                for x in out:
                    patch = x[i, ..., top : top + h, left : left + w]
                    patch.copy_(noise[: patch.shape[-3]].expand_as(patch))
                break
    return out


@METHODS.register("pix2pix")
class Pix2Pix(Method):
    """pix2pix (Isola et al. 2017): conditional GAN + lambda L1; U-Net G, PatchGAN D."""

    config_class = Pix2PixConfig

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
        if cfg.direction == "BtoA":
            source, target = target, source
        self.source_channels, self.target_channels = source[0], target[0]
        size = target[-1]
        options = {"norm": cfg.norm} | cfg.generator_options
        self.nets["generator"] = build_translator(
            cfg.generator, source[0], target[0], size, options
        )
        d_channels = source[0] + target[0] if cfg.conditional else target[0]
        d_options = {"norm": cfg.norm} | cfg.discriminator_options
        self.nets["discriminator"] = build_patch_discriminator(
            cfg.discriminator, d_channels, size, d_options
        )
        loss = LOSS_NAMES.get(cfg.loss, cfg.loss)
        smoothing = {}
        if cfg.label_smoothing:
            key = "b" if loss == "least_squares" else "real_label"
            smoothing[key] = 1.0 - cfg.label_smoothing
        self.loss = build_loss(loss, smoothing)
        for name, net in self.nets.items():
            net.to(self.device)
            self.optimizers[name] = build_optimizer(net.parameters(), getattr(cfg.optim, name))

    def _pair(self, batch: tuple[torch.Tensor, torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor]:
        """(inputs (N, C, H, W), targets (N, k, C, H, W)) in the configured direction."""
        inputs, targets = batch[0], batch[1]
        if targets.dim() == 4:
            targets = targets.unsqueeze(1)
        if self.cfg.direction == "BtoA":
            return targets[:, 0], inputs.unsqueeze(1)
        return inputs, targets

    def _judge(self, inputs: torch.Tensor, outputs: torch.Tensor) -> torch.Tensor:
        D = self.nets["discriminator"]
        return D(torch.cat([inputs, outputs], 1) if self.cfg.conditional else outputs)

    def train_step(
        self, batch: tuple[torch.Tensor, torch.Tensor], update_generator: bool
    ) -> dict[str, torch.Tensor]:
        G, D = self.nets["generator"], self.nets["discriminator"]
        inputs, targets = self._pair(batch)
        n, k = targets.shape[:2]
        if self.cfg.random_erasing:
            inputs, flat = random_erase([inputs, targets.flatten(1, 2)], self.cfg.random_erasing)
            targets = flat.view_as(targets)
        with self.autocast():
            outputs = G(inputs)
            repeated = inputs.repeat_interleave(k, dim=0)  # every real pair, averaged in the loss
            real_out = self._judge(repeated, targets.flatten(0, 1))
            fake_out = self._judge(inputs, outputs.detach())
            d_loss = 0.5 * self.loss.discriminator_loss(real_out, fake_out)
        self.update("discriminator", d_loss)
        logs = {"d_loss": d_loss.detach()}
        if update_generator:
            with frozen(D), self.autocast():
                g_gan = self.loss.generator_loss(self._judge(inputs, outputs))
                l1 = closest_target_l1(outputs, targets).mean()
                g_loss = g_gan + self.cfg.lambda_l1 * l1
            self.update("generator", g_loss)
            logs |= {"g_loss": g_loss.detach(), "g_gan": g_gan.detach(), "l1": l1.detach()}
        return logs

    # ------------------------------------------------------------------ inference

    def sample_latent(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        raise ConfigError(
            "pix2pix translates images rather than sampling noise: use `gankit translate RUN "
            "--input IMAGES --output DIR`."
        )

    def generate(
        self, inputs: torch.Tensor, net: nn.Module | None = None, seed: int | None = None
    ) -> torch.Tensor:
        """Translate ``inputs`` with dropout on and batch statistics (the paper's test mode).

        Runs on a forked RNG, so translating never moves the training RNG streams; ``seed``
        fixes the dropout noise (the same seed gives the same output).
        """
        net = net if net is not None else self.nets["generator"]
        devices = [self.device] if self.device.type == "cuda" else []
        with torch.random.fork_rng(devices), paper_inference_mode(net), torch.no_grad():
            if seed is not None:
                torch.manual_seed(seed)
            with self.autocast():
                return net(inputs.to(self.device)).float().cpu()

    def translation_shapes(
        self, direction: str | None = None
    ) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """(input C, H, W), (output C, H, W) of the trained translation."""
        self._check_direction(direction)
        size = self.spec.shape[-2:]
        return (self.source_channels, *size), (self.target_channels, *size)

    def translate(
        self,
        images: torch.Tensor,
        direction: str | None = None,
        net: nn.Module | None = None,
        target: int | None = None,
    ) -> torch.Tensor:
        """Translate images of the model's size; ``direction`` must be the one trained."""
        self._check_direction(direction)
        if target is not None:
            raise ConfigError("--target-domain is for stargan runs; pix2pix has one target domain.")
        return self.generate(images, net)

    def _check_direction(self, direction: str | None) -> None:
        if direction not in (None, self.cfg.direction):
            raise ConfigError(
                f"This pix2pix model was trained {self.cfg.direction}; it cannot translate "
                f"{direction}. Train another with direction={direction}."
            )

    def fixed_inputs(self, count: int, generator: torch.Generator, dataset: Any = None) -> Any:
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
