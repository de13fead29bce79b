"""gankit: train, evaluate and compare Generative Adversarial Networks.

    import gankit

    run = gankit.train("dcgan", data="digits", steps=300, name="first")
    images = run.sample(16, seed=0)                   # (16, 1, 32, 32) in [-1, 1]
    run = gankit.load("runs/dcgan/first")             # later, in another process
    gankit.evaluate(run, ["fid"], features="classifier", n=1000)

:func:`train`, :func:`load`, :func:`evaluate` and :class:`Run` live in :mod:`gankit.runs`.
"""

from typing import Any

__version__ = "0.1.0"
__all__ = ["Run", "__version__", "evaluate", "load", "train"]

_API = {"train": "api", "load": "api", "evaluate": "api", "Run": "run"}


def __getattr__(name: str) -> Any:
    # Loaded on first use: importing them imports torch, which `gankit --version` and the
    # command line's quick error messages do not need.
    if name in _API:
        import importlib

        return getattr(importlib.import_module(f"gankit.runs.{_API[name]}"), name)
    raise AttributeError(f"module 'gankit' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_API))
