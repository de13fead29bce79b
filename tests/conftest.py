"""Shared test set-up: slow tests run only with --run-slow, and say so when skipped."""

from __future__ import annotations

import pytest


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
]


@pytest.fixture
def tiny_dcgan(tmp_path):
    """Overrides for a DCGAN that trains on the embedded digits in milliseconds per step."""
    return [*TINY_DCGAN, f"out={tmp_path / 'runs'}"]
