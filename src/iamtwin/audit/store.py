"""The audit trail in the world database: appended in hash-chained batches, read back in order.

Every append locks the chain's head row first (an UPDATE of it, the first statement of the
transaction), so concurrent appenders — several server workers on PostgreSQL, the server and the
CLI on SQLite — take turns and the chain stays linear: each event's `prev_hash` is the hash of the
event before it. On PostgreSQL, `audit_events` is range-partitioned by month; the month's partition
is created (under the same lock) when its first event arrives, in the schema `<world schema>_audit`
next to the world's own, so the world's schema holds exactly the tables its migrations declare.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, Engine, Row, and_, func, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..world.store.schema import audit_events, audit_head
from .event import AuditEvent

GENESIS = "0" * 64


def chain_hash(prev_hash: str, record: str) -> str:
    """The hash of an event: SHA-256 over the previous event's hash and the event's canonical JSON."""
    return hashlib.sha256(f"{prev_hash}\n{record}".encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Head:
    """The newest event (seq, hash) and the anchor pruning left (seq and hash of the last removed event)."""

    seq: int
    hash: str
    anchor_seq: int
    anchor_hash: str
    anchor_time: datetime | None


@dataclass(frozen=True, slots=True)
class StoredEvent:
    """One stored event: its place in the chain and its record text."""

    seq: int
    event_time: datetime
    event_id: str
    record: str
    prev_hash: str
    hash: str


EMPTY_HEAD = Head(0, GENESIS, 0, GENESIS, None)


def partition_name(moment: datetime) -> str:
    """The PostgreSQL partition holding a month's events: `audit_events_y2026m11`."""
    moment = moment.astimezone(UTC)
    return f"audit_events_y{moment.year:04d}m{moment.month:02d}"


def month_bounds(moment: datetime) -> tuple[datetime, datetime]:
    """The first instant of the month of `moment` and of the month after (UTC)."""
    moment = moment.astimezone(UTC)
    start = datetime(moment.year, moment.month, 1, tzinfo=UTC)
    end = datetime(moment.year + moment.month // 12, moment.month % 12 + 1, 1, tzinfo=UTC)
    return start, end


def _aware(value: datetime) -> datetime:
    # SQLite hands back naive datetimes for timezone-aware columns; they were stored as UTC.
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _copy_rows(conn: Connection, rows: list[dict[str, Any]]) -> None:
    # COPY costs a fraction of a multi-row INSERT per event, which matters when a busy server records
    # every decision; it runs on the DBAPI connection, inside the caller's transaction.
    columns = list(rows[0])
    driver: Any = conn.connection.driver_connection
    cursor = driver.cursor()
    try:
        with cursor.copy(f"COPY audit_events ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([row[column] for column in columns])
    finally:
        cursor.close()


class AuditStore:
    """Appends events to the chain and reads them back, on SQLite or PostgreSQL."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.postgres = engine.dialect.name == "postgresql"
        self._partitions: set[str] = set()  # partitions this process knows exist
        self._partition_schema: str | None = None
        self._lock = threading.Lock()  # one append at a time per process; the head row orders processes

    def lock_head(self, conn: Connection) -> Head:
        """Lock the head row for the rest of the transaction (creating it if missing); its values."""
        # An UPDATE first takes the row lock on PostgreSQL and SQLite's write lock at once, so no two
        # transactions ever read the same head and append after it.
        touched = conn.execute(update(audit_head).where(audit_head.c.id == 1).values(seq=audit_head.c.seq))
        if touched.rowcount == 0:
            insert = pg_insert if self.postgres else sqlite_insert
            conn.execute(
                insert(audit_head)
                .values(id=1, seq=0, hash=GENESIS, anchor_seq=0, anchor_hash=GENESIS, anchor_time=None)
                .on_conflict_do_nothing()
            )
            conn.execute(update(audit_head).where(audit_head.c.id == 1).values(seq=audit_head.c.seq))
        row = conn.execute(select(audit_head).where(audit_head.c.id == 1)).one()
        return Head(
            row.seq, row.hash, row.anchor_seq, row.anchor_hash, _aware(row.anchor_time) if row.anchor_time else None
        )

    def head(self) -> Head:
        """The head as stored (the empty chain's when nothing was ever recorded)."""
        with self.engine.connect() as conn:
            row = conn.execute(select(audit_head).where(audit_head.c.id == 1)).first()
        if row is None:
            return EMPTY_HEAD
        return Head(
            row.seq, row.hash, row.anchor_seq, row.anchor_hash, _aware(row.anchor_time) if row.anchor_time else None
        )

    def append(self, events: Sequence[AuditEvent]) -> int:
        """Append events in order, in one transaction; the seq of the last (0 when none were given)."""
        if not events:
            return 0
        with self._lock, self.engine.begin() as conn:
            return self.append_in(conn, events)

    def append_in(self, conn: Connection, events: Sequence[AuditEvent]) -> int:
        """Append events within the caller's transaction, so they commit or roll back with its change."""
        if not events:
            return 0
        head = self.lock_head(conn)
        if self.postgres:
            for moment in {month_bounds(e.event_time)[0] for e in events}:
                self._ensure_partition(conn, moment)
        seq, prev = head.seq, head.hash
        rows = []
        for event in events:
            record = event.canonical_json()
            seq += 1
            digest = chain_hash(prev, record)
            rows.append(
                {
                    "seq": seq,
                    "event_time": event.event_time,
                    "event_id": event.event_id,
                    "event_source": event.event_source,
                    "event_name": event.event_name,
                    "principal_arn": event.principal_arn,
                    "account_id": event.recipient_account_id,
                    "read_only": event.read_only,
                    "error_code": event.error_code,
                    "record": record,
                    "prev_hash": prev,
                    "hash": digest,
                }
            )
            prev = digest
        if self.postgres:
            _copy_rows(conn, rows)
        else:
            conn.execute(audit_events.insert(), rows)
        conn.execute(update(audit_head).where(audit_head.c.id == 1).values(seq=seq, hash=prev))
        return seq

    def partition_schema(self, conn: Connection) -> str:
        """The (quoted) schema that holds the partitions: the world's schema name with `_audit`."""
        if self._partition_schema is None:
            world_schema = str(conn.execute(text("SELECT current_schema()")).scalar())
            self._partition_schema = conn.dialect.identifier_preparer.quote(f"{world_schema}_audit")
        return self._partition_schema

    def _ensure_partition(self, conn: Connection, moment: datetime) -> None:
        name = partition_name(moment)
        if name in self._partitions:
            return
        start, end = month_bounds(moment)
        schema = self.partition_schema(conn)
        conn.execute(text(f"CREATE SCHEMA IF NOT EXISTS {schema}"))
        conn.execute(
            text(
                f"CREATE TABLE IF NOT EXISTS {schema}.{name} PARTITION OF audit_events "
                f"FOR VALUES FROM ('{start.isoformat()}') TO ('{end.isoformat()}')"
            )
        )
        self._partitions.add(name)

    def forget_partitions(self) -> None:
        """Forget which partitions exist (after pruning dropped some)."""
        self._partitions.clear()

    def events(self, since: datetime | None = None, until: datetime | None = None) -> Iterator[StoredEvent]:
        """The stored events in chain order, optionally those with since <= eventTime < until."""
        conditions = []
        if since is not None:
            conditions.append(audit_events.c.event_time >= since)
        if until is not None:
            conditions.append(audit_events.c.event_time < until)
        query = select(*_STORED_COLUMNS).order_by(audit_events.c.seq, audit_events.c.event_time)
        if conditions:
            query = query.where(and_(*conditions))
        with self.engine.connect() as conn:
            for row in conn.execution_options(yield_per=1000).execute(query):
                yield _stored(row)

    def count(self) -> int:
        """How many events are stored."""
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(audit_events)).scalar() or 0)

    def find(self, event_id: str) -> StoredEvent | None:
        """The stored event with this eventID (the oldest, should an id repeat), or None."""
        query = (
            select(*_STORED_COLUMNS).where(audit_events.c.event_id == event_id).order_by(audit_events.c.seq).limit(1)
        )
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        return None if row is None else _stored(row)

    def events_matching(
        self,
        *,
        principal_arns: Collection[str] | None = None,
        principal_arn_prefix: str | None = None,
        event_names: Collection[str] | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> list[StoredEvent]:
        """The events of these callers' ARNs (or ARN prefix) and/or names, with since <= eventTime < until, in order."""
        conditions: list[ColumnElement[bool]] = []
        if principal_arns is not None:
            conditions.append(audit_events.c.principal_arn.in_(list(principal_arns)))
        if principal_arn_prefix is not None:
            escaped = principal_arn_prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            conditions.append(audit_events.c.principal_arn.like(escaped + "%", escape="\\"))
        if event_names is not None:
            conditions.append(audit_events.c.event_name.in_(list(event_names)))
        if since is not None:
            conditions.append(audit_events.c.event_time >= since)
        if until is not None:
            conditions.append(audit_events.c.event_time < until)
        query = select(*_STORED_COLUMNS).order_by(audit_events.c.seq)
        if conditions:
            query = query.where(and_(*conditions))
        with self.engine.connect() as conn:
            return [_stored(row) for row in conn.execute(query)]


_STORED_COLUMNS = (
    audit_events.c.seq,
    audit_events.c.event_time,
    audit_events.c.event_id,
    audit_events.c.record,
    audit_events.c.prev_hash,
    audit_events.c.hash,
)


def _stored(row: Row[Any, Any, Any, Any, Any, Any]) -> StoredEvent:
    return StoredEvent(row.seq, _aware(row.event_time), row.event_id, row.record, row.prev_hash, row.hash)
