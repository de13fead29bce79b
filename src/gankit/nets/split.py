"""A generator cut in two after one of its layers, G = G_2 o G_1, for gradient layers that act on
G_1's features (Nitanda & Suzuki 2018, §3; Sørby 2019, §3.3)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import torch
from torch import nn

from gankit.errors import ConfigError

OUTPUT = "output"  # split_layer: the gradient layers follow the whole generator


class GeneratorSplit:
    """A generator cut after one of its layers, G = G_2 o G_1 (Nitanda & Suzuki 2018, §3;
    Sørby 2019, §3.3), so that gradient layers can act on the features G_1(z).

    ``split_layer`` names a layer of the generator's body, the ``nn.Sequential`` that takes the
    latent to the sample: the generator itself if it is one (layers ``0``, ``1``, ...), else its
    child ``net`` (the mlp and dcgan generators; layers ``net.0``, ``net.1``, ...); the layers
    act on that layer's output. G_1 is the generator's forward up to that layer; G_2 the rest of
    the body, reshaped to ``sample_shape``. Both run in eval mode and G_1 without gradients, so
    each sample moves by its own gradient alone. ``probe`` (a latent batch) checks once that
    G_2(G_1(z)) = G(z); a generator whose forward does more after its body cannot be split.
    """

    def __init__(
        self, generator: nn.Module, split_layer: str, sample_shape: tuple[int, ...], probe: Any
    ) -> None:
        self.generator, self.name, self.shape = generator, split_layer, tuple(sample_shape)
        body, prefix = _body(generator)
        choices = {f"{prefix}{i}": i for i in range(len(body) - 1)}  # after the last = output
        if split_layer not in choices:
            listed = ", ".join(f"{name} ({type(body[i]).__name__})" for name, i in choices.items())
            raise ConfigError(
                f"split_layer must be {OUTPUT!r} or a layer of the {type(generator).__name__} "
                f"body after which the gradient layers act: {listed}; got {split_layer!r}."
            )
        index = choices[split_layer]
        self.layer, self.rest = body[index], body[index + 1 :]
        with torch.no_grad(), _eval_mode(generator):
            whole, parts = generator(*_as_tuple(probe)), self.tail(self.head(probe))
        if whole.shape != parts.shape or not torch.allclose(whole, parts, atol=1e-5):
            raise ConfigError(
                f"{type(generator).__name__}'s forward does more than reshaping after its body, "
                f"so it cannot be split at {split_layer!r}; use split_layer={OUTPUT}."
            )

    def head(self, latent: Any) -> torch.Tensor:
        """G_1(z): the features after ``split_layer`` (no gradients, eval mode)."""

        def stop(module: nn.Module, inputs: Any, output: torch.Tensor) -> None:
            raise _Features(output)

        handle = self.layer.register_forward_hook(stop)
        try:
            with torch.no_grad(), _eval_mode(self.generator):
                self.generator(*_as_tuple(latent))
        except _Features as reached:
            return reached.features
        finally:
            handle.remove()
        raise ConfigError(f"The generator's forward never ran layer {self.name!r}.")

    def tail(self, features: torch.Tensor) -> torch.Tensor:
        """G_2(h): the rest of the body, in eval mode, reshaped to a sample. On a copy of ``h``:
        the rest may begin in place (the dcgan nets' ReLU(inplace=True) after a batch norm)."""
        with _eval_mode(self.rest):
            return self.rest(features.clone()).reshape(features.shape[0], *self.shape)

    def samples(self, features: torch.Tensor, layers: Callable | None = None) -> torch.Tensor:
        """G_2(layers(h)) (G_2(h) without ``layers``), without gradients."""
        if layers is not None:
            features = layers(features, self.tail)
        with torch.no_grad():
            return self.tail(features)


class _Features(Exception):
    """Stops a generator's forward at the split layer, carrying that layer's output."""

    def __init__(self, features: torch.Tensor) -> None:
        super().__init__()
        self.features = features


def _body(generator: nn.Module) -> tuple[nn.Sequential, str]:
    if isinstance(generator, nn.Sequential):
        return generator, ""
    body = getattr(generator, "net", None)
    if not isinstance(body, nn.Sequential):
        raise ConfigError(
            f"{type(generator).__name__} has no nn.Sequential body (a `net` child) to split; "
            f"use split_layer={OUTPUT}."
        )
    return body, "net."


def _as_tuple(latent: Any) -> tuple:
    return latent if isinstance(latent, tuple) else (latent,)


@contextlib.contextmanager
def _eval_mode(module: nn.Module) -> Iterator[None]:
    """Eval mode inside, each submodule's own mode restored after."""
    modes = [(m, m.training) for m in module.modules()]
    module.eval()
    try:
        yield
    finally:
        for m, training in modes:
            m.training = training
