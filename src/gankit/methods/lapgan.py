"""LAPGAN: a Laplacian pyramid of conditional GANs, sampled coarse to fine (Denton et al. 2015)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, cast

import torch
import torch.nn.functional as F
from torch import nn

from gankit.config import DataConfig, TrainConfig
from gankit.core.optim import build_optimizer
from gankit.core.spec import DataSpec
from gankit.errors import CheckpointError
from gankit.methods.conditional import conditional_step
from gankit.methods.gan import GAN, GanConfig, check_unpacked_latent
from gankit.methods.registry import METHODS
from gankit.nets import build_discriminator, build_generator
from gankit.nets.lapgan import LaplacianGenerator, LevelDiscriminator, LevelGenerator
from gankit.nets.pyramid import check_kind, check_levels, gaussian_pyramid, upsample
from gankit.nets.shapes import square_image
from gankit.registry import check_options

MAX_GRID_COLUMNS = 16


@dataclass
class LapGanConfig(GanConfig):
    """Config of ``lapgan``: a 3-level pyramid on the embedded digits at 28 px (7, 14, 28)."""

    method: str = "lapgan"
    nets: str = "mlp"  # the coarsest level's GAN: any net family (the paper's was an MLP)
    levels: int = 3  # pyramid levels; the coarsest is image_size / 2**(levels - 1) pixels
    pyramid: str = "gaussian"  # d and u: gaussian (5-tap blur, Burt & Adelson) | average
    z_dim: int = 100  # noise of the coarsest level (finer levels get one noise plane each)
    generator: dict[str, Any] = field(default_factory=lambda: {"hidden": [1200, 1200]})
    discriminator: dict[str, Any] = field(default_factory=lambda: {"hidden": [600, 600]})
    level_generator: dict[str, Any] = field(default_factory=dict)  # width, depth of G_k, k < K
    level_discriminator: dict[str, Any] = field(default_factory=dict)  # width of D_k, k < K
    data: DataConfig = field(default_factory=lambda: DataConfig(image_size=28, batch_size=128))
    train: TrainConfig = field(default_factory=lambda: TrainConfig(steps=3000))


@METHODS.register("lapgan")
class LAPGAN(GAN):
    """LAPGAN (Denton et al. 2015): a base GAN at the coarsest level, band-pass GANs above it.

    Denton et al. 2015, "Deep Generative Image Models using a Laplacian Pyramid of Adversarial
    Networks", §3 and Eq. 3-4: the image's Laplacian pyramid (``nets.pyramid``) is modelled level
    by level. At the coarsest level K an ordinary GAN learns I_K; at every finer level k a
    conditional GAN learns the band-pass image h_k = I_k - u(I_{k+1}) given l_k = u(I_{k+1})
    (``nets.lapgan``). Each level is trained independently on the real pyramid (§3.2), with
    its own optimizers; sampling runs coarse to fine, I~_k = u(I~_{k+1}) + G_k(z_k, u(I~_{k+1})).
    d blurs and decimates, u smoothes and expands (§3): by default Burt & Adelson's 5-tap
    Gaussian-like kernel, ``pyramid=average`` for 2x2 average pooling and bilinear upsampling
    (``nets.pyramid``).

    Levels are numbered as in the paper: k = 0 is the finest, K = ``levels`` - 1 the coarsest,
    and logs and optimizers carry the level (``d_loss_0``, ``generator_2``). Defaults: three
    levels (7, 14 and 28 px for MNIST); the coarsest GAN fully connected (``nets=mlp``, G with
    two 1200-unit layers, D with two 600-unit layers, sizes gankit's), the finer ones small
    convnets; the non-saturating loss; Adam 2e-4 with beta1 0.5 for every net; batch 128.
    """

    config_class = LapGanConfig
    single_process_reason = (
        "its step trains each pyramid level through the level's own nets (G.levels[k], D[k]), "
        "which DDP's wrappers neither expose nor average"
    )
    cfg: LapGanConfig

    def check_config(self) -> None:
        cfg = self.cfg
        check_unpacked_latent(cfg, "lapgan")
        check_kind(cfg.pyramid)
        self.channels, size = square_image(self.spec, "LAPGAN")
        check_levels(size, cfg.levels)
        check_options(LevelGenerator, cfg.level_generator, "level generator", skip=("channels",))
        check_options(LevelDiscriminator, cfg.level_discriminator, "level discriminator",
                      skip=("channels", "size"))  # fmt: skip
        self.sizes = [size // 2**k for k in range(cfg.levels)]  # finest first

    def build_nets(self) -> dict[str, nn.Module]:
        """One (G, D) pair per level: the conditional level nets, then the coarsest level's
        unconditional nets of ``cfg.nets`` (or ``generator_net`` / ``discriminator_net``)."""
        cfg, channels = self.cfg, self.channels
        coarsest = DataSpec("image", (channels, self.sizes[-1], self.sizes[-1]))
        generators: list[nn.Module] = [
            LevelGenerator(channels, **cfg.level_generator) for _ in self.sizes[:-1]
        ]
        discriminators: list[nn.Module] = [
            LevelDiscriminator(channels, s, **cfg.level_discriminator) for s in self.sizes[:-1]
        ]
        generators.append(build_generator(cfg.generator_name, cfg.z_dim, coarsest, cfg.generator))
        discriminators.append(
            build_discriminator(cfg.discriminator_name, coarsest, cfg.discriminator)
        )
        return {
            "generator": LaplacianGenerator(generators, cfg.pyramid),
            "discriminator": nn.ModuleList(discriminators),
        }

    def build_optimizers(self) -> dict[str, torch.optim.Optimizer]:
        """An optimizer per level and player, so that each level trains as its own GAN."""
        cfg, optimizers = self.cfg, {}
        pyramid, discriminators = self._level_nets()
        for k in range(cfg.levels):
            optimizers[f"generator_{k}"] = build_optimizer(
                pyramid.levels[k].parameters(), cfg.optim.generator
            )
            optimizers[f"discriminator_{k}"] = build_optimizer(
                discriminators[k].parameters(), cfg.optim.discriminator
            )
        return optimizers

    def noise_plane(self, n: int, size: int, rng: torch.Generator | None = None):
        """One plane of noise (n, 1, size, size) from the configured prior, for a finer level."""
        device = "cpu" if rng is not None else self.device
        shape = (n, 1, size, size)
        if self.cfg.latent == "uniform":
            return (torch.rand(shape, generator=rng, device=device) * 2 - 1).to(self.device)
        return torch.randn(shape, generator=rng, device=device).to(self.device)

    def _level_nets(self) -> tuple[LaplacianGenerator, nn.ModuleList]:
        """G (the pyramid of level generators) and D (one per level), typed as built."""
        return (
            cast(LaplacianGenerator, self.nets["generator"]),
            cast(nn.ModuleList, self.nets["discriminator"]),
        )

    # GAN's latent is z alone; LAPGAN's adds a noise plane per finer level
    def sample_latent(  # type: ignore[override]
        self, n: int, rng: torch.Generator | None = None
    ) -> tuple:
        """``(z_K, z_{K-1}, ..., z_0)``: the coarsest level's codes, then a plane per finer level."""
        planes = [self.noise_plane(n, s, rng) for s in reversed(self.sizes[:-1])]
        return (GAN.sample_latent(self, n, rng), *planes)

    def interpolate_latents(self, start: tuple, end: tuple, steps: int) -> tuple:
        """Walks every level's noise from start to end (the coarsest code as ``GAN`` does)."""
        t = torch.linspace(0, 1, steps, device=start[0].device)
        planes = [
            a.unsqueeze(1) * (1 - t.view(1, steps, 1, 1, 1))
            + b.unsqueeze(1) * t.view(1, steps, 1, 1, 1)
            for a, b in zip(start[1:], end[1:])
        ]
        return (super().interpolate_latents(start[0], end[0], steps), *planes)

    def train_step(
        self, batch: tuple[torch.Tensor, torch.Tensor], update_generator: bool
    ) -> dict[str, torch.Tensor]:
        G, D = self._level_nets()  # see single_process_reason
        real = batch[0]
        n, coarsest = real.shape[0], self.cfg.levels - 1
        gaussian = gaussian_pyramid(real, self.cfg.levels, self.cfg.pyramid)
        logs = conditional_step(
            self, G.levels[coarsest], D[coarsest], gaussian[coarsest],
            GAN.sample_latent(self, n), (), update_generator,
            names=(f"generator_{coarsest}", f"discriminator_{coarsest}"), suffix=f"_{coarsest}",
        )  # fmt: skip
        for k in range(coarsest):
            low = upsample(gaussian[k + 1], self.cfg.pyramid)
            logs |= conditional_step(
                self, G.levels[k], D[k], gaussian[k] - low, self.noise_plane(n, self.sizes[k]),
                (low,), update_generator, names=(f"generator_{k}", f"discriminator_{k}"),
                suffix=f"_{k}",
            )  # fmt: skip
        return logs

    def state_dict(self) -> dict[str, Any]:
        return super().state_dict() | {"pyramid": self.cfg.pyramid}

    def load_state_dict(self, state: dict[str, Any], nets_only: bool = False) -> None:
        """Samples use the pyramid the weights were trained on; a resumed run must name it
        (checkpoints without the entry predate the option and used ``average``)."""
        trained = state.get("pyramid", "average")
        if trained != self.cfg.pyramid and not nets_only:
            raise CheckpointError(
                f"This LAPGAN checkpoint was trained with pyramid={trained}, but the config "
                f"says pyramid={self.cfg.pyramid}; resume it with the override pyramid={trained}."
            )
        super().load_state_dict(state, nets_only)
        self.nets["generator"].kind = trained  # differs from the config only when sampling

    # ------------------------------------------------------------------ grids

    def fixed_inputs(self, count: int, rng: torch.Generator, dataset: Any = None) -> Any:
        """Latents for ``count // levels`` samples (at most 16), each shown at every level."""
        columns = max(1, min(MAX_GRID_COLUMNS, count // self.cfg.levels))
        return self.sample_latent(columns, rng)

    def render(self, inputs: Any, net: nn.Module | None = None) -> tuple[torch.Tensor, int]:
        """One row per level, coarse (top) to fine, each sample in a column, all at full size."""
        pyramid = net if net is not None else self.nets[self.sampling_net]
        return self.generate(inputs, EveryLevel(cast(LaplacianGenerator, pyramid))), len(inputs[0])


class EveryLevel(nn.Module):
    """A LAPGAN sampler's images at every level, coarse to fine, stacked and enlarged (nearest)
    to the finest size: (levels · N, C, H, W)."""

    def __init__(self, pyramid: LaplacianGenerator) -> None:
        super().__init__()
        self.pyramid = pyramid
        self.train(pyramid.training)

    def forward(self, *latents: torch.Tensor) -> torch.Tensor:
        images = self.pyramid.images(*latents)
        size = images[-1].shape[-1]
        return torch.cat([F.interpolate(image, size=size, mode="nearest") for image in images])
