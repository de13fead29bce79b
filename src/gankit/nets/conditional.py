"""Class-conditional versions of any registered generator and discriminator.

Each wrapper takes a net built by the ordinary registries (``mlp``, ``dcgan``, ``resnet``, ...)
and lets class labels in, so one conditional recipe works with every net family:

- :class:`EmbeddingGenerator`: a learned label embedding concatenated with z. Mirza & Osindero
  2014 (§4.1) mapped z and a one-hot y through separate hidden layers that were then joined;
  an embedding of y joined with z at the input is the same idea with one layer fewer;
- :class:`ConditionalBatchNormGenerator`: every BatchNorm of G becomes a conditional BatchNorm
  whose scale and shift are looked up per class (Dumoulin et al. 2017; de Vries et al. 2017),
  as in the generators of Miyato & Koyama 2018's experiments;
- :class:`ConcatDiscriminator`: one-hot label planes concatenated with the image channels (or
  the one-hot vector with a point), so D sees (x, y) from its first layer (Mirza & Osindero
  joined x and y after one maxout layer each);
- :class:`ProjectionDiscriminator`: D(x, y) = psi(phi(x)) + <embed(y), phi(x)> (Miyato & Koyama
  2018, "cGANs with Projection Discriminator", Eq. 3), where phi(x) is the input of D's output
  layer, summed over space, and psi is that output layer.

All take labels as a LongTensor (N,) of class indices in [0, num_classes).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from gankit.core.spec import DataSpec
from gankit.errors import ConfigError, GankitError, UnknownNameError
from gankit.nets.registry import build_discriminator, build_generator

GENERATOR_CONDITIONINGS = ("embedding", "batchnorm")
DISCRIMINATOR_CONDITIONINGS = ("concat", "projection")


class EmbeddingGenerator(nn.Module):
    """G(z, y) = inner(concat(z, embed(y))); ``inner`` takes codes of z_dim + embedding_dim."""

    def __init__(self, inner: nn.Module, num_classes: int, embedding_dim: int) -> None:
        super().__init__()
        self.inner = inner
        self.embedding = nn.Embedding(num_classes, embedding_dim)
        nn.init.normal_(self.embedding.weight, 0.0, 1.0)  # on the scale of the N(0, I) codes

    def forward(self, z: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        return self.inner(torch.cat([z.flatten(1), self.embedding(labels)], dim=1))


class ConditionalBatchNorm(nn.Module):
    """BatchNorm without its own affine part, then a per-class scale and shift.

    The scale starts at 1 and the shift at 0 for every class, so at initialisation this is the
    plain BatchNorm it replaced. The labels are set by the generator that owns it
    (:class:`ConditionalBatchNormGenerator`) for the length of one forward pass.
    """

    def __init__(self, norm: nn.modules.batchnorm._BatchNorm, num_classes: int) -> None:
        super().__init__()
        self.norm = type(norm)(
            norm.num_features, eps=norm.eps, momentum=norm.momentum, affine=False
        )
        self.scale = nn.Embedding(num_classes, norm.num_features)
        self.shift = nn.Embedding(num_classes, norm.num_features)
        nn.init.ones_(self.scale.weight)
        nn.init.zeros_(self.shift.weight)
        self.labels: torch.Tensor | None = None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.labels is None:
            raise GankitError(
                "A conditional BatchNorm ran without labels: call the generator that owns it "
                "with (z, labels), not one of its layers on its own."
            )
        shape = (x.shape[0], -1) + (1,) * (x.dim() - 2)
        scale = self.scale(self.labels).view(shape)
        shift = self.shift(self.labels).view(shape)
        return self.norm(x) * scale + shift


class ConditionalBatchNormGenerator(nn.Module):
    """G(z, y) = inner(z) with every BatchNorm of ``inner`` made class-conditional."""

    def __init__(self, inner: nn.Module, num_classes: int) -> None:
        super().__init__()
        self.inner = inner
        self.norms = _replace_batch_norms(inner, num_classes)
        if not self.norms:
            raise ConfigError(
                "generator_conditioning=batchnorm needs a generator with BatchNorm layers, and "
                "this one has none. Use generator_conditioning=embedding."
            )

    def forward(self, z: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        for norm in self.norms:
            norm.labels = labels
        try:
            return self.inner(z)
        finally:
            for norm in self.norms:
                norm.labels = None


def _replace_batch_norms(net: nn.Module, num_classes: int) -> list[ConditionalBatchNorm]:
    replaced = []
    for parent in list(net.modules()):
        for name, child in list(parent.named_children()):
            if isinstance(child, nn.modules.batchnorm._BatchNorm):
                conditional = ConditionalBatchNorm(child, num_classes)
                setattr(parent, name, conditional)
                replaced.append(conditional)
    return replaced


def one_hot_planes(labels: torch.Tensor, num_classes: int, like: torch.Tensor) -> torch.Tensor:
    """One-hot labels shaped like ``like`` but with ``num_classes`` channels (or features)."""
    hot = F.one_hot(labels.long(), num_classes).to(like.dtype)
    if like.dim() == 2:
        return hot
    return hot.view(*hot.shape, *(1,) * (like.dim() - 2)).expand(-1, -1, *like.shape[2:])


def concat_spec(spec: DataSpec, num_classes: int) -> DataSpec:
    """The data spec a :class:`ConcatDiscriminator`'s inner net sees: K more channels."""
    return DataSpec(spec.kind, (spec.shape[0] + num_classes, *spec.shape[1:]), spec.num_classes)


class ConcatDiscriminator(nn.Module):
    """D(x, y) = inner(concat(x, one_hot(y))) along channels; ``inner`` is built for
    :func:`concat_spec`."""

    def __init__(self, inner: nn.Module, num_classes: int) -> None:
        super().__init__()
        self.inner, self.num_classes = inner, num_classes
        self.output_kind = getattr(inner, "output_kind", "score")

    def forward(self, x: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        return self.inner(torch.cat([x, one_hot_planes(labels, self.num_classes, x)], dim=1))


class ProjectionDiscriminator(nn.Module):
    """D(x, y) = psi(phi(x)) + <embed(y), sum over space of phi(x)> (Miyato & Koyama 2018, Eq. 3).

    psi is the output layer of ``inner`` (its last Linear or Conv2d with one output), phi(x) the
    features that layer reads: for the ResNet D, the sum-pooled ReLU features of the paper
    exactly; for DCGAN, the last feature map, summed over its positions; for the MLP, the last
    hidden layer. The class embedding V starts at the scale of psi's weights, so that the
    class term does not swamp the score at first (a zero start would leave spectral
    normalisation dividing by zero).
    """

    def __init__(self, inner: nn.Module, num_classes: int) -> None:
        super().__init__()
        if getattr(inner, "output_kind", "score") != "score":
            raise ConfigError(
                "conditioning=projection needs a discriminator that outputs a score; the "
                "auto-encoder discriminator outputs an energy. Use conditioning=concat."
            )
        self.inner = inner
        output_layer = _output_layer(inner)
        features = (
            output_layer.in_features
            if isinstance(output_layer, nn.Linear)
            else output_layer.in_channels
        )
        self.embedding = nn.Embedding(num_classes, features)
        with torch.no_grad():  # V on the scale of psi's weights, which read the same features
            self.embedding.weight.normal_(0.0, float(output_layer.weight.std()))
        self.output_kind = "score"
        self._features: torch.Tensor | None = None
        output_layer.register_forward_pre_hook(self._keep_features)

    def _keep_features(self, module: nn.Module, inputs: tuple[torch.Tensor, ...]) -> None:
        self._features = inputs[0]

    def forward(self, x: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        score = self.inner(x)
        features, self._features = self._features, None
        assert features is not None  # the hook on the output layer has just kept them
        pooled = (
            features.sum(dim=tuple(range(2, features.dim()))) if features.dim() > 2 else features
        )
        return score + (self.embedding(labels) * pooled).sum(dim=1)


def _output_layer(net: nn.Module) -> nn.Linear | nn.Conv2d:
    """The last Linear or Conv2d of ``net`` with a single output: the layer that gives the score."""
    layers = [
        m
        for m in net.modules()
        if (isinstance(m, nn.Linear) and m.out_features == 1)
        or (isinstance(m, nn.Conv2d) and m.out_channels == 1)
    ]
    if not layers:
        raise ConfigError(
            f"conditioning=projection cannot find the output layer of {type(net).__name__} (a "
            "Linear or Conv2d with one output). Use conditioning=concat."
        )
    return layers[-1]


def build_conditional_generator(
    name: str,
    z_dim: int,
    spec: DataSpec,
    num_classes: int,
    conditioning: str,
    options: dict,
    embedding_dim: int = 10,
) -> nn.Module:
    """Generator family ``name`` taking labels by ``embedding`` or by ``batchnorm``."""
    if conditioning == "embedding":
        inner = build_generator(name, z_dim + embedding_dim, spec, options)
        return EmbeddingGenerator(inner, num_classes, embedding_dim)
    if conditioning == "batchnorm":
        return ConditionalBatchNormGenerator(
            build_generator(name, z_dim, spec, options), num_classes
        )
    raise UnknownNameError("generator_conditioning", conditioning, GENERATOR_CONDITIONINGS)


def build_conditional_discriminator(
    name: str, spec: DataSpec, num_classes: int, conditioning: str, options: dict
) -> nn.Module:
    """Discriminator family ``name`` taking labels by ``concat`` or by ``projection``."""
    if conditioning == "concat":
        inner = build_discriminator(name, concat_spec(spec, num_classes), options)
        return ConcatDiscriminator(inner, num_classes)
    if conditioning == "projection":
        return ProjectionDiscriminator(build_discriminator(name, spec, options), num_classes)
    raise UnknownNameError("conditioning", conditioning, DISCRIMINATOR_CONDITIONINGS)
