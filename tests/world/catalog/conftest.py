"""Fixtures of the catalogue tests: a fake npm registry served on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .fake_npm import FakeRegistry, serve


@pytest.fixture
def registry() -> Iterator[FakeRegistry]:
    """A running fake registry with nothing published yet."""
    with serve() as running:
        yield running
