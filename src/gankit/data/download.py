"""Downloading one file safely: mirrors in order, MD5 check, atomic rename.

A file is streamed to a uniquely named ``<name>.<random>.part`` file beside its destination and
only renamed into place once its MD5 matches, so an interrupted or corrupted download never
leaves a file that a reader would trust, and two processes downloading at once do not clash.
Only the standard library (``urllib``) is used.
"""

from __future__ import annotations

import hashlib
import http.client
import logging
import os
import secrets
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from typing import cast

from gankit.errors import DownloadError

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 60.0  # seconds without data before a mirror counts as dead
CHUNK_SIZE = 1 << 20
USER_AGENT = "gankit-download/0.1 (Python urllib)"


class ChecksumMismatch(Exception):
    """A mirror served a file with the wrong checksum (caught: next mirror)."""


def md5sum(path: str | Path, chunk_size: int = CHUNK_SIZE) -> str:
    """The hexadecimal MD5 digest of the file at ``path``."""
    return file_digest(path, "md5", chunk_size)


def file_digest(path: str | Path, algorithm: str, chunk_size: int = CHUNK_SIZE) -> str:
    """The hexadecimal ``algorithm`` (md5, sha256) digest of the file at ``path``."""
    digest = hashlib.new(algorithm, usedforsecurity=False)
    with open(path, "rb") as handle:
        while chunk := handle.read(chunk_size):
            digest.update(chunk)
    return digest.hexdigest()


def download_file(
    urls: Sequence[str],
    destination: str | Path,
    md5: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    sha256_prefix: str | None = None,
) -> Path:
    """Fetch one file from the first of ``urls`` that serves it with the right checksum.

    The checksum is a whole ``md5``, or the start of the SHA-256 (``sha256_prefix``, as
    torch.hub checks its files). Each mirror is tried in order; a mirror that fails
    (unreachable, HTTP error, timeout, wrong checksum) is logged and the next one tried. A
    destination that already holds the right file is kept as is. Raises DownloadError naming
    the file, every URL tried and why each failed; no partial file is left behind.
    """
    if (md5 is None) == (sha256_prefix is None):
        raise ValueError("download_file needs exactly one of md5 and sha256_prefix")
    check = ("md5", md5.lower()) if md5 else ("sha256", cast(str, sha256_prefix).lower())
    destination = Path(destination)
    if not urls:
        raise DownloadError(f"No URL given to download {destination.name}.")
    if destination.is_file() and _matches(file_digest(destination, check[0]), check):
        return destination
    try:
        destination.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DownloadError(
            f"Cannot create the folder {destination.parent} for {destination.name}: {exc}. "
            "Choose a writable data folder with --data-dir or $GANKIT_DATA."
        ) from None
    failures = []
    for url in urls:
        logger.info("Downloading %s from %s", destination.name, url)
        try:
            _fetch_verified(url, destination, check, timeout)
        except (OSError, http.client.HTTPException, ValueError, ChecksumMismatch) as exc:
            logger.warning("Could not download %s from %s: %s", destination.name, url, exc)
            failures.append(f"{url} ({_reason(exc)})")
            continue
        return destination
    raise DownloadError(
        f"Could not download {destination.name} to {destination.parent}. Tried: "
        + "; ".join(failures)
        + ". Check the internet connection, or fetch the file yourself and put it there."
    )


def _matches(digest: str, check: tuple[str, str]) -> bool:
    algorithm, expected = check
    return digest == expected if algorithm == "md5" else digest.startswith(expected)


def _fetch_verified(url: str, destination: Path, check: tuple[str, str], timeout: float) -> None:
    """Stream ``url`` to a temporary file, check its digest, move it to ``destination``."""
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    # A name of its own per attempt, so concurrent downloads of one file never share a part.
    part = destination.with_name(f"{destination.name}.{os.getpid()}-{secrets.token_hex(4)}.part")
    try:
        digest = hashlib.new(check[0], usedforsecurity=False)
        with (
            urllib.request.urlopen(request, timeout=timeout) as response,
            open(part, "xb") as out,
        ):
            while chunk := response.read(CHUNK_SIZE):
                digest.update(chunk)
                out.write(chunk)
        if not _matches(digest.hexdigest(), check):
            name = {"md5": "MD5", "sha256": "SHA-256"}[check[0]]
            raise ChecksumMismatch(
                f"{name} {digest.hexdigest()} does not match the expected {check[1]}"
            )
        os.replace(part, destination)
    finally:
        part.unlink(missing_ok=True)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, urllib.error.HTTPError):
        return f"HTTP {exc.code} {exc.reason}"
    if isinstance(exc, urllib.error.URLError):
        return str(exc.reason)
    return str(exc) or type(exc).__name__
