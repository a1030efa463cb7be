"""A server whose audit trail the test reads; the PostgreSQL partitions (`<schema>_audit`) dropped at the end."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import create_engine, text
from tests.api.conftest import RunningServer, serving

from iamtwin.api.app import create_app
from iamtwin.api.bootstrap import bootstrap_credentials
from iamtwin.audit.recorder import AuditRecorder
from iamtwin.audit.records import event_from_record
from iamtwin.audit.store import AuditStore
from iamtwin.clock import SystemClock
from iamtwin.world.stored import World


@pytest.fixture(scope="session", autouse=True)
def _drop_audit_partitions(_pg_schema: str | None) -> Iterator[None]:
    yield
    if _pg_schema is None:
        return
    engine = create_engine(_pg_schema)
    with engine.begin() as conn:
        schema = conn.execute(text("SELECT current_schema()")).scalar()
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}_audit" CASCADE'))
    engine.dispose()


@pytest.fixture
def audited(world: World) -> Iterator[AuditedServer]:
    """`iamtwin serve`'s app under uvicorn (as the `server` fixture runs it) with a recorder the test flushes."""
    world.clock = SystemClock()
    key, secret, _ = bootstrap_credentials(world)
    store = AuditStore(world.engine)
    recorder = AuditRecorder(store)
    with serving(create_app(world, recorder=recorder)) as url:
        yield AuditedServer(url, world, key, secret, recorder, store)


@dataclass
class AuditedServer(RunningServer):
    """A running server and its audit trail."""

    recorder: AuditRecorder
    store: AuditStore

    def events(self) -> list[dict[str, Any]]:
        """Every recorded event (after writing what is buffered), oldest first."""
        self.recorder.flush()
        return [json.loads(e.record) for e in self.store.events()]


SESSION_TRAIL = Path(__file__).with_name("session_trail.yaml")


@pytest.fixture
def written_trail(world: World) -> AuditStore:
    """session_trail.yaml's records read back into events and appended, in order, to the world's trail."""
    records = yaml.safe_load(SESSION_TRAIL.read_text())["events"]
    store = AuditStore(world.engine)
    store.append([event_from_record(record) for record in records])
    return store
