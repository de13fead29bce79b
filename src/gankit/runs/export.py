"""A trained run's sampling network, exported for use elsewhere (``gankit export``).

Two formats, each a folder with the network and a ``config.json`` that says how to call it:

- ``safetensors``: ``generator.safetensors``, the weights alone (no code, safe to open from
  anyone), plus the run's full config, so that :func:`gankit.load` rebuilds the network from
  the export without the run folder or the training script;
- ``pt2``: ``generator.pt2``, the network as a ``torch.export`` program with a dynamic batch
  size, callable without gankit: ``torch.export.load("generator.pt2").module()(*inputs)`` with
  the inputs ``config.json`` lists (e.g. a latent batch drawn from N(0, I), then class labels).
  Noise-driven runs only: the translation networks run with dropout at test time (pix2pix),
  which an exported graph would freeze. (TorchScript, deprecated since torch 2.10, is not
  offered.)

The weights are the EMA ones where the run kept them, as everywhere samples are drawn.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import torch

from gankit import __version__
from gankit.config import from_saved, to_dict
from gankit.core.method import Method, Translator
from gankit.core.spec import DataSpec
from gankit.errors import CheckpointError, ConfigError
from gankit.methods import METHODS
from gankit.plugins import import_modules
from gankit.runs.launch import build_trained, locate_checkpoint
from gankit.runs.run import Run
from gankit.training.checkpoint import load_checkpoint

FORMATS = ("safetensors", "pt2")
EXPORT_FORMAT = "gankit-export"
DESCRIPTION = "config.json"
FILES = {"safetensors": "generator.safetensors", "pt2": "generator.pt2"}


def export_run(
    run_dir: str | Path, out: str | Path, file_format: str = "safetensors", use_ema: bool = True
) -> Path:
    """Write the run's sampling network to the folder ``out`` in ``file_format``; returns
    ``out``. The network's outputs on a fixed input are checked against the run's own."""
    if file_format not in FORMATS:
        raise ConfigError(
            f"Unknown export format {file_format!r}; use one of {', '.join(FORMATS)}."
        )
    run, checkpoint = locate_checkpoint(run_dir)
    state = load_checkpoint(checkpoint)
    method, cfg, net = build_trained(state, run.path, "cpu", use_ema)
    net.eval()
    inputs = _example_inputs(method)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    if file_format == "pt2":
        if isinstance(method, Translator):
            raise ConfigError(
                f"A {cfg.method} run translates with dropout at test time, which an exported "
                "graph would freeze; export it with --format safetensors."
            )
        batch = torch.export.Dim("batch", min=1)
        try:
            program = torch.export.export(
                net, inputs, dynamic_shapes=tuple({0: batch} for _ in inputs)
            )
        except Exception as exc:  # torch.export raises many kinds for code it cannot capture
            raise ConfigError(
                f"The {cfg.method} generator cannot be captured by torch.export "
                f"({type(exc).__name__}); use --format safetensors."
            ) from None
        torch.export.save(program, str(out / FILES[file_format]))
    else:
        save_file = _safetensors().save_file
        state = {
            key: value.detach().clone().contiguous() for key, value in net.state_dict().items()
        }
        save_file(state, str(out / FILES[file_format]), metadata={"format": EXPORT_FORMAT})
    description = {
        "format": EXPORT_FORMAT,
        "file": FILES[file_format],
        "file_format": file_format,
        "gankit_version": __version__,
        "method": cfg.method,
        "run": str(run_dir),
        "sampling_net": method.sampling_net,
        "inputs": [_describe(value, method) for value in inputs],
        "output": {"shape": [None, *method.spec.shape], "range": [-1, 1], "dtype": "float32"},
        "weights": "ema" if use_ema and state.get("ema") is not None else "trained",
        "spec": method.spec.to_dict(),
        "config": to_dict(cfg),
    }
    (out / DESCRIPTION).write_text(json.dumps(description, indent=2) + "\n")
    return out


def is_export(path: Path) -> bool:
    """Whether ``path`` is a folder written by :func:`export_run`."""
    described = path / DESCRIPTION
    if not (path.is_dir() and described.is_file()):
        return False
    try:
        return json.loads(described.read_text()).get("format") == EXPORT_FORMAT
    except (json.JSONDecodeError, AttributeError):
        return False


def load_export(path: str | Path, device: str = "cpu") -> Run:
    """A :class:`Run` rebuilt from a safetensors export: the method built from the exported
    config, its sampling network loaded with the exported weights (no run folder needed)."""
    path = Path(path)
    description = json.loads((path / DESCRIPTION).read_text())
    if description["file_format"] != "safetensors":
        raise ConfigError(
            f"{path} holds a {description['file_format']} export, which runs without gankit: "
            f"torch.export.load('{path / description['file']}').module(). gankit.load reads "
            "safetensors exports."
        )
    import_modules(description["config"].get("imports") or [], source=f"export {path}")
    config_class = METHODS.get(description["method"]).config_class
    cfg = from_saved(config_class, description["config"])
    method = METHODS.get(cfg.method)(cfg, DataSpec.from_dict(description["spec"]), device)
    net = method.nets[description["sampling_net"]]
    try:
        state = _safetensors().load_file(str(path / description["file"]), device=str(device))
        net.load_state_dict(state)
    except (OSError, RuntimeError) as exc:
        raise CheckpointError(
            f"{path / description['file']} does not hold this {cfg.method} network's weights "
            f"({type(exc).__name__}); export the run again."
        ) from None
    return Run(path, method, cfg, net)


def _example_inputs(method: Method) -> tuple[torch.Tensor, ...]:
    if isinstance(method, Translator):
        (shape, _) = method.translation_shapes()
        return (torch.zeros(2, *shape),)
    latent = method.sample_latent(2, torch.Generator().manual_seed(0))
    return tuple(t.cpu() for t in (latent if isinstance(latent, tuple) else (latent,)))


def _describe(value: torch.Tensor, method: Method) -> dict[str, Any]:
    described: dict[str, Any] = {"shape": [None, *value.shape[1:]], "dtype": str(value.dtype)[6:]}
    if not value.is_floating_point():
        classes = getattr(method, "num_classes", None)
        described["values"] = f"class labels 0..{classes - 1}" if classes else "integer labels"
    elif isinstance(method, Translator):
        described["values"] = "images in [-1, 1]"
    elif hasattr(method.cfg, "latent"):
        described["values"] = (
            f"latent codes ({method.cfg.latent}: see method.sample_latent; gankit draws "
            "them for you with gankit.load(export).sample(n))"
        )
    return described


def _safetensors() -> Any:
    try:
        import safetensors.torch  # optional: `pip install gankit[export]`
    except ImportError:
        raise ConfigError(
            "safetensors exports need the safetensors package: pip install 'gankit[export]' "
            "(or use --format pt2)."
        ) from None
    return safetensors.torch
