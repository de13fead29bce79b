"""A tiny DCGAN-configured GAN method and batches for it, shared by tests/methods/test_gan.py
and tests/methods/test_adversarial.py (imported as ``gan_helpers``)."""

import torch

from gankit.core.spec import DataSpec
from gankit.methods import METHODS
from gankit.runs.launch import resolve_config

SPEC = DataSpec("image", (1, 16, 16))
TINY = ["generator.width=8", "discriminator.width=8", "z_dim=8"]


def build(method="dcgan", overrides=()):
    cfg = resolve_config(
        method, None, [*TINY, *overrides] if method == "dcgan" else list(overrides)
    )
    torch.manual_seed(0)
    return METHODS.get(method)(cfg, SPEC, "cpu")


def batch(n=8):
    return torch.rand(n, *SPEC.shape) * 2 - 1, torch.zeros(n, dtype=torch.long)


def snapshot(net):
    return [p.detach().clone() for p in net.parameters()]


def changed(before, net):
    return any(not torch.equal(a, b) for a, b in zip(before, net.parameters()))


def generator_inputs(method):
    """Every z the generator is called with, in order."""
    seen = []
    method.nets["generator"].register_forward_pre_hook(lambda _, args: seen.append(args[0]))
    return seen
