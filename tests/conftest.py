"""Shared test set-up: slow tests run only with --run-slow, and say so when skipped; fixtures
for a local HTTP server, the real offline data, tiny configs and the CLI."""

from __future__ import annotations

import http.server
import os
import threading
from functools import partial
from pathlib import Path

import pytest
import torch

REPO_ROOT = Path(__file__).resolve().parents[1]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--run-slow", action="store_true", help="also run tests marked slow")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--run-slow"):
        return
    skip = pytest.mark.skip(reason="slow test: run with `make test-slow` (CI runs it)")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


TINY_DCGAN = [
    "data.image_size=16",
    "data.batch_size=16",
    "generator.width=8",
    "discriminator.width=8",
    "z_dim=8",
    "train.progress=false",
    "train.num_samples=16",
    # its probe steps call train_step on a copy of the method, which tests that count calls
    # would count (tests/reliability/test_memory.py switches it on)
    "train.check_memory=false",
]


@pytest.fixture
def one_thread():
    """Torch on one thread for the test (tiny nets train faster so, above all on a shared
    machine); opt in with ``pytestmark = pytest.mark.usefixtures("one_thread")``."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture
def tiny_dcgan(tmp_path):
    """Overrides for a DCGAN that trains on the embedded digits in milliseconds per step."""
    return [*TINY_DCGAN, f"out={tmp_path / 'runs'}"]


@pytest.fixture
def http_server(tmp_path):
    """A threaded HTTP server on 127.0.0.1 serving a fresh folder: yields (base_url, folder)."""
    folder = tmp_path / "served"
    folder.mkdir()

    class QuietHandler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format, *args):  # keep the test output clean
            pass

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), partial(QuietHandler, directory=str(folder))
    )
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", folder
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def shared_data() -> Path:
    """The real offline datasets (``$GANKIT_SHARED_DATA`` or ``shared/data`` beside the repo)."""
    folder = Path(os.environ.get("GANKIT_SHARED_DATA") or REPO_ROOT / ".." / "shared" / "data")
    if not folder.is_dir():
        pytest.skip(
            f"real data folder {folder.resolve()} is absent; set $GANKIT_SHARED_DATA to run it"
        )
    return folder.resolve()


@pytest.fixture
def cli():
    """Run the ``gankit`` command line in-process; returns the exit code (0 on success)."""
    from gankit.cli import main

    def run(*args: object) -> int:
        try:
            main([str(a) for a in args])
        except SystemExit as exit:
            return exit.code
        return 0

    return run
