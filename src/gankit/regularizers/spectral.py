"""Spectral normalisation (Miyato et al. 2018), with its power iteration once per update.

Miyato et al., Algorithm 1: for each update of W, first one power iteration with the current W
(v <- W^T u / ||W^T u||, u <- W v / ||W v||), then the update on the loss of W_SN = W / sigma(W)
with sigma(W) = u^T W v. Torch's parametrization (and the authors' Chainer code) iterate on every
training-mode forward instead: two or three times per training step of a GAN (D on the real
batch, on the fake batch, and once more in G's step). ``iterate=update`` (the default) follows
the paper; ``iterate=forward`` keeps the per-forward behaviour.
"""

from __future__ import annotations

from typing import cast

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils import parametrize
from torch.optim.optimizer import register_optimizer_step_post_hook
from torch.utils.weak import WeakIdKeyDictionary

from gankit.errors import UnknownNameError
from gankit.regularizers.base import NET_NAMES, REGULARIZERS, Regularizer


class SpectralNormPerUpdate(nn.Module):
    """W -> W / (u^T W v), with u and v advanced by one power iteration per update of W.

    An update is an optimizer step over W (seen by a global optimizer step hook, since fused
    optimizers write W without advancing its version counter). The first training-mode forward
    after an update iterates; eval mode never does. The first iteration happens when the
    parametrization is registered (torch evaluates it once), before the first update. Loading a
    state dict (a resume) is not an update, so a resumed run iterates exactly when the
    uninterrupted one would. ``_u`` and
    ``_v`` are named as in ``torch.nn.utils.parametrizations.spectral_norm``, so checkpoints of
    either load in both.
    """

    _u: torch.Tensor  # buffers, registered in __init__
    _v: torch.Tensor

    def __init__(
        self, weight: torch.Tensor, iterations: int = 1, dim: int = 0, eps: float = 1e-12
    ) -> None:
        super().__init__()
        self.iterations, self.dim, self.eps = iterations, dim, eps
        rows, columns = self.matrix(weight).shape
        # Random unit vectors from the global RNG, as torch's parametrization draws them; no
        # warm-up iterations (torch runs 15): Algorithm 1 starts from a random u.
        self.register_buffer(
            "_u", F.normalize(weight.new_empty(rows).normal_(0, 1), dim=0, eps=eps)
        )
        self.register_buffer(
            "_v", F.normalize(weight.new_empty(columns).normal_(0, 1), dim=0, eps=eps)
        )
        self.updated = True  # W changed since the last iteration (at the start: none yet)

    def matrix(self, weight: torch.Tensor) -> torch.Tensor:
        """W as a matrix: the output dimension (``dim``) by everything else."""
        return weight.movedim(self.dim, 0).flatten(1)

    @torch.no_grad()
    def power_iteration(self, matrix: torch.Tensor) -> None:
        for _ in range(self.iterations):
            self._u.copy_(F.normalize(torch.mv(matrix, self._v), dim=0, eps=self.eps))
            self._v.copy_(F.normalize(torch.mv(matrix.t(), self._u), dim=0, eps=self.eps))

    def forward(self, weight: torch.Tensor) -> torch.Tensor:
        with torch.autocast(weight.device.type, enabled=False):
            matrix = self.matrix(weight)
            if self.training and self.updated:
                self.power_iteration(matrix.detach())
                self.updated = False
            sigma = torch.vdot(self._u, torch.mv(matrix, self._v))
            return weight / sigma


# Each parametrized weight (the ``original`` parameter) -> its normalisation, for the hook below.
_NORMS: WeakIdKeyDictionary = WeakIdKeyDictionary()
_hook_registered = False


def _watch(weight: torch.Tensor, norm: SpectralNormPerUpdate) -> None:
    global _hook_registered
    _NORMS[weight] = norm
    if not _hook_registered:
        register_optimizer_step_post_hook(_mark_updated)
        _hook_registered = True


def _mark_updated(optimizer: torch.optim.Optimizer, args: object, kwargs: object) -> None:
    for group in optimizer.param_groups:
        for weight in group["params"]:
            norm = _NORMS.get(weight)
            if norm is not None:
                norm.updated = True


@REGULARIZERS.register("spectral_norm")
class SpectralNorm(Regularizer):
    """Spectral normalisation (Miyato et al. 2018, Eq. 8): every layer's W becomes W / sigma(W).

    sigma(W), the largest singular value, is estimated by ``power_iterations`` power iterations
    (1, the paper's setting) per update of W (``iterate=update``, Algorithm 1), or per
    training-mode forward pass (``iterate=forward``: torch's parametrization and the authors'
    code). Applied to every convolution, transposed convolution, linear and embedding layer of
    ``net`` (D). A convolution's kernel is reshaped to (out, in * kh * kw), as in the paper.
    """

    name = "spectral_norm"
    constrains_lipschitz = True
    LAYERS = (nn.Conv2d, nn.ConvTranspose2d, nn.Linear, nn.Embedding)
    ITERATE = ("update", "forward")

    def __init__(
        self, net: str = "discriminator", power_iterations: int = 1, iterate: str = "update"
    ) -> None:
        if net not in NET_NAMES:
            raise UnknownNameError("network", net, NET_NAMES)
        if iterate not in self.ITERATE:
            raise UnknownNameError("spectral_norm iterate", iterate, self.ITERATE)
        self.net, self.power_iterations, self.iterate = net, power_iterations, iterate

    def prepare(self, nets: dict[str, nn.Module]) -> None:
        for module in list(nets[self.net].modules()):
            if not isinstance(module, self.LAYERS):
                continue
            if self.iterate == "forward":
                nn.utils.parametrizations.spectral_norm(
                    module, n_power_iterations=self.power_iterations
                )
                continue
            dim = 1 if isinstance(module, nn.ConvTranspose2d) else 0  # as torch's: the output
            norm = SpectralNormPerUpdate(module.weight.detach(), self.power_iterations, dim)
            parametrize.register_parametrization(module, "weight", norm)
            _watch(_weight_parametrizations(module).original, norm)
            module.register_load_state_dict_post_hook(_loaded)


def _loaded(module: nn.Module, incompatible_keys: object) -> None:
    """A loaded W is not an update: the loaded u and v already belong to it."""
    cast(SpectralNormPerUpdate, _weight_parametrizations(module)[0]).updated = False


def _weight_parametrizations(module: nn.Module) -> parametrize.ParametrizationList:
    """``module.parametrizations.weight``, typed (``nn.Module`` attributes are untyped)."""
    return cast(
        parametrize.ParametrizationList, cast(nn.ModuleDict, module.parametrizations).weight
    )
