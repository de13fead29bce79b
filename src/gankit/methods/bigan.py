"""BiGAN / ALI: a GAN that also learns the inverse map, an encoder E(x) (Donahue et al. 2016)."""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from typing import Any, cast

import torch
from torch import nn

from gankit.config import DataConfig, TrainConfig
from gankit.core.optim import build_optimizer
from gankit.errors import ConfigError
from gankit.methods.adversarial import Scores, adversarial_step
from gankit.methods.gan import GAN, GanConfig, check_unpacked_latent
from gankit.methods.registry import METHODS
from gankit.nets import build_generator
from gankit.nets.bigan import BiGANEncoder, JointDiscriminator
from gankit.registry import check_options

IMAGE_LAYOUT_PENALTIES = ("banach_gradient_penalty",)  # filter images, not joint (x, z) vectors
PER_SAMPLE_PENALTIES = ("gradient_penalty", "dragan", "r1")  # each sample's gradient of D


@dataclass
class BiGanConfig(GanConfig):
    """Config of ``bigan``: BiGAN's permutation-invariant MNIST setting (digits at 28 px)."""

    method: str = "bigan"
    nets: str = "bigan"  # the generator's family; E and the joint D are BiGAN's MLPs
    z_dim: int = 50
    latent: str = "uniform"
    encoder: dict[str, Any] = field(default_factory=dict)  # BiGANEncoder options (width)
    data: DataConfig = field(default_factory=lambda: DataConfig(image_size=28, batch_size=128))
    train: TrainConfig = field(default_factory=lambda: TrainConfig(steps=3000))


class JointView(nn.Module):
    """D(x, z) as a function of one vector [x flattened | z], for the regularizers.

    A gradient penalty on the joint discriminator must interpolate, perturb and differentiate
    the pair (x, z) together; this view lets ``gradient_penalty``, ``dragan`` and ``r1`` do so
    unchanged.
    """

    def __init__(self, net: nn.Module, image_shape: tuple[int, ...]) -> None:
        super().__init__()
        self.net, self.image_shape = net, image_shape
        self.image_dim = math.prod(image_shape)

    def forward(self, joint: torch.Tensor) -> torch.Tensor:
        x = joint[:, : self.image_dim].view(-1, *self.image_shape)
        return self.net(x, joint[:, self.image_dim :])


def joint(x: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
    return torch.cat([x.flatten(1), z.flatten(1)], dim=1)


@METHODS.register("bigan")
class BiGAN(GAN):
    """BiGAN (Donahue et al. 2016) / ALI (Dumoulin et al. 2016): D tells (x, E(x)) from (G(z), z).

    Donahue et al. 2016, "Adversarial Feature Learning", Eq. 3: min_{G,E} max_D
    E_x[log D(x, E(x))] + E_z[log(1 - D(G(z), z))]; at the optimum E inverts G (Theorem 2).
    Dumoulin et al. 2016 ("Adversarially Learned Inference") proposed the same game with a
    stochastic encoder; E here is deterministic, as in BiGAN. G and E are trained together, by
    one optimizer, on the "inverted" objective the paper uses (§3): they minimise D's loss with
    the two kinds of pair swapped, which for the log loss is -log D(G(z), z) -
    log(1 - D(x, E(x))), and which gives every registered loss a generator-side objective.

    Defaults from the paper's permutation-invariant MNIST model and its ``train_mnist.sh``: z is
    50-d uniform on [-1, 1], every net is fully connected with 1024 units (``nets.bigan``), Adam
    2e-4 with beta1 0.5, batch 128. :meth:`encode` gives E(x), the learned features.
    """

    config_class = BiGanConfig
    cfg: BiGanConfig

    def check_config(self) -> None:
        cfg = self.cfg
        check_unpacked_latent(cfg, "bigan")
        if cfg.discriminator_net:
            raise ConfigError(
                "bigan's discriminator is its joint D(x, z), set by its options "
                "(discriminator.width=...); discriminator_net does not apply: leave it out."
            )
        check_options(BiGANEncoder, cfg.encoder, "encoder", skip=("spec", "z_dim"))
        check_options(
            JointDiscriminator, cfg.discriminator, "joint discriminator", ("spec", "z_dim")
        )
        batch_norm = cfg.discriminator.get("norm") == "batch"
        for item in cfg.regularizers:
            name = item if isinstance(item, str) else item.get("name")
            if batch_norm and name in PER_SAMPLE_PENALTIES:
                raise ConfigError(
                    f"{name} is a per-sample penalty, but batch norm mixes the samples of the "
                    "discriminator's batch; set discriminator.norm=none or drop the penalty."
                )
            if name in IMAGE_LAYOUT_PENALTIES:
                raise ConfigError(
                    f"{name} filters images, but bigan's discriminator reads (x, z) pairs; use "
                    "gradient_penalty, dragan, r1 or spectral_norm."
                )

    def build_nets(self) -> dict[str, nn.Module]:
        cfg, spec = self.cfg, self.spec
        return {
            "generator": build_generator(cfg.generator_name, cfg.z_dim, spec, cfg.generator),
            "encoder": BiGANEncoder(spec, cfg.z_dim, **cfg.encoder),
            "discriminator": JointDiscriminator(spec, cfg.z_dim, **cfg.discriminator),
        }

    def build_optimizers(self) -> dict[str, torch.optim.Optimizer]:
        """G and E share one optimizer (they minimise one objective); D has its own."""
        G, E, D = self.nets["generator"], self.nets["encoder"], self.nets["discriminator"]
        return {
            "generator": build_optimizer(
                itertools.chain(G.parameters(), E.parameters()), self.cfg.optim.generator
            ),
            "discriminator": build_optimizer(D.parameters(), self.cfg.optim.discriminator),
        }

    def train_step(
        self, batch: tuple[torch.Tensor, torch.Tensor], update_generator: bool
    ) -> dict[str, torch.Tensor]:
        G, E, D = self.nets["generator"], self.nets["encoder"], self.nets["discriminator"]
        real = batch[0]
        z = self.sample_latent(real.shape[0])
        view = JointView(D, self.spec.shape)

        # G and E are one player, making (G(z), E(x)); D scores the pairs (x, E(x)) and (G(z), z).
        def score(real: torch.Tensor, made: tuple[torch.Tensor, torch.Tensor]) -> Scores:
            fake, code = made
            return Scores(D(real, code), D(fake, z))

        def fool(made: tuple[torch.Tensor, torch.Tensor]) -> tuple[torch.Tensor, None]:
            # The inverted game: G wants (G(z), z) called real, E wants (x, E(x)) called fake.
            fake, code = made
            return self.loss.discriminator_loss(D(fake, z), D(real, code)), None

        def penalty_inputs(real: torch.Tensor, made: tuple[torch.Tensor, torch.Tensor]) -> tuple:
            fake, code = made
            return view, joint(real, code), joint(fake, z)

        return adversarial_step(
            self, G, D, real, lambda: (G(z), E(real)), update_generator,
            score=score, fool=fool, penalty_inputs=penalty_inputs,
        )  # fmt: skip

    # ------------------------------------------------------------------ features and grids

    @torch.no_grad()
    def encode(self, images: torch.Tensor, hidden: bool = False) -> torch.Tensor:
        """E(x) for images (N, C, H, W) in [-1, 1]: the learned features (N, z_dim), on the CPU;
        ``hidden``: E's last hidden layer instead (N, width; the authors' ``NNC_e-`` features)."""
        E = cast(BiGANEncoder, self.nets["encoder"])
        layers = E.net[:-1] if hidden else E.net
        was_training = E.training
        E.eval()
        try:
            with self.autocast():
                return layers(images.to(self.device).flatten(1)).float().cpu()
        finally:
            E.train(was_training)

    def reconstruct(self, images: torch.Tensor, net: nn.Module | None = None) -> torch.Tensor:
        """G(E(x)): what the generator makes of each image's code (the squashed code where the
        encoder squashes, as D and G see it)."""
        E = cast(BiGANEncoder, self.nets["encoder"])
        return self.generate(E.to_code(self.encode(images)).to(self.device), net)

    def fixed_inputs(self, count: int, rng: torch.Generator, dataset: Any = None) -> Any:
        """A fixed batch of real images (a quarter of the grid) and latents for the last half."""
        width = max(1, math.isqrt(count))
        real_rows = (count // width) // 4
        if dataset is None or real_rows == 0:
            return {"real": None, "latent": self.sample_latent(count, rng), "width": width}
        chosen = torch.randperm(len(dataset), generator=rng)[: real_rows * width]
        real = torch.stack([torch.as_tensor(dataset[int(i)][0]) for i in chosen])
        latent = self.sample_latent(count - 2 * len(real), rng)
        return {"real": real, "latent": latent, "width": width}

    def render(self, inputs: Any, net: nn.Module | None = None) -> tuple[torch.Tensor, int]:
        """Rows of real images, each followed by a row of their reconstructions G(E(x)), then
        rows of samples G(z)."""
        width, real = inputs["width"], inputs["real"]
        samples = self.generate(inputs["latent"], net)
        if real is None:
            return samples, width
        rebuilt = self.reconstruct(real, net)
        rows = []
        for start in range(0, len(real), width):
            rows += [real[start : start + width], rebuilt[start : start + width]]
        return torch.cat([*rows, samples]), width
