"""Gradient layers: refining samples by functional gradient steps (Nitanda & Suzuki 2018).

Nitanda & Suzuki 2018, "Gradient Layer: Enhancing the Convergence of Adversarial Training for
Generative Models" (AISTATS), §3: the generator's loss L(G) = E_z[l(D(G(z)))] has a functional
gradient in sample space, and one step of functional gradient descent is a layer appended to
the generator,

    phi(x) = x - eta grad_x l(D(x)),

which for the Wasserstein loss (l = -D) is x + eta grad_x D(x). For any gankit loss, l is that
loss's generator loss taken per sample (non-saturating: x + eta sigmoid(-D(x)) grad D(x)).

The layer may also sit inside the generator (their §3; Sørby 2019, §3.3, Eq. 3.16): with
G = G_2 o G_1 cut after one of its layers, phi acts on the features h = G_1(z),
phi(h) = h - eta grad_h l(D(G_2(h))), and the sample is G_2(phi(h)). ``split_layer="output"``
(the default everywhere) is the layer after the whole generator. (Sørby writes the gradient as
grad_{theta_d}; as in Nitanda & Suzuki's paper it is taken with respect to the layer's input.)

- :func:`gradient_layer_step` is one such step; :class:`GradientLayers` a composition of them,
  one stored critic per layer, so new samples are refined the same way later;
  :class:`gankit.nets.split.GeneratorSplit` cuts a generator into G_1 and G_2.
- :func:`fine_tune` is Algorithm 2 of the paper (in Sørby's 2019 numbering): T times, train the
  critic T_0 steps against the samples refined so far, then add it as a layer; the newest
  critic acts first, as Sørby writes it. ``critic_steps=0`` refines by T steps of the trained
  critic itself.
- :func:`gankit.runs.refine.refine_run` applies either to a trained run (``gankit refine``) and
  writes before and after grids and metrics. Algorithm 3, the generator grown as a composition
  during training, is the ``gradient-layer`` method (:mod:`gankit.methods.gradient_layer`).

Memory. A composition of T layers keeps T critics (T |theta_D| weights) unless they are the
same critic (``critic_steps=0``), and refining a batch costs T critic forward and backward
passes (with a split, through G_2 as well), holding one pass's activations at a time.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import torch
from torch import nn

from gankit.errors import ConfigError
from gankit.losses import AdversarialLoss, build_loss
from gankit.nets.split import OUTPUT, GeneratorSplit

OLDEST_FIRST, NEWEST_FIRST = "oldest-first", "newest-first"  # the order critics act in
ORDERS = (OLDEST_FIRST, NEWEST_FIRST)


def gradient_layer_step(
    x: torch.Tensor,
    critic: nn.Module,
    eta: float,
    loss: AdversarialLoss,
    tail: Callable[[torch.Tensor], torch.Tensor] | None = None,
) -> torch.Tensor:
    """One gradient layer: x - eta grad_x l(D(x)) per sample (x + eta grad D(x) for Wasserstein).

    With ``tail`` (G_2 of a split generator, :meth:`GeneratorSplit.tail`) x is a feature h and
    the step is h - eta grad_h l(D(G_2(h))), the gradient taken through G_2 (Eq. 3.16 of
    Sørby 2019). Works under ``torch.no_grad()`` (it turns gradients on for itself); the result
    is detached. The critic (and G_2) should be in eval mode, so that each sample's step depends
    on that sample alone.
    """
    with torch.enable_grad(), torch.autocast(x.device.type, enabled=False):
        x = x.detach().float().requires_grad_(True)
        outputs = critic(x if tail is None else tail(x))
        # The generator losses are batch means: times the batch size, the sum of per-sample losses.
        total = loss.generator_loss(outputs) * outputs.shape[0]
        (gradient,) = torch.autograd.grad(total, x)
    return (x - eta * gradient).detach()


class GradientLayers(nn.Module):
    """x -> phi_T(... phi_1(x)), phi_k(x) = x - eta grad_x l(D_k(x)) with stored critics D_k.

    The critics are frozen copies, always in eval mode. ``loss`` names the gankit loss whose
    per-sample generator loss l is descended. ``order`` says which critic acts first:
    ``oldest-first`` (default; Algorithm 3, where D_k was trained against samples already moved
    by D_1..D_{k-1}, so it is the functional gradient at exactly that distribution) or
    ``newest-first`` (Algorithm 2 as Sørby 2019 writes it). ``split_layer`` records where in
    the generator the layers act (:class:`GeneratorSplit`); away from ``output`` they act on
    features and need the generator's tail G_2 (``layers(h, split.tail)``).
    """

    def __init__(
        self,
        eta: float,
        loss: str = "wasserstein",
        loss_options: dict | None = None,
        split_layer: str = OUTPUT,
        order: str = OLDEST_FIRST,
    ):
        super().__init__()
        if not eta > 0:
            raise ConfigError(f"The gradient-layer step size eta must be positive, got {eta}.")
        if order not in ORDERS:
            raise ConfigError(f"Gradient-layer order must be one of {list(ORDERS)}, got {order!r}.")
        self.eta, self.loss_name, self.loss_options = eta, loss, dict(loss_options or {})
        self.split_layer, self.order = split_layer, order
        self.loss = build_loss(loss, self.loss_options)
        self.critics = nn.ModuleList()
        self.repeats: list[int] = []  # how many consecutive layers each stored critic makes

    def __len__(self) -> int:
        return sum(self.repeats)

    def append(self, critic: nn.Module, times: int = 1) -> None:
        """Add ``times`` layers of a frozen copy of ``critic`` (stored once)."""
        self.critics.append(copy.deepcopy(critic).eval().requires_grad_(False))
        self.repeats.append(times)

    def train(self, mode: bool = True) -> GradientLayers:
        super().train(mode)
        self.critics.eval()  # a layer is a fixed function, whatever mode its owner is in
        return self

    def forward(
        self, x: torch.Tensor, tail: Callable[[torch.Tensor], torch.Tensor] | None = None
    ) -> torch.Tensor:
        if tail is None and self.split_layer != OUTPUT:
            raise ConfigError(
                f"These gradient layers act after generator layer {self.split_layer!r}, so their "
                "gradients go through the rest of the generator: call them as layers(h, "
                "split.tail) with split = GeneratorSplit(generator, layers.split_layer, ...)."
            )
        stack = list(zip(self.critics, self.repeats))
        for critic, times in reversed(stack) if self.order == NEWEST_FIRST else stack:
            for _ in range(times):
                x = gradient_layer_step(x, critic, self.eta, self.loss, tail)
        return x

    def to_state(self) -> dict[str, Any]:
        """Tensors, numbers and strings only: loadable with ``torch.load(weights_only=True)``."""
        return {
            "eta": self.eta,
            "loss": self.loss_name,
            "loss_options": self.loss_options,
            "split_layer": self.split_layer,
            "order": self.order,
            "repeats": list(self.repeats),
            "critics": [c.state_dict() for c in self.critics],
        }

    @classmethod
    def from_state(cls, state: dict[str, Any], make_critic: Callable[[], nn.Module]):
        """Rebuild from :meth:`to_state`; ``make_critic()`` builds one critic of the right shape.

        Files saved before the split and the order were recorded load as ``output`` and
        ``oldest-first``, which is what they were.
        """
        layers = cls(state["eta"], state["loss"], state["loss_options"],
                     state.get("split_layer", OUTPUT), state.get("order", OLDEST_FIRST))  # fmt: skip
        for critic_state, times in zip(state["critics"], state["repeats"]):
            critic = make_critic()
            critic.load_state_dict(critic_state)
            layers.append(critic, times)
        return layers


def load_gradient_layers(path: str | Path, critic: nn.Module) -> GradientLayers:
    """The composition ``refine_run`` saved (``gradient_layers.pt``); ``critic`` gives the shape
    of its critics (e.g. ``load_trained(run)[0].nets["discriminator"]``).

    Away from ``split_layer="output"`` the layers act inside the generator: refine new samples
    with ``split = GeneratorSplit(generator, layers.split_layer, spec.shape, z)`` and
    ``split.samples(split.head(z), layers)``.
    """
    state = torch.load(path, map_location="cpu", weights_only=True)
    device = next(critic.parameters()).device
    return GradientLayers.from_state(state, lambda: copy.deepcopy(critic)).to(device)


def critic_objective(
    critic: nn.Module,
    loss: AdversarialLoss,
    regularizers: list[Any],
    real: torch.Tensor,
    fake: torch.Tensor,
) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
    """The critic's loss on real and (refined) fake samples plus its penalties, and logs."""
    real_out, fake_out = critic(real), critic(fake)
    d_loss = loss.discriminator_loss(real_out, fake_out)
    logs = {"d_loss": d_loss.detach(), "d_real": real_out.detach().float().mean(),
            "d_fake": fake_out.detach().float().mean()}  # fmt: skip
    total = d_loss
    for regularizer in regularizers:
        penalty = regularizer.discriminator_penalty(critic, real, fake)
        if penalty is not None:
            total = total + penalty
            logs[regularizer.name] = penalty.detach()
    return total, logs


def fine_tune(
    draw_samples: Callable[[int], torch.Tensor],
    critic: nn.Module,
    real_batches: Iterator[torch.Tensor],
    steps: int,
    critic_steps: int,
    eta: float,
    loss: str = "wasserstein",
    loss_options: dict | None = None,
    regularizers: Sequence[Any] = (),
    optimizer: torch.optim.Optimizer | None = None,
    split: GeneratorSplit | None = None,
    on_layer: Callable[[GradientLayers], None] | None = None,
) -> GradientLayers:
    """Algorithm 2: ``steps`` (T) gradient layers, the critic trained ``critic_steps`` (T_0)
    steps before each against samples refined by the layers so far.

    ``draw_samples(n)`` draws n fresh generator samples, or with ``split`` n features G_1(z)
    (the layers then act inside the generator, the critic sees G_2 of them); ``real_batches``
    yields real batches. The critic is trained in place (``optimizer`` must hold its
    parameters; penalties come from ``regularizers``). With ``critic_steps=0`` the result is T
    layers of the critic as it is. ``on_layer(layers)``, if given, is called each time the
    composition grows (after every trained critic is added; once, with all T layers, when
    ``critic_steps=0``), e.g. to score the samples after 10, 20 and 30 layers of one run.
    """
    # Sørby 2019, Algorithm 2: x <- phi(... phi(phi(x; theta^(k)); theta^(k-1)) ...; theta^(1)).
    layers = GradientLayers(eta, loss, loss_options, split.name if split else OUTPUT, NEWEST_FIRST)
    if critic_steps == 0:
        layers.append(critic, steps)
        if on_layer is not None:
            on_layer(layers)
        return layers
    if optimizer is None:
        raise ConfigError("Fine-tuning the critic (critic_steps > 0) needs its optimizer.")
    adversarial = layers.loss
    for _ in range(steps):
        critic.train()
        for _ in range(critic_steps):
            real = next(real_batches)
            drawn = draw_samples(real.shape[0])
            fake = layers(drawn) if split is None else split.samples(drawn, layers)
            total, _ = critic_objective(critic, adversarial, list(regularizers), real, fake)
            optimizer.zero_grad(set_to_none=True)
            total.backward()
            optimizer.step()
            for regularizer in regularizers:
                regularizer.after_discriminator_step(critic)
        critic.eval()
        layers.append(critic)
        if on_layer is not None:
            on_layer(layers)
    return layers
