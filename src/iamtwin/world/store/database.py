"""Opening a world database: URL resolution, SQLite tuning, migrations to the latest revision.

The URL comes from `--db`, else `IAMTWIN_DB`, else a SQLite file `iamtwin.db` in the current
directory. `postgresql://…` URLs use psycopg 3. SQLite runs in WAL mode so readers never wait
for a writer, with foreign keys on.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.pool import NullPool

from ...errors import IamtwinError

DEFAULT_DB = "sqlite:///iamtwin.db"
_MIGRATIONS = Path(__file__).parent / "migrations"


class DatabaseError(IamtwinError):
    """The world database cannot be opened or is not an iamtwin database."""

    code = "DATABASE_ERROR"


def resolve_url(db: str | None = None) -> str:
    """The database URL: the argument, else `IAMTWIN_DB`, else `sqlite:///iamtwin.db`."""
    url = db or os.environ.get("IAMTWIN_DB") or DEFAULT_DB
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    elif "://" not in url:
        url = "sqlite:///" + url  # a bare path means a SQLite file
    return url


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def create_db_engine(db: str | None = None) -> Engine:
    """An engine for the world database, not yet migrated."""
    url = resolve_url(db)
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise DatabaseError(f"`{db}` is not a database URL (try sqlite:///path.db or postgresql://host/db)") from exc
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
            engine = create_engine(url, future=True)
        else:
            engine = create_engine(url, future=True, poolclass=NullPool)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if parsed.get_backend_name() != "postgresql":
        raise DatabaseError(f"unsupported database `{parsed.get_backend_name()}`: use SQLite or PostgreSQL")
    return create_engine(url, future=True, pool_pre_ping=True)


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    return config


def head_revision() -> str:
    """The latest migration revision this version of iamtwin knows."""
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, None for an empty database."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine) -> None:
    """Migrate the database to the latest revision (creating the tables in a new one)."""
    config = _config()
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    except OperationalError as exc:
        raise DatabaseError(f"cannot open the world database: {exc.orig}") from exc


def open_engine(db: str | None = None) -> Engine:
    """An engine for the world database, migrated to the latest revision."""
    engine = create_db_engine(db)
    upgrade(engine)
    return engine
