"""A tiny convolutional critic and per-sample gradient norms computed the slow, direct way,
shared by the regularizer tests of this folder (imported as ``tiny_critics``)."""

import math

import torch
from torch import nn


def tiny_critic():
    torch.manual_seed(0)
    return nn.Sequential(
        nn.Conv2d(1, 4, 3, 2, 1), nn.LeakyReLU(0.2), nn.Flatten(), nn.Linear(4 * 4 * 4, 1)
    )


def critic_out(D, x):
    return D(x).flatten()


def direct_gradient_norms(D, points):
    """Each sample's gradient norm from its own autograd call: no batching tricks."""
    norms = []
    for x in points:
        x = x.unsqueeze(0).clone().requires_grad_(True)
        (grad,) = torch.autograd.grad(D(x).sum(), x)
        norms.append(math.sqrt(float((grad**2).sum())))
    return torch.tensor(norms)
