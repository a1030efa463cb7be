"""Shared fixtures. Store tests run against SQLite and PostgreSQL (127.0.0.1:5432, database `test`).

Each PostgreSQL test gets a schema of its own, dropped afterwards, so tests never see each other's
rows. PostgreSQL is skipped only when no server answers (CI starts it when installed).
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from iamtwin.clock import FixedClock
from iamtwin.world.store.database import open_engine
from iamtwin.world.store.schema import metadata
from iamtwin.world.stored import World

PG_BASE = os.environ.get("IAMTWIN_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
_pg_state: dict[str, bool] = {}


def _postgres_available() -> bool:
    if "ok" not in _pg_state:
        try:
            engine = create_engine(PG_BASE)
            with engine.connect() as conn:
                conn.execute(text("select 1"))
            engine.dispose()
            _pg_state["ok"] = True
        except OperationalError:
            _pg_state["ok"] = False
    return _pg_state["ok"]


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "world.db"
    open_engine(f"sqlite:///{path}").dispose()
    return path


@pytest.fixture(scope="session")
def _pg_schema() -> Iterator[str | None]:
    if not _postgres_available():
        yield None
        return
    schema = "t_" + uuid.uuid4().hex[:16]
    admin = create_engine(PG_BASE)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    url = f"{PG_BASE}?options=-csearch_path%3D{schema}"
    open_engine(url).dispose()
    try:
        yield url
    finally:
        with admin.begin() as conn:
            # The audit trail keeps its monthly partitions in a schema beside the world's.
            conn.execute(text(f"DROP SCHEMA IF EXISTS {schema}_audit CASCADE"))
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path, _sqlite_template: Path, _pg_schema: str | None) -> str:
    """A URL of an empty, migrated world database of each kind.

    Migrations run once per test session; each test gets a copy of the SQLite file, or the
    PostgreSQL schema emptied.
    """
    if request.param == "sqlite":
        path = tmp_path / "world.db"
        shutil.copyfile(_sqlite_template, path)
        return f"sqlite:///{path}"
    if _pg_schema is None:
        pytest.skip("PostgreSQL is not running on 127.0.0.1:5432")
    engine = create_engine(_pg_schema)
    with engine.begin() as conn:
        names = ", ".join(t.name for t in metadata.sorted_tables)
        conn.execute(text(f"TRUNCATE {names} CASCADE"))
    engine.dispose()
    return _pg_schema


@pytest.fixture
def clock() -> FixedClock:
    """A clock stopped at a known instant."""
    from datetime import UTC, datetime

    return FixedClock(datetime(2026, 11, 23, 12, 0, tzinfo=UTC))


@pytest.fixture
def world(db_url: str, clock: FixedClock) -> Iterator[World]:
    """An empty, migrated world on each database kind."""
    opened = World.open(db_url, clock=clock)
    try:
        yield opened
    finally:
        opened.close()


def example_path(name: str) -> Path:
    """The path of an example world shipped with iamtwin."""
    from importlib import resources

    return Path(str(resources.files("iamtwin").joinpath("examples", name)))
