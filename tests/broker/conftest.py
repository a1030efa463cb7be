"""The broker's tests reuse the real servers of tests/api and tests/audit (uvicorn on 127.0.0.1, each database kind)."""

from __future__ import annotations

from tests.api.conftest import server
from tests.audit.conftest import audited

__all__ = ["audited", "server"]
