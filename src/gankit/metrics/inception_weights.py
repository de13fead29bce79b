"""Finding, downloading, verifying and loading the pytorch-fid InceptionV3 weights.

The file is ``pt_inception-2015-12-05-6726825d.pth`` (TensorFlow's ``inception-2015-12-05``
graph ported by pytorch-fid, Seitzer 2020). It is looked for in this order:

1. an explicit path (``--weights PATH``);
2. ``$GANKIT_INCEPTION``;
3. ``<cache root>/weights/`` (see :mod:`gankit.metrics.cache`);
4. torch.hub's checkpoint folder, where pytorch-fid itself downloads it.

When none holds it and downloading is allowed, it is fetched from the pytorch-fid release into
``<cache root>/weights/``. Every file is verified before use.

On the hash: following torch.hub's naming convention, the ``6726825d`` in the file name is the
start of the file's SHA-256, and this is what gankit checks, exactly as torch.hub's
``check_hash`` does (``download_url_to_file(hash_prefix=...)``). pytorch-fid publishes no full
digest. Several projects pin torch-fidelity's own copy of the same weights
(``weights-inception-2015-12-05-6726825d.pth``, 95,628,359 bytes) at :data:`REPORTED_SHA256`,
and others record pytorch-fid's file at that same size, so the two are very likely the same
bytes; the full value is kept for reference and checked by the ``data`` test only. The full
SHA-256 of the file actually used is computed and recorded in every metric's protocol.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import torch

from gankit.data.download import download_file
from gankit.errors import DownloadError, GankitError
from gankit.metrics.cache import cache_folder, file_sha256
from gankit.metrics.inception import InceptionV3

logger = logging.getLogger(__name__)

WEIGHTS_FILE = "pt_inception-2015-12-05-6726825d.pth"
WEIGHTS_URL = (
    f"https://github.com/mseitzer/pytorch-fid/releases/download/fid_weights/{WEIGHTS_FILE}"
)
SHA256_PREFIX = "6726825d"
WEIGHTS_BYTES = 95_628_359
REPORTED_SHA256 = "6726825d0af5f729cebd5821db510b11b1cfad8faad88a03f1befd49fb9129b2"
WEIGHTS_ENV_VAR = "GANKIT_INCEPTION"
DOWNLOAD_TIMEOUT = 60.0


def default_weights_path() -> Path:
    """Where gankit keeps (and downloads) the weights: ``<cache root>/weights/<file>``."""
    return cache_folder("weights") / WEIGHTS_FILE


def candidate_paths() -> list[Path]:
    """The places searched when no path is given, in order."""
    paths = []
    if os.environ.get(WEIGHTS_ENV_VAR):
        paths.append(Path(os.environ[WEIGHTS_ENV_VAR]).expanduser())
    paths.append(default_weights_path())
    paths.append(Path(torch.hub.get_dir()) / "checkpoints" / WEIGHTS_FILE)
    return paths


def find_inception_weights(path: str | Path | None = None, download: bool = True) -> Path:
    """The verified weights file: ``path``, else the first candidate, else a fresh download.

    An explicit ``path`` (or ``$GANKIT_INCEPTION``) that does not exist is an error rather than
    a reason to look elsewhere, so a typo never silently selects other weights.
    """
    if path is not None:
        return _verified(Path(path).expanduser(), "the path given")
    environment = os.environ.get(WEIGHTS_ENV_VAR)
    if environment:
        return _verified(Path(environment).expanduser(), f"${WEIGHTS_ENV_VAR}")
    for candidate in candidate_paths():
        if candidate.is_file():
            return _verified(candidate, "the cache")
    searched = ", ".join(str(p) for p in candidate_paths())
    instructions = (
        f"Download {WEIGHTS_URL} ({WEIGHTS_BYTES:,} bytes, SHA-256 starting {SHA256_PREFIX}) and "
        f"put it at {default_weights_path()}, or pass its path with --weights PATH or "
        f"${WEIGHTS_ENV_VAR}."
    )
    if not download:
        raise GankitError(
            f"The InceptionV3 weights {WEIGHTS_FILE} were not found (searched "
            f"{searched}). {instructions}"
        )
    try:
        return download_weights(WEIGHTS_URL, default_weights_path())
    except DownloadError as exc:
        raise DownloadError(f"{exc} {instructions}") from None


def _verified(path: Path, origin: str) -> Path:
    if not path.is_file():
        raise GankitError(
            f"The InceptionV3 weights file {path} (from {origin}) does not exist. Point it at "
            f"{WEIGHTS_FILE}, or unset it to use the cache ({default_weights_path()})."
        )
    digest = file_sha256(path)
    if not digest.startswith(SHA256_PREFIX):
        raise GankitError(
            f"{path} is not the pytorch-fid InceptionV3 weights: its SHA-256 is {digest}, which "
            f"does not start with {SHA256_PREFIX}. FIDs from other weights are not comparable; "
            f"get {WEIGHTS_URL} instead."
        )
    return path


def download_weights(
    url: str,
    destination: Path,
    sha256_prefix: str | None = None,
    timeout: float = DOWNLOAD_TIMEOUT,
) -> Path:
    """Fetch ``url`` to ``destination`` if its SHA-256 starts with ``sha256_prefix``.

    The prefix defaults to :data:`SHA256_PREFIX`, the pytorch-fid file's. The bytes go to a
    uniquely named ``.part`` file and are renamed into place only once verified
    (:func:`gankit.data.download.download_file`), so a failed download leaves nothing behind.
    """
    return download_file(
        [url], destination, timeout=timeout, sha256_prefix=sha256_prefix or SHA256_PREFIX
    )


def load_inception(
    path: str | Path | None = None, download: bool = True
) -> tuple[InceptionV3, str]:
    """The FID InceptionV3 with the pytorch-fid weights, and the SHA-256 of the weights file."""
    weights = find_inception_weights(path, download)
    try:
        state = torch.load(weights, map_location="cpu", weights_only=True)
    except Exception as exc:  # torch raises many types for a damaged file
        raise GankitError(
            f"Could not read the InceptionV3 weights {weights} ({type(exc).__name__}: {exc}); "
            f"the file is damaged. Delete it and download {WEIGHTS_URL} again."
        ) from None
    net = InceptionV3()
    load_state_exactly(net, state, weights)
    return net, file_sha256(weights)


def load_state_exactly(net: InceptionV3, state: object, source: Path | str) -> None:
    """Load ``state`` into ``net``, requiring pytorch-fid's keys and shapes exactly.

    Files saved before PyTorch 0.4.1 lack BatchNorm's ``num_batches_tracked`` counters, which
    inference never reads; those alone are filled in.
    """
    if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor) for v in state.values()):
        raise GankitError(
            f"{source} does not hold a state dict of tensors; it is not {WEIGHTS_FILE}."
        )
    expected = net.state_dict()
    state = dict(state)
    for key, value in expected.items():
        if key.endswith("num_batches_tracked") and key not in state:
            state[key] = value
    missing = [k for k in expected if k not in state]
    unexpected = [k for k in state if k not in expected]
    wrong_shape = [
        f"{k} {tuple(state[k].shape)} (expected {tuple(v.shape)})"
        for k, v in expected.items()
        if k in state and state[k].shape != v.shape
    ]
    if missing or unexpected or wrong_shape:
        problems = []
        for label, items in (
            ("missing", missing),
            ("unexpected", unexpected),
            ("wrong shape", wrong_shape),
        ):
            if items:
                problems.append(f"{len(items)} {label} (e.g. {', '.join(items[:3])})")
        raise GankitError(
            f"{source} does not match the pytorch-fid InceptionV3 layout: {'; '.join(problems)}. "
            f"Use the file {WEIGHTS_URL}."
        )
    net.load_state_dict(state)
