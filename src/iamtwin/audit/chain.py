"""Checking the audit chain, and pruning it without breaking it.

Verification walks the events in `seq` order from the anchor (the genesis hash, or the last event a
prune removed) and reports, per event, what was done to the trail:

- ALTERED: the record (or its stored hash) no longer hashes to the stored hash;
- MISSING: events between two stored ones were removed (a gap in `seq`, or a link to a hash no
  stored event has);
- REORDERED: an event links to another stored event than the one before it;
- TRUNCATED: the newest events were removed (the chain ends before the head);
- HEAD_MISMATCH: the last event is not the one the head names.

Pruning removes the oldest events up to a time and moves the anchor to the last removed one, so
what remains still verifies.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Connection, delete, func, select, text, update

from ..errors import IamtwinError
from ..world.store.schema import audit_events, audit_head
from .store import AuditStore, Head, StoredEvent, chain_hash, month_bounds, partition_name


class ProblemKind(StrEnum):
    """What was done to the trail at one place."""

    ALTERED = "ALTERED"
    MISSING = "MISSING"
    REORDERED = "REORDERED"
    TRUNCATED = "TRUNCATED"
    HEAD_MISMATCH = "HEAD_MISMATCH"


@dataclass(frozen=True, slots=True)
class ChainProblem:
    """One place where the trail is not what was recorded."""

    kind: ProblemKind
    seq: int
    event_id: str | None
    message: str

    def to_dict(self) -> dict[str, object]:
        """JSON-ready data."""
        return {"kind": self.kind.value, "seq": self.seq, "eventID": self.event_id, "message": self.message}


@dataclass(frozen=True, slots=True)
class Verification:
    """The result of checking the chain: how many events, the head, and every problem found."""

    checked: int
    head: Head
    problems: tuple[ChainProblem, ...]

    @property
    def ok(self) -> bool:
        """True when nothing was altered, removed or reordered."""
        return not self.problems


def check_chain(events: Iterable[StoredEvent], head: Head, known_hashes: dict[str, int]) -> Verification:
    """Check events (in seq order) against the head; `known_hashes` maps every stored hash to its seq."""
    problems: list[ChainProblem] = []
    expected_seq, prev = head.anchor_seq + 1, head.anchor_hash
    checked = 0
    last: StoredEvent | None = None
    for event in events:
        checked += 1
        if chain_hash(event.prev_hash, event.record) != event.hash:
            problems.append(
                ChainProblem(ProblemKind.ALTERED, event.seq, event.event_id, f"event {event.seq} was altered")
            )
        if event.seq > expected_seq:
            gap = f"{expected_seq}" if event.seq == expected_seq + 1 else f"{expected_seq}-{event.seq - 1}"
            problems.append(
                ChainProblem(
                    ProblemKind.MISSING, expected_seq, None, f"events {gap} before event {event.seq} were removed"
                )
            )
        elif event.seq < expected_seq:
            problems.append(
                ChainProblem(
                    ProblemKind.ALTERED, event.seq, event.event_id, f"event {event.seq} appears more than once"
                )
            )
        elif event.prev_hash != prev:
            linked = known_hashes.get(event.prev_hash)
            if linked is not None and linked != event.seq:
                problems.append(
                    ChainProblem(
                        ProblemKind.REORDERED,
                        event.seq,
                        event.event_id,
                        f"event {event.seq} was recorded after event {linked}, not after event {event.seq - 1}",
                    )
                )
            else:
                problems.append(
                    ChainProblem(
                        ProblemKind.MISSING,
                        event.seq,
                        event.event_id,
                        f"the event recorded before event {event.seq} was removed",
                    )
                )
        expected_seq, prev, last = event.seq + 1, event.hash, event
    last_seq = last.seq if last is not None else head.anchor_seq
    last_hash = last.hash if last is not None else head.anchor_hash
    if last_seq < head.seq:
        problems.append(
            ChainProblem(
                ProblemKind.TRUNCATED,
                last_seq + 1,
                None,
                f"events {last_seq + 1}-{head.seq} (the newest) were removed",
            )
        )
    elif last_seq > head.seq or last_hash != head.hash:
        problems.append(
            ChainProblem(
                ProblemKind.HEAD_MISMATCH,
                last_seq,
                last.event_id if last is not None else None,
                f"the head names event {head.seq} but the chain ends at event {last_seq}",
            )
        )
    return Verification(checked, head, tuple(problems))


def verify(store: AuditStore) -> Verification:
    """Check the whole stored chain."""
    head = store.head()
    first = check_chain(store.events(), head, {})
    if not any(p.kind is ProblemKind.MISSING and p.event_id is not None for p in first.problems):
        return first
    # A broken link: read every hash to tell an event moved elsewhere from one removed (only then,
    # so checking an intact trail of any size holds one event at a time).
    known = {event.hash: event.seq for event in store.events()}
    return check_chain(store.events(), head, known)


class AuditChainBroken(IamtwinError):
    """The trail does not verify, so it cannot be pruned without hiding that."""

    code = "AUDIT_CHAIN_BROKEN"


def prune(store: AuditStore, before: datetime, now: datetime) -> int:
    """Remove the oldest events, up to the first at or after `before`; how many were removed.

    The anchor moves to the last removed event, so the remaining chain verifies. A chain that does
    not verify is not pruned (the evidence would go with the events).
    """
    if before > now:
        raise IamtwinError("`--before` must not be in the future", code="INVALID_TIME")
    checked = verify(store)
    if not checked.ok:
        raise AuditChainBroken(f"the audit trail does not verify ({checked.problems[0].message}); not pruned")
    with store.engine.begin() as conn:
        head = store.lock_head(conn)
        first_kept = conn.execute(
            select(func.min(audit_events.c.seq)).where(
                audit_events.c.event_time >= before, audit_events.c.seq > head.anchor_seq
            )
        ).scalar()
        cutoff = head.seq if first_kept is None else int(first_kept) - 1
        if cutoff <= head.anchor_seq:
            return 0
        anchor_hash = conn.execute(select(audit_events.c.hash).where(audit_events.c.seq == cutoff)).scalar()
        removed = conn.execute(delete(audit_events).where(audit_events.c.seq <= cutoff)).rowcount
        conn.execute(
            update(audit_head)
            .where(audit_head.c.id == 1)
            .values(anchor_seq=cutoff, anchor_hash=anchor_hash, anchor_time=before)
        )
        if store.postgres:
            _drop_empty_partitions(store, conn, before)
    store.forget_partitions()
    return int(removed)


def _drop_empty_partitions(store: AuditStore, conn: Connection, before: datetime) -> None:
    # Whole months before the cutoff are dropped as tables once empty: cheaper than vacuuming rows.
    schema = store.partition_schema(conn)
    names = conn.execute(
        text(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "JOIN pg_class p ON p.oid = i.inhparent "
            "WHERE p.relname = 'audit_events' AND p.relnamespace = current_schema()::regnamespace"
        )
    ).scalars()
    for name in list(names):
        if not name.startswith("audit_events_y"):
            continue
        start = datetime(int(name[14:18]), int(name[19:21]), 1, tzinfo=before.tzinfo)
        if month_bounds(start)[1] > before or partition_name(start) != name:
            continue
        if conn.execute(text(f"SELECT 1 FROM {schema}.{name} LIMIT 1")).first() is None:
            conn.execute(text(f"DROP TABLE {schema}.{name}"))
