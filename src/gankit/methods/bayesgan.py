"""Bayesian GAN (Saatci & Wilson 2017): posterior samples of G and D, drawn by SGHMC.

Also the maximum-likelihood semi-supervised baseline ``ssgan``: the same model with one
generator, one discriminator, no prior and no injected noise.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, cast

import torch
from torch import nn

from gankit.config import DataConfig, NetChoice, RunConfig, TrainConfig
from gankit.core.method import Method, frozen
from gankit.core.spec import DataSpec
from gankit.errors import ConfigError, DataError, UnknownNameError
from gankit.losses import build_loss
from gankit.methods import semi_supervised
from gankit.methods.posterior import DiscriminatorPosterior, GeneratorPosterior, PosteriorSamples
from gankit.methods.registry import METHODS
from gankit.methods.sghmc import SGHMC, likelihood_potential
from gankit.nets import build_discriminator, build_generator
from gankit.nets.heads import ClassOutputs

LATENTS = ("uniform", "normal")


@dataclass
class BayesConfig:
    """Posterior sampling: Saatci & Wilson 2017, Algorithm 1 and §5."""

    generators: int = 10  # J_g: generator MC samples, and noise minibatches per iteration
    discriminators: int = 1  # J_d: discriminator MC samples
    mcmc: int = 2  # M: SGHMC samples (chains) per MC sample
    # the per-example learning rate of the authors' code; Algorithm 1's eta = lr / n, with n
    # the examples each likelihood stands for (the paper gives no eta)
    lr: float = 2e-4
    friction: float = 0.01  # alpha
    prior_std: float = 3.1622776601683795  # sqrt(10): the N(0, 10 I) prior on every weight
    generator_observed: int = 0  # n G's likelihood stands for; 0 = the discriminator's n
    observed: int = 0  # n D's likelihood stands for; 0 = the training set's size
    maximum_likelihood: bool = False  # no prior, no injected noise, no collection
    burn_in: int = 5000  # iterations before the first posterior sample is collected
    collect_every: int = 1000  # iterations between collected samples
    keep: int = 10  # collections kept (the oldest are dropped)


@dataclass
class SemiConfig:
    """Semi-supervised training: a balanced labelled subset of the training set."""

    labels: int = 0  # N labelled examples (a multiple of the classes); 0 = unsupervised
    seed: int = 0  # picks the labelled subset (independent of the run's seed)
    batch_size: int = 0  # labelled examples per step; 0 = data.batch_size


@dataclass
class BayesGANConfig(NetChoice, RunConfig):
    """Config of ``bayesgan``: Saatci & Wilson's defaults on DCGAN nets, unsupervised."""

    method: str = "bayesgan"
    z_dim: int = 100
    latent: str = "uniform"  # uniform: U(-1, 1) (the authors' code); normal: N(0, I)
    nets: str = "dcgan"
    # G or D alone, in place of the family's (gankit.config.NetChoice)
    generator_net: str | None = None
    discriminator_net: str | None = None
    generator: dict[str, Any] = field(default_factory=dict)
    discriminator: dict[str, Any] = field(default_factory=dict)
    bayes: BayesConfig = field(default_factory=BayesConfig)
    semi: SemiConfig = field(default_factory=SemiConfig)
    data: DataConfig = field(default_factory=lambda: DataConfig(batch_size=64))
    train: TrainConfig = field(default_factory=lambda: TrainConfig(steps=5000))


@METHODS.register("bayesgan")
class BayesGAN(Method):
    """Bayesian GAN (Saatci & Wilson 2017): J_g x M generator and J_d x M discriminator chains.

    Posteriors. Unsupervised (§3.1, Eq. 1-2): p(theta_g | z, theta_d) is proportional to
    prod_i D(G(z_i)) p(theta_g) and p(theta_d | z, X, theta_g) to
    prod_i D(x_i) prod_i (1 - D(G(z_i))) p(theta_d), i.e. the non-saturating GAN
    log-likelihoods. Semi-supervised (§3.2, Eq. 4): D has K + 1 outputs (0 = generated) and
    the likelihoods of :mod:`gankit.methods.semi_supervised`. The prior is N(0, sigma^2 I) on every
    weight, sigma^2 = 10 (§5). Each conditional log posterior is its minibatch's summed
    log-likelihood scaled by n / m to the n examples it stands for (n = the training set's
    size, m = the minibatch size), plus the log prior. The noise z is marginalised by simple
    Monte Carlo (Eq. 3) as Algorithm 1 writes it (Sørby 2019, Algorithm 4): a chain's gradient
    is the *sum* of the conditional log posteriors over J_g noise minibatches (J_d for D) and
    the J_d discriminator (J_g generator) samples it is paired with, J_g J_d terms that each
    carry the prior. Averaging the likelihood terms instead (as gankit once did) divides the
    log-likelihood by J_g J_d while the injected noise stays sqrt(2 alpha eta): a posterior
    tempered by J_g J_d, not the same posterior with a smaller eta.

    Sampling (Algorithm 1). Every iteration updates each of the J_g x M generator chains
    theta_g^{j,m} against the discriminators theta_d^{k,m} (k = 1..J_d), then each of the
    J_d x M discriminator chains against the generators theta_g^{k,m} (k = 1..J_g, the same
    m), each by one SGHMC step (Chen et al. 2014, Eq. 15; :mod:`gankit.methods.sghmc`):
    v <- (1 - alpha) v + eta grad log p + N(0, 2 alpha eta), theta <- theta + v, with
    log p the summed log posterior above. (gankit updates D first and G second in an
    iteration, as its other methods do.) ``train.grad_clip`` clips the gradient of that sum,
    about J_g J_d n times a minibatch-mean gradient, so it needs a threshold that much larger.

    Defaults: J_g = 10, J_d = 1, M = 2, minibatches of 64, the N(0, 10 I) prior, and 5000
    iterations before collecting a posterior sample every 1000 (§5); friction alpha = 0.01
    (the authors' ``bgan_semi.py``). eta has no value in the paper, and in the authors' code
    ``eta = 2e-4`` only sets the noise while the step is a per-example learning rate on
    minibatch-mean losses. gankit's ``bayes.lr`` is that per-example rate (2e-4) and the
    sampler's eta = lr / n for the n examples a likelihood stands for (2e-4 / 60,000 on
    MNIST), so the step per unit of minibatch-mean gradient, J_g J_d lr, does not depend on the
    data set's size while the algorithm's scaling stays exact. Both likelihoods are scaled to the training set, as in
    the authors' semi-supervised code (``bgan_semi.py``; ``bayes.generator_observed=1000``
    gives their unsupervised ``gen_observed``).

    Samples. ``gankit sample`` draws each image from a pool member chosen by its latent code:
    the collected samples (``bayes.keep`` collections of J_g x M generators), or the live
    chains before the first collection. Sample grids show one pool member per row. A
    semi-supervised run classifies by the posterior-averaged discriminator (Eq. 5):
    p(y | x) = mean over the D pool of softmax(class logits).

    Memory. With P_g, P_d the parameters of one generator and one discriminator, the live
    chains hold weights, gradients and SGHMC velocities: 12 (J_g M P_g + J_d M P_d) bytes in
    float32, and the collection 4 keep (J_g M P_g + J_d M P_d) bytes (also in every
    checkpoint). Chains are backpropagated one at a time, so activations are those of one
    generator on J_g m noise samples plus J_d discriminators on them, and of one discriminator
    on m real and J_g J_d m generated images: they grow with J_g x J_d. Work per iteration
    is J_g^2 M (1 + J_d) m generator-or-discriminator sample passes for G, and
    J_g J_d M m (1 + J_d) for D; ``benchmarks/bayesgan_memory.py`` measures peak memory.
    """

    config_class = BayesGANConfig
    cfg: BayesGANConfig
    single_process_reason = (
        "its SGHMC step moves every chain of the generator and discriminator posteriors itself "
        "(their .chains), which DDP's wrappers neither expose nor average"
    )
    critic_loss = "nonsaturating"  # -log D(x), -log(1 - D(G(z))) for D; -log D(G(z)) for G

    def __init__(self, cfg: BayesGANConfig, spec: DataSpec, device: torch.device | str) -> None:
        super().__init__(cfg, spec, device)
        bayes = cfg.bayes
        self._check(cfg, spec)
        self.semi_supervised = cfg.semi.labels > 0
        chains_g = [
            build_generator(cfg.generator_name, cfg.z_dim, spec, cfg.generator)
            for _ in range(bayes.generators * bayes.mcmc)
        ]
        chains_d = []
        for _ in range(bayes.discriminators * bayes.mcmc):
            net = build_discriminator(cfg.discriminator_name, spec, cfg.discriminator)
            chains_d.append(
                # semi-supervised: _check made sure the data has classes
                ClassOutputs(net, cast(int, spec.num_classes) + 1) if self.semi_supervised else net
            )
        self.nets["generator"] = GeneratorPosterior(chains_g).to(self.device)
        self.nets["discriminator"] = DiscriminatorPosterior(chains_d).to(self.device)
        self.terms = bayes.generators * bayes.discriminators  # conditional posteriors summed
        for name in ("generator", "discriminator"):
            self.optimizers[name] = SGHMC(
                self.nets[name].parameters(), bayes.lr, bayes.friction, bayes.prior_std,
                prior_terms=self.terms, noise=not bayes.maximum_likelihood,
            )  # fmt: skip
        self.observed: dict[str, int] | None = None  # n each likelihood stands for
        if bayes.observed:
            self._set_observed(bayes.observed)
        self.likelihood = build_loss(self.critic_loss)
        self.iterations = 0
        self.labelled: tuple[torch.Tensor, torch.Tensor] | None = None

    @staticmethod
    def _check(cfg: BayesGANConfig, spec: DataSpec) -> None:
        bayes = cfg.bayes
        if cfg.latent not in LATENTS:
            raise UnknownNameError("latent distribution", cfg.latent, LATENTS)
        counts = {"bayes.generators": bayes.generators, "bayes.discriminators":
                  bayes.discriminators, "bayes.mcmc": bayes.mcmc,
                  "bayes.collect_every": bayes.collect_every, "bayes.keep": bayes.keep}  # fmt: skip
        for key, value in counts.items():
            if value < 1:
                raise ConfigError(f"{key} must be at least 1, got {value}.")
        if cfg.train.ema.enabled:
            raise ConfigError(
                "bayesgan samples from its collected posterior samples, not from one generator; "
                "an EMA of a single generator does not apply. Set train.ema.enabled=false."
            )
        if cfg.train.amp == "fp16":
            raise ConfigError("bayesgan's SGHMC steps need no grad scaler; use train.amp=bf16.")
        if cfg.semi.labels and spec.num_classes is None:
            raise ConfigError(
                "Semi-supervised bayesgan (semi.labels > 0) needs a labelled dataset such as "
                "mnist or digits; use semi.labels=0 for unlabelled data."
            )

    def _set_observed(self, size: int) -> None:
        """Fix n for each likelihood, and with it Algorithm 1's eta = bayes.lr / n."""
        observed = self.cfg.bayes.observed or size
        generator = self.cfg.bayes.generator_observed or observed
        self.observed = {"generator": generator, "discriminator": observed}
        for name, count in self.observed.items():
            for group in self.optimizers[name].param_groups:
                group["lr"] = self.cfg.bayes.lr / count

    # ------------------------------------------------------------------ data and latents

    def use_dataset(self, dataset: Any) -> None:
        """Scale the likelihoods to the training set; pick the balanced labelled subset."""
        self._set_observed(len(dataset))
        if not self.semi_supervised:
            return
        if not getattr(dataset, "in_memory", False):
            raise DataError(
                f"Semi-supervised bayesgan picks its labelled subset from an in-memory labelled "
                f"dataset; {self.cfg.data.name!r} is read from disk. Use mnist, fashion-mnist, "
                "digits or cifar10."
            )
        images, labels = dataset.tensors
        index = semi_supervised.balanced_subset(
            labels, self.cfg.semi.labels, cast(int, self.spec.num_classes), self.cfg.semi.seed
        )
        self.labelled = (images[index].to(self.device), labels[index].to(self.device))

    def sample_noise(self, n: int, rng: torch.Generator | None = None) -> torch.Tensor:
        device = "cpu" if rng is not None else self.device
        shape = (n, self.cfg.z_dim)
        if self.cfg.latent == "uniform":
            z = torch.rand(shape, generator=rng, device=device) * 2 - 1
        else:
            z = torch.randn(shape, generator=rng, device=device)
        return z.to(self.device)

    def sample_latent(self, n: int, rng: torch.Generator | None = None) -> torch.Tensor:
        """(n, z_dim + 1): the noise z, then u in [0, 1) that picks the generator sample."""
        z = self.sample_noise(n, rng)
        u = torch.rand((n, 1), generator=rng, device="cpu" if rng else self.device)
        return torch.cat([z, u.to(self.device)], dim=1)

    def interpolate_latents(
        self, start: torch.Tensor, end: torch.Tensor, steps: int
    ) -> torch.Tensor:
        """Walk z (straight for uniform noise, spherical for normal), keeping start's sample."""
        if self.cfg.latent == "uniform":
            t = torch.linspace(0, 1, steps, device=start.device).view(1, steps, 1)
            codes = start[:, None, :-1] * (1 - t) + end[:, None, :-1] * t
        else:
            codes = super().interpolate_latents(start[:, :-1], end[:, :-1], steps)
        choice = start[:, None, -1:].expand(-1, steps, 1)
        return torch.cat([codes, choice], dim=2)

    def fixed_inputs(self, count: int, rng: torch.Generator, dataset: Any = None) -> Any:
        return self.sample_noise(count, rng)

    def render(
        self, inputs: torch.Tensor, net: nn.Module | None = None
    ) -> tuple[torch.Tensor, int | None]:
        """Image grids: one pool member per row, the same noise in every column."""
        posterior = cast(PosteriorSamples, net if net is not None else self.nets["generator"])
        size, count = posterior.pool_size(), len(inputs)
        if self.spec.kind != "image" or size == 1:
            u = (torch.arange(count, device=self.device) + 0.5) / count  # spread over the pool
            return self.generate(torch.cat([inputs, u[:, None]], 1), posterior), None
        columns = math.ceil(math.sqrt(count))
        rows = min(size, math.ceil(count / columns))
        members = torch.linspace(0, size - 1, rows, device=self.device).round()
        u = ((members + 0.5) / size).repeat_interleave(columns)
        z = inputs[:columns].repeat(rows, 1)
        return self.generate(torch.cat([z, u[:, None]], 1), posterior), columns

    # ------------------------------------------------------------------ training

    def train_step(
        self, batch: tuple[torch.Tensor, torch.Tensor], update_generator: bool
    ) -> dict[str, torch.Tensor]:
        if self.observed is None:
            raise ConfigError(
                "bayesgan scales its likelihoods to the training set, which it learns from "
                "use_dataset(dataset) (the trainer calls it); call it first or set bayes.observed."
            )
        if self.semi_supervised and self.labelled is None:
            raise ConfigError(
                "Semi-supervised bayesgan needs use_dataset(dataset) before training."
            )
        real = batch[0]
        logs = self._discriminator_step(real)
        if update_generator:
            logs["g_loss"] = self._generator_step(real.shape[0])
            self.iterations += 1
            bayes = self.cfg.bayes
            since = self.iterations - bayes.burn_in
            if not bayes.maximum_likelihood and since >= 0 and since % bayes.collect_every == 0:
                for name in ("generator", "discriminator"):
                    self._posterior(name).collect(bayes.keep)  # see single_process_reason
        logs["posterior_samples"] = torch.tensor(float(self._posterior("generator").pool_size()))
        return logs

    def _posterior(self, name: str) -> PosteriorSamples:
        """``self.nets[name]``, typed: both nets are pools of posterior samples."""
        return cast(PosteriorSamples, self.nets[name])

    def _discriminator_step(self, real: torch.Tensor) -> dict[str, torch.Tensor]:
        bayes = self.cfg.bayes
        assert self.observed is not None  # train_step checked it
        generators, discriminators = (
            self._posterior("generator").chains,  # see single_process_reason
            self._posterior("discriminator").chains,
        )
        labelled = self._labelled_batch(real.shape[0]) if self.semi_supervised else None
        z = self.sample_noise(bayes.discriminators * real.shape[0])  # J_d noise minibatches
        optimizer = self.optimizers["discriminator"]
        optimizer.zero_grad(set_to_none=True)
        losses = []
        for m in range(bayes.mcmc):
            with torch.no_grad(), self.autocast():
                paired = range(m, len(generators), bayes.mcmc)  # theta_g^{k,m}, k = 1..J_g
                fake = torch.cat([generators[k](z) for k in paired])
            for k in range(m, len(discriminators), bayes.mcmc):
                with self.autocast():
                    loss = self._discriminator_loss(discriminators[k], real, fake, labelled)
                self._backward(loss, discriminators[k], self.observed["discriminator"])
                losses.append(loss.detach())
        optimizer.step()
        return {"d_loss": torch.stack(losses).mean()}

    def _discriminator_loss(
        self,
        net: nn.Module,
        real: torch.Tensor,
        fake: torch.Tensor,
        labelled: tuple[torch.Tensor, torch.Tensor] | None,
    ) -> torch.Tensor:
        if labelled is None:
            return self.likelihood.discriminator_loss(net(real), net(fake))
        images, labels = labelled
        return semi_supervised.discriminator_loss(net(real), net(fake), net(images), labels)

    def _generator_step(self, n: int) -> torch.Tensor:
        bayes = self.cfg.bayes
        assert self.observed is not None  # train_step checked it
        generators, discriminators = (
            self._posterior("generator").chains,  # see single_process_reason
            self._posterior("discriminator").chains,
        )
        z = self.sample_noise(bayes.generators * n)  # J_g noise minibatches, shared by all chains
        optimizer = self.optimizers["generator"]
        optimizer.zero_grad(set_to_none=True)
        losses = []
        with frozen(self.nets["discriminator"]):
            for c, generator in enumerate(generators):
                paired = range(c % bayes.mcmc, len(discriminators), bayes.mcmc)
                with self.autocast():
                    fake = generator(z)
                    terms = [self._generator_loss(discriminators[k](fake)) for k in paired]
                    loss = torch.stack(terms).mean()
                self._backward(loss, generator, self.observed["generator"])
                losses.append(loss.detach())
        optimizer.step()
        return torch.stack(losses).mean()

    def _generator_loss(self, outputs: torch.Tensor) -> torch.Tensor:
        if self.semi_supervised:
            return semi_supervised.generator_loss(outputs.float())
        return self.likelihood.generator_loss(outputs)

    def _backward(self, loss: torch.Tensor, chain: nn.Module, observed: int) -> None:
        """Backpropagate -log p of one chain; ``loss`` is its mean over all J_g J_d minibatches."""
        likelihood_potential(loss.float(), observed, self.terms).backward()
        if self.cfg.train.grad_clip:
            nn.utils.clip_grad_norm_(chain.parameters(), self.cfg.train.grad_clip)

    def _labelled_batch(self, n: int) -> tuple[torch.Tensor, torch.Tensor]:
        assert self.labelled is not None  # train_step checked it
        images, labels = self.labelled
        index = torch.randint(len(images), (self.cfg.semi.batch_size or n,)).to(self.device)
        return images[index], labels[index]

    # ------------------------------------------------------------------ classification

    def class_probabilities(self, images: torch.Tensor) -> torch.Tensor:
        """p(y | x) averaged over the discriminator pool (Eq. 5), (N, K) on the CPU."""
        if not self.semi_supervised:
            raise ConfigError("Only a semi-supervised bayesgan (semi.labels > 0) classifies.")
        posterior = self._posterior("discriminator")
        was_training = posterior.training
        posterior.eval()
        try:
            with torch.no_grad():
                x = images.to(self.device)
                probabilities = [
                    semi_supervised.class_probabilities(posterior.member(i, x).float())
                    for i in range(posterior.pool_size())
                ]
        finally:
            posterior.train(was_training)
        return torch.stack(probabilities).mean(0).cpu()

    # ------------------------------------------------------------------ state

    def state_dict(self) -> dict[str, Any]:
        def cpu(samples: list[dict[str, torch.Tensor]]) -> list[dict[str, torch.Tensor]]:
            return [{k: v.cpu() for k, v in sample.items()} for sample in samples]

        posterior = {
            "iterations": self.iterations,
            "generators": cpu(self._posterior("generator").collected),
            "discriminators": cpu(self._posterior("discriminator").collected),
        }
        return super().state_dict() | {"posterior": posterior}

    def load_state_dict(self, state: dict[str, Any], nets_only: bool = False) -> None:
        """Restores the collected samples too, with ``nets_only`` (they are the model)."""
        super().load_state_dict(state, nets_only)
        posterior = state["posterior"]
        self.iterations = int(posterior["iterations"])
        for name, key in (("generator", "generators"), ("discriminator", "discriminators")):
            self._posterior(name).collected = [
                {k: v.to(self.device) for k, v in sample.items()} for sample in posterior[key]
            ]


@dataclass
class SSGANConfig(BayesGANConfig):
    """Config of ``ssgan``: one generator, one discriminator, maximum likelihood, 100 labels."""

    method: str = "ssgan"
    bayes: BayesConfig = field(
        default_factory=lambda: BayesConfig(
            generators=1, discriminators=1, mcmc=1, maximum_likelihood=True
        )
    )
    semi: SemiConfig = field(default_factory=lambda: SemiConfig(labels=100))


@METHODS.register("ssgan")
class SSGAN(BayesGAN):
    """Semi-supervised DCGAN with K+1 outputs, by maximum likelihood (Salimans et al. 2016, §5).

    The maximum-likelihood baseline of Saatci & Wilson 2017 (§5, "DCGAN"): ``bayesgan`` with
    J_g = J_d = M = 1, no prior, no injected noise and no sample collection, so the SGHMC step
    reduces to SGD with momentum 1 - alpha on the summed log-likelihood (same eta and friction
    0.01; on MNIST, eta n = 2e-4 per unit of minibatch-mean gradient). The likelihoods are
    Saatci & Wilson's Eq. 4 (K + 1 outputs, no feature matching).
    """

    config_class = SSGANConfig
    cfg: SSGANConfig
