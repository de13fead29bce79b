"""InfoGAN: a GAN whose latent codes are kept recoverable from its samples (Chen et al. 2016)."""

from __future__ import annotations

import inspect
import math
from dataclasses import dataclass, field
from typing import Any, cast

import torch
import torch.nn.functional as F
from torch import nn

from gankit.config import DataConfig, OptimizerConfig, TrainConfig
from gankit.errors import ConfigError, UnknownNameError
from gankit.methods.adversarial import Scores, adversarial_step
from gankit.methods.gan import GAN, GanConfig, GanOptimConfig, check_unpacked_latent
from gankit.methods.registry import METHODS
from gankit.nets import build_discriminator, build_generator
from gankit.nets.infogan import InfoGANDiscriminator

LOG_2PI = math.log(2 * math.pi)


@dataclass
class InfoGanConfig(GanConfig):
    """Config of ``infogan``: the paper's MNIST setting (on the embedded digits at 28 px)."""

    method: str = "infogan"
    nets: str = "infogan"
    z_dim: int = 62  # incompressible noise z
    latent: str = "uniform"  # the authors' code draws z ~ U(-1, 1)
    categorical: list[int] = field(default_factory=lambda: [10])  # categories of each code
    continuous: int = 2  # continuous codes, each U(-1, 1)
    lambda_categorical: float = 1.0
    lambda_continuous: float = 1.0
    fix_std: bool = True  # Q(c|x) of a continuous code: N(mu, 1) (the authors'), or learned std
    optim: GanOptimConfig = field(
        default_factory=lambda: GanOptimConfig(
            generator=OptimizerConfig("adam", 1e-3, (0.5, 0.999)),
            discriminator=OptimizerConfig("adam", 2e-4, (0.5, 0.999)),
        )
    )
    data: DataConfig = field(default_factory=lambda: DataConfig(image_size=28, batch_size=128))
    train: TrainConfig = field(default_factory=lambda: TrainConfig(steps=3000))


@METHODS.register("infogan")
class InfoGAN(GAN):
    """InfoGAN (Chen et al. 2016): maximise a lower bound on I(c; G(z, c)) with a Q head on D.

    Chen et al. 2016, "InfoGAN: Interpretable Representation Learning by Information Maximizing
    Generative Adversarial Nets", Eq. 6: min_{G,Q} max_D V(D, G) - lambda L_I(G, Q), where
    L_I = E[log Q(c|G(z, c))] + H(c) <= I(c; G(z, c)) (Lemma 5.1). The MNIST setting (§7,
    Appendix C) is the default: one categorical code with K = 10, two continuous codes
    U(-1, 1), 62 noise variables, lambda = 1 for both kinds, Q sharing D's trunk
    (``nets.infogan``), Adam with 2e-4 for D and 1e-3 for G (beta1 0.5) and batch 128, as in the
    authors' ``run_mnist_exp.py``. Q(c|x) is a softmax for a categorical code and a Gaussian
    for a continuous one, with std fixed at 1 as in that script (``fix_std``). That script
    differs from the paper in two ways gankit offers as options, off by default: its G update
    draws new noise and codes (``fresh_noise=true``; by default G's step reuses D's batch) and
    its LeakyReLU slope is 0.01 (``discriminator.leaky_slope=0.01``; the paper says 0.1).

    As in the authors' trainer, the information term is subtracted from both D's loss (training
    the Q head with D's optimizer) and G's. Codes are laid out in one latent vector
    ``[z | one-hot cat1 | ... | c1, c2, ...]``; the logs carry ``mi_categorical`` and
    ``mi_continuous``, the lower bounds L_I in nats (at most H(c) = log K for a categorical code).
    The codes are named ``cat1, ..., c1, c2, ...`` (:meth:`code_names`): the paper's c1 (digit
    type) is ``cat1`` here, and its c2 and c3 (rotation, width) are ``c1`` and ``c2``.
    """

    config_class = InfoGanConfig
    cfg: InfoGanConfig

    def check_config(self) -> None:
        cfg = self.cfg
        check_unpacked_latent(cfg, "infogan", fresh_noise=True)
        if any(k < 2 for k in cfg.categorical) or cfg.continuous < 0:
            raise ConfigError(
                f"Each categorical code needs at least 2 categories and the continuous codes "
                f"cannot be negative; got categorical={cfg.categorical}, "
                f"continuous={cfg.continuous}."
            )
        if not cfg.categorical and not cfg.continuous:
            raise ConfigError("infogan needs a latent code: set categorical or continuous.")
        self.code_dim = sum(cfg.categorical) + cfg.continuous

    def build_nets(self) -> dict[str, nn.Module]:
        """G of [z | codes]; D with the Q head (its outputs: the categories' logits, then a mean
        per continuous code, and a log-std too unless ``fix_std``)."""
        cfg, spec = self.cfg, self.spec
        q_outputs = sum(cfg.categorical) + cfg.continuous * (1 if cfg.fix_std else 2)
        generator = build_generator(
            cfg.generator_name, cfg.z_dim + self.code_dim, spec, cfg.generator
        )
        options = {**cfg.discriminator, "q_outputs": q_outputs}
        discriminator = build_discriminator(cfg.discriminator_name, spec, options)
        if "with_q" not in inspect.signature(discriminator.forward).parameters:
            raise ConfigError(
                f"infogan needs a discriminator with a Q head (forward(x, with_q=True) returning "
                f"D's score and Q's outputs), and discriminator {cfg.discriminator_name!r} has "
                f"none. Use nets=infogan."
            )
        return {"generator": generator, "discriminator": discriminator}

    # ------------------------------------------------------------------ codes

    def code_names(self) -> list[str]:
        """``cat1, cat2, ...`` for the categorical codes, then ``c1, c2, ...``."""
        cats = [f"cat{i + 1}" for i in range(len(self.cfg.categorical))]
        return cats + [f"c{i + 1}" for i in range(self.cfg.continuous)]

    def compose(
        self, noise: torch.Tensor, categories: list[torch.Tensor], continuous: torch.Tensor
    ) -> torch.Tensor:
        """The latent vector ``[z | one-hot categories | continuous codes]``."""
        hot = [F.one_hot(c.long(), k).float() for c, k in zip(categories, self.cfg.categorical)]
        return torch.cat([noise, *hot, continuous], dim=1).to(self.device)

    def split(self, latent: torch.Tensor) -> tuple[list[torch.Tensor], torch.Tensor]:
        """The category indices of each categorical code, and the continuous codes."""
        start, categories = self.cfg.z_dim, []
        for k in self.cfg.categorical:
            categories.append(latent[:, start : start + k].argmax(dim=1))
            start += k
        return categories, latent[:, start:]

    def draw_codes(
        self, n: int, rng: torch.Generator | None = None
    ) -> tuple[torch.Tensor, list[torch.Tensor], torch.Tensor]:
        """Noise, the category of each categorical code, and the continuous codes, for
        :meth:`compose` (e.g. after fixing a category)."""
        device = "cpu" if rng is not None else self.device
        noise = GAN.sample_latent(self, n, rng)
        categories = [
            torch.randint(k, (n,), generator=rng, device=device) for k in self.cfg.categorical
        ]
        continuous = torch.rand((n, self.cfg.continuous), generator=rng, device=device)
        return noise, categories, continuous * 2 - 1

    def sample_latent(self, n: int, rng: torch.Generator | None = None) -> torch.Tensor:
        noise, categories, continuous = self.draw_codes(n, rng)
        return self.compose(
            noise, [c.to(self.device) for c in categories], continuous.to(self.device)
        )

    def interpolate_latents(
        self, start: torch.Tensor, end: torch.Tensor, steps: int
    ) -> torch.Tensor:
        """Straight lines: the codes live in boxes and simplices, where lines stay inside."""
        t = torch.linspace(0, 1, steps, device=start.device).view(1, steps, 1)
        return start.unsqueeze(1) * (1 - t) + end.unsqueeze(1) * t

    def traversal(
        self, code: str, low: float, high: float, steps: int, rng: torch.Generator
    ) -> tuple[torch.Tensor, int]:
        """A latent-traversal grid (Chen et al. 2016, Fig. 2) and its images per row.

        For a continuous code ``cJ``: one row per category of the first categorical code (a
        single row without one), ``steps`` columns with cJ from ``low`` to ``high``, the other
        continuous codes at 0 and one noise vector for the whole grid. For a categorical code
        ``catJ``: ten rows of different noise, one column per category.
        """
        names = self.code_names()
        if code not in names:
            raise UnknownNameError("latent code", code, names)
        if code.startswith("cat"):
            index = int(code[3:]) - 1
            rows, columns = 10, self.cfg.categorical[index]
            noise, categories, _ = self.draw_codes(rows, rng)
            noise = noise.cpu().repeat_interleave(columns, dim=0)
            categories = [c.cpu().repeat_interleave(columns) for c in categories]
            categories[index] = torch.arange(columns).repeat(rows)
            continuous = torch.zeros(rows * columns, self.cfg.continuous)
        else:
            index = int(code[1:]) - 1
            rows = self.cfg.categorical[0] if self.cfg.categorical else 1
            columns = steps
            noise, categories, _ = self.draw_codes(1, rng)
            noise = noise.cpu().expand(rows * columns, -1)
            categories = [c.cpu().expand(rows * columns) for c in categories]
            if self.cfg.categorical:
                categories[0] = torch.arange(rows).repeat_interleave(columns)
            continuous = torch.zeros(rows * columns, self.cfg.continuous)
            continuous[:, index] = torch.linspace(low, high, columns).repeat(rows)
        return self.compose(noise, categories, continuous), columns

    # ------------------------------------------------------------------ Q

    def information(
        self, q: torch.Tensor, latent: torch.Tensor
    ) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        """The weighted information loss -lambda·L_I (without the constant H(c)) and its parts.

        Categorical: cross-entropy of Q's softmax against the drawn category. Continuous: the
        negative Gaussian log-likelihood of the drawn code under N(mu, sigma) from Q.
        """
        cfg = self.cfg
        categories, continuous = self.split(latent)
        q = q.float()
        logs: dict[str, torch.Tensor] = {}
        loss = q.new_zeros(())
        start = 0
        if categories:
            cross_entropy = q.new_zeros(())
            for target, k in zip(categories, cfg.categorical):
                cross_entropy = cross_entropy + F.cross_entropy(q[:, start : start + k], target)
                start += k
            loss = loss + cfg.lambda_categorical * cross_entropy
            entropy = sum(math.log(k) for k in cfg.categorical)
            logs["q_categorical"] = cross_entropy.detach()
            logs["mi_categorical"] = (entropy - cross_entropy).detach()
        if cfg.continuous:
            mean = q[:, start : start + cfg.continuous]
            if cfg.fix_std:
                log_std = torch.zeros_like(mean)
            else:
                log_std = q[:, start + cfg.continuous : start + 2 * cfg.continuous]
            z = (continuous - mean) * torch.exp(-log_std)
            nll = (0.5 * z**2 + log_std + 0.5 * LOG_2PI).sum(dim=1).mean()
            loss = loss + cfg.lambda_continuous * nll
            logs["q_continuous"] = nll.detach()
            logs["mi_continuous"] = (cfg.continuous * math.log(2) - nll).detach()  # H(U(-1,1))
        logs["q_loss"] = loss.detach()
        return loss, logs

    def train_step(
        self, batch: tuple[torch.Tensor, torch.Tensor], update_generator: bool
    ) -> dict[str, torch.Tensor]:
        G = self.nets["generator"]
        D = self.nets["discriminator"]  # may be DDP's wrapper: Q through D(x, with_q=True)
        real = batch[0]
        drawn: dict[str, Any] = {"latent": self.sample_latent(real.shape[0]), "calls": 0}

        def generate() -> torch.Tensor:
            if drawn["calls"]:  # fresh_noise: G's step on new noise and new codes
                drawn["latent"] = self.sample_latent(real.shape[0])
            drawn["calls"] += 1
            return G(drawn["latent"])

        def score(real: torch.Tensor, fake: torch.Tensor) -> Scores:
            real_out = D(real)
            fake_out, q = D(fake, with_q=True)
            information, logs = self.information(q, drawn["latent"])
            return Scores(real_out, fake_out, information, logs)

        def fool(fake: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
            fake_out, q = D(fake, with_q=True)
            return self.loss.generator_loss(fake_out), self.information(q, drawn["latent"])[0]

        return adversarial_step(
            self, G, D, real, generate, update_generator, score=score, fool=fool,
            fresh_noise=self.cfg.fresh_noise,
        )  # fmt: skip

    # ------------------------------------------------------------------ grids and inference

    def fixed_inputs(self, count: int, rng: torch.Generator, dataset: Any = None) -> Any:
        """Rows are the categories of the first categorical code; each column one noise draw."""
        rows = self.cfg.categorical[0] if self.cfg.categorical else 1
        columns = max(1, count // rows)
        noise, categories, continuous = self.draw_codes(columns, rng)
        categories = [c.repeat(rows) for c in categories]
        if self.cfg.categorical:
            categories[0] = torch.arange(rows).repeat_interleave(columns)
        return self.compose(noise.cpu().repeat(rows, 1), categories, continuous.repeat(rows, 1))

    def render(self, inputs: Any, net: torch.nn.Module | None = None) -> tuple[torch.Tensor, int]:
        rows = self.cfg.categorical[0] if self.cfg.categorical else 1
        return self.generate(inputs, net), max(1, len(inputs) // rows)

    @torch.no_grad()
    def encode(self, images: torch.Tensor) -> torch.Tensor:
        """Q's estimate of the codes of ``images``: each categorical code's probabilities, then
        the continuous codes' means (N, sum K + continuous), on the CPU."""
        D = cast(InfoGANDiscriminator, self.nets["discriminator"])
        was_training = D.training
        D.eval()
        try:
            with self.autocast():
                _, q = D.score_and_q(images.to(self.device))
        finally:
            D.train(was_training)
        q, parts, start = q.float().cpu(), [], 0
        for k in self.cfg.categorical:
            parts.append(q[:, start : start + k].softmax(dim=1))
            start += k
        parts.append(q[:, start : start + self.cfg.continuous])
        return torch.cat(parts, dim=1)

    def infer_categories(self, images: torch.Tensor, code: int = 0) -> torch.Tensor:
        """The most likely category of categorical code ``code`` (0-based) under Q, per image."""
        start = sum(self.cfg.categorical[:code])
        probabilities = self.encode(images)[:, start : start + self.cfg.categorical[code]]
        return probabilities.argmax(dim=1)
