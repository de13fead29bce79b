"""Semi-supervised GAN classification: the labelled subset, the K+1-class likelihoods, accuracy.

The discriminator has K + 1 outputs: column 0 is "generated", columns 1..K the classes
(Salimans et al. 2016, §5; Saatci & Wilson 2017, §3.2). With l its logits, the likelihoods of
Saatci & Wilson's semi-supervised posteriors (Eq. 4, and the generator's just above it) are

- an unlabelled real image is real, of some class:  log sum_{y>=1} D(x -> y)
- a generated image is generated:                   log D(G(z) -> 0)
- a labelled image has its class:                   log D(x_s -> y_s)
- the generator wants its images taken as real:     log sum_{y>=1} D(G(z) -> y)

each a log-softmax over all K + 1 logits. Classification uses the class columns alone:
p(y | x, real) = softmax(l_1..l_K).

This module also picks the balanced, seeded labelled subset, trains the supervised baseline (the
same network on the labelled images only) and measures accuracy; the test accuracy of a trained
run is :func:`gankit.runs.accuracy.run_accuracy`.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch import nn

from gankit.errors import ConfigError, DataError


def balanced_subset(labels: torch.Tensor, count: int, num_classes: int, seed: int) -> torch.Tensor:
    """Indices of ``count`` examples, ``count / num_classes`` of each class, chosen by ``seed``.

    The same labels, count and seed always give the same indices (sorted), whatever the global
    RNG is doing.
    """
    if count < num_classes or count % num_classes:
        raise ConfigError(
            f"semi.labels={count} must be a positive multiple of the {num_classes} classes, so "
            f"each class gets the same number of labelled examples (e.g. {10 * num_classes})."
        )
    per_class = count // num_classes
    rng = torch.Generator().manual_seed(seed)
    chosen = []
    for label in range(num_classes):
        members = (labels.cpu() == label).nonzero().flatten()
        if len(members) < per_class:
            raise DataError(
                f"Class {label} has {len(members)} training examples, fewer than the {per_class} "
                f"that semi.labels={count} needs; lower semi.labels."
            )
        chosen.append(members[torch.randperm(len(members), generator=rng)[:per_class]])
    return torch.cat(chosen).sort().values


def real_log_likelihood(logits: torch.Tensor) -> torch.Tensor:
    """log sum_{y>=1} D(x -> y) per sample: the image is real, of any class."""
    return torch.logsumexp(logits[:, 1:], dim=1) - torch.logsumexp(logits, dim=1)


def generated_log_likelihood(logits: torch.Tensor) -> torch.Tensor:
    """log D(x -> 0) per sample: the image is generated."""
    return logits[:, 0] - torch.logsumexp(logits, dim=1)


def labelled_log_likelihood(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """log D(x -> y) per sample for labels y in 0..K-1 (column y + 1)."""
    return -F.cross_entropy(logits, labels + 1, reduction="none")


def discriminator_loss(
    real: torch.Tensor, fake: torch.Tensor, labelled: torch.Tensor, labels: torch.Tensor
) -> torch.Tensor:
    """-(mean real + mean generated + mean labelled log-likelihood), from the three logit sets.

    Each term is a minibatch mean with weight 1, as in the authors' code: the labelled term is
    not shrunk by N_s / N, which would drown 100 labels in 60,000 unlabelled images.
    """
    return -(
        real_log_likelihood(real).mean()
        + generated_log_likelihood(fake).mean()
        + labelled_log_likelihood(labelled, labels).mean()
    )


def generator_loss(fake: torch.Tensor) -> torch.Tensor:
    """-mean log sum_{y>=1} D(G(z) -> y): the generator wants its images taken as real."""
    return -real_log_likelihood(fake).mean()


def class_probabilities(logits: torch.Tensor) -> torch.Tensor:
    """p(y | x) over the K classes, from K + 1 logits (the "generated" column dropped)."""
    return torch.softmax(logits[:, 1:], dim=1)


def accuracy(
    probabilities: Callable[[torch.Tensor], torch.Tensor],
    images: torch.Tensor,
    labels: torch.Tensor,
    batch_size: int = 500,
) -> float:
    """The fraction of ``images`` whose most probable class (``probabilities(batch)``) is right."""
    correct = 0
    for batch, batch_labels in zip(images.split(batch_size), labels.split(batch_size)):
        predicted = probabilities(batch).argmax(dim=1).cpu()
        correct += int((predicted == batch_labels.cpu()).sum())
    return correct / len(images)


def train_supervised(
    net: nn.Module,
    images: torch.Tensor,
    labels: torch.Tensor,
    steps: int,
    batch_size: int = 64,
    lr: float = 2e-4,
    seed: int = 0,
) -> nn.Module:
    """The supervised baseline: ``net`` (K outputs) trained on the labelled images alone.

    Adam (lr, betas 0.5 and 0.999) on the cross-entropy of minibatches drawn with replacement,
    for ``steps`` steps; the global RNG is left as it was.
    """
    device = next(net.parameters()).device
    optimizer = torch.optim.Adam(net.parameters(), lr=lr, betas=(0.5, 0.999))
    with torch.random.fork_rng(devices=[]):
        rng = torch.Generator().manual_seed(seed)
        net.train()
        for _ in range(steps):
            index = torch.randint(len(images), (batch_size,), generator=rng)
            logits = net(images[index].to(device))
            loss = F.cross_entropy(logits, labels[index].to(device))
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
    return net.eval()
