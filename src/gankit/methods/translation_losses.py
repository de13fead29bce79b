"""What the image-to-image methods (pix2pix, CycleGAN) share: their adversarial loss, picked by
its config name, and their regularizers, checked against that loss."""

from __future__ import annotations

from typing import Any

from torch import nn

from gankit.core.spec import DataSpec
from gankit.errors import ConfigError
from gankit.losses import AdversarialLoss, WassersteinLoss, build_loss
from gankit.regularizers import REGULARIZERS, Regularizer, build_regularizers

LOSS_NAMES = {"vanilla": "nonsaturating", "lsgan": "least_squares"}
SMOOTHED_TARGET = {"nonsaturating": "real_label", "minimax": "real_label", "least_squares": "b"}


def build_translation_loss(name: str, label_smoothing: float = 0.0) -> AdversarialLoss:
    """The adversarial loss of pix2pix and CycleGAN from its config name.

    ``vanilla`` is the log loss with G's non-saturating term; ``least_squares`` (or ``lsgan``)
    is the mean squared error to the target for both players, without Mao et al.'s 1/2s (Zhu
    et al. 2017, §4; junyanz/pytorch-CycleGAN-and-pix2pix's ``GANLoss("lsgan")``), so that with
    D's objective halved D = (MSE_real + MSE_fake) / 2 and G = MSE. ``label_smoothing`` lowers
    D's real target to 1 - label_smoothing (one-sided, Salimans et al. 2016, §3.4).
    """
    loss = LOSS_NAMES.get(name, name)
    options: dict[str, Any] = {"halved": False} if loss == "least_squares" else {}
    if label_smoothing:
        if loss not in SMOOTHED_TARGET:
            raise ConfigError(
                f"label_smoothing lowers D's real target, which loss={name!r} does not have; "
                "use loss=vanilla or least_squares, or label_smoothing=0."
            )
        options[SMOOTHED_TARGET[loss]] = 1.0 - label_smoothing
    return build_loss(loss, options)


def build_translation_regularizers(
    items: list[Any], loss: AdversarialLoss, spec: DataSpec, pairs: list[dict[str, nn.Module]]
) -> list[Regularizer]:
    """The ``regularizers`` of a translation method, checked and applied to each (G, D) pair of
    ``pairs`` (``{"generator": G, "discriminator": D}``) before the optimizers are built.

    A Wasserstein loss needs a Lipschitz critic (Arjovsky et al. 2017), so it is refused
    without a regularizer that ``constrains_lipschitz``.
    """
    regularizers = build_regularizers(items)
    if isinstance(loss, WassersteinLoss) and not any(r.constrains_lipschitz for r in regularizers):
        fixes = [n for n in REGULARIZERS.names() if REGULARIZERS.get(n).constrains_lipschitz]
        raise ConfigError(
            "loss=wasserstein needs a Lipschitz discriminator, and no regularizer constrains "
            f"it: add one of {', '.join(fixes)}, e.g. regularizers=[gradient_penalty]."
        )
    for regularizer in regularizers:
        for nets in pairs:
            regularizer.check(spec, nets)
            regularizer.prepare(nets)
    return regularizers
