"""Fixtures of the format tests."""

from __future__ import annotations

from typing import Any

import pytest

from .fixtures import load_sample


@pytest.fixture
def sample() -> dict[str, Any]:
    """The get-account-authorization-details sample, to change freely."""
    return load_sample()
