"""The peer implementations the cross-check tests compare gankit with, and how to import them.

The peers (pytorch-fid, torch-fidelity, clean-fid, prdc, torchmetrics) live only in the
cross-check environment that ``make crosscheck`` builds (``.venv-crosscheck``); gankit itself
never needs them, nor torchvision.

pytorch-fid, torch-fidelity and clean-fid depend on torchvision. PyPI's torchvision wheel for
torch 2.13 is built against the CUDA torch, so beside the CPU torch its compiled operators
(``torchvision/_C.so``) do not load, and ``import torchvision`` then stops at
``RuntimeError: operator torchvision::nms does not exist``: its ``_meta_registrations`` module
registers fake kernels for two operators, ``torchvision::nms`` and ``torchvision::qnms``,
whatever the compiled library did. The peers use only torchvision's Python parts (the
Inception3 class, ``ToTensor``/``pil_to_tensor``, dataset classes they import but we never
use), so :func:`import_torchvision` declares those two operator schemas, with no
implementation, and imports torchvision again. Calling ``torchvision.ops.nms`` would still fail.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from types import ModuleType

import torch

# Module name -> the PyPI distribution that provides it.
PEERS = {
    "pytorch_fid": "pytorch-fid",
    "torch_fidelity": "torch-fidelity",
    "cleanfid": "clean-fid",
    "prdc": "prdc",
    "torchmetrics": "torchmetrics",
}

# The schemas of torchvision's C++ registrations (torchvision/csrc/ops/nms.cpp, quantized/).
OPERATOR_SCHEMAS = (
    "nms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor",
    "qnms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor",
)
_declared: list[torch.library.Library] = []  # kept alive: a dropped Library unregisters


def missing_peers() -> list[str]:
    """The PyPI names of the peers that are not installed (found without importing them)."""
    return [dist for module, dist in PEERS.items() if importlib.util.find_spec(module) is None]


def declare_torchvision_operators() -> None:
    """Declare ``torchvision::nms`` and ``torchvision::qnms`` (schemas only), once."""
    if _declared:
        return
    library = torch.library.Library("torchvision", "DEF")
    for schema in OPERATOR_SCHEMAS:
        library.define(schema)
    _declared.append(library)


def import_torchvision() -> ModuleType:
    """torchvision, with its two operators declared first if its compiled library fails."""
    try:
        return importlib.import_module("torchvision")
    except RuntimeError as exc:
        if "torchvision::" not in str(exc):
            raise
    for name in [m for m in sys.modules if m == "torchvision" or m.startswith("torchvision.")]:
        del sys.modules[name]  # the half-imported package, so it is imported afresh
    declare_torchvision_operators()
    return importlib.import_module("torchvision")


def import_peer(name: str) -> ModuleType:
    """A peer module (e.g. ``"pytorch_fid.inception"``), torchvision made importable first."""
    import_torchvision()
    return importlib.import_module(name)
