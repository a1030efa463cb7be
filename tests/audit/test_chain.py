"""The audit chain on SQLite and PostgreSQL: appended in order, every tampering found and named, pruned safely."""

from __future__ import annotations

import itertools
import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, select, text, update

from iamtwin.audit.chain import AuditChainBroken, ProblemKind, prune, verify
from iamtwin.audit.store import GENESIS, AuditStore, chain_hash
from iamtwin.errors import IamtwinError
from iamtwin.world.store.database import open_engine
from iamtwin.world.store.schema import audit_events, audit_head
from iamtwin.world.stored import World

from .events import call

T0 = datetime(2026, 9, 30, 23, 0, tzinfo=UTC)


def _store_with(world: World, count: int, step: timedelta = timedelta(hours=1)) -> AuditStore:
    store = AuditStore(world.engine)
    for i in range(count):
        store.append([call(T0 + i * step)])
    return store


def _kinds(store: AuditStore) -> list[tuple[ProblemKind, int]]:
    return [(p.kind, p.seq) for p in verify(store).problems]


def test_events_are_chained_in_order_and_verify(world: World) -> None:
    """Each event carries the previous one's hash; the head names the newest."""
    store = _store_with(world, 5)
    events = list(store.events())
    assert [e.seq for e in events] == [1, 2, 3, 4, 5]
    assert events[0].prev_hash == GENESIS
    for before, after in itertools.pairwise(events):
        assert after.prev_hash == before.hash
        assert after.hash == chain_hash(after.prev_hash, after.record)
    assert store.head().seq == 5 and store.head().hash == events[-1].hash
    result = verify(store)
    assert result.ok and result.checked == 5


def test_an_empty_trail_verifies(world: World) -> None:
    """No events, no head row: nothing to complain about."""
    assert verify(AuditStore(world.engine)).ok


def test_an_altered_event_is_named(world: World) -> None:
    """Changing an event's record is found at that event, and only there."""
    store = _store_with(world, 4)
    with world.engine.begin() as conn:
        conn.execute(
            update(audit_events)
            .where(audit_events.c.seq == 2)
            .values(record=text("replace(record, '192.0.2.10', '198.51.100.1')"))
        )
    assert _kinds(store) == [(ProblemKind.ALTERED, 2)]


def test_a_removed_event_is_named(world: World) -> None:
    """Deleting an event in the middle leaves a gap that verify names."""
    store = _store_with(world, 5)
    with world.engine.begin() as conn:
        conn.execute(delete(audit_events).where(audit_events.c.seq == 3))
    problems = verify(store).problems
    assert [(p.kind, p.seq) for p in problems] == [(ProblemKind.MISSING, 3)]
    assert "events 3 before event 4" in problems[0].message


def test_a_removed_and_renumbered_event_is_found(world: World) -> None:
    """Deleting an event and closing the gap in seq still breaks the link to it."""
    store = _store_with(world, 4)
    with world.engine.begin() as conn:
        conn.execute(delete(audit_events).where(audit_events.c.seq == 2))
        conn.execute(update(audit_events).where(audit_events.c.seq > 2).values(seq=audit_events.c.seq - 1))
        conn.execute(update(audit_head).values(seq=3))
    assert _kinds(store) == [(ProblemKind.MISSING, 2)]


def test_removing_the_newest_events_is_found_through_the_head(world: World) -> None:
    """The chain alone cannot show its end was cut; the head record can."""
    store = _store_with(world, 5)
    with world.engine.begin() as conn:
        conn.execute(delete(audit_events).where(audit_events.c.seq >= 4))
    problems = verify(store).problems
    assert [(p.kind, p.seq) for p in problems] == [(ProblemKind.TRUNCATED, 4)]
    assert "4-5" in problems[0].message


def test_reordered_events_are_named(world: World) -> None:
    """Swapping two events' places breaks their links to the events before them."""
    store = _store_with(world, 4)
    with world.engine.begin() as conn:
        conn.execute(update(audit_events).where(audit_events.c.seq == 2).values(seq=-2))
        conn.execute(update(audit_events).where(audit_events.c.seq == 3).values(seq=2))
        conn.execute(update(audit_events).where(audit_events.c.seq == -2).values(seq=3))
    kinds = _kinds(store)
    assert (ProblemKind.REORDERED, 2) in kinds and (ProblemKind.REORDERED, 3) in kinds


def test_prune_keeps_an_anchor_so_the_rest_verifies(world: World) -> None:
    """Old events go; the anchor is the last removed event's hash; the rest still verifies."""
    store = _store_with(world, 6)
    removed = prune(store, T0 + timedelta(hours=3), now=T0 + timedelta(days=1))
    assert removed == 3
    assert [e.seq for e in store.events()] == [4, 5, 6]
    head = store.head()
    assert head.anchor_seq == 3
    assert verify(store).ok
    with world.engine.begin() as conn:  # removing the first kept event is still found
        conn.execute(delete(audit_events).where(audit_events.c.seq == 4))
    assert _kinds(store) == [(ProblemKind.MISSING, 4)]


def test_prune_refuses_a_broken_chain_and_a_future_time(world: World) -> None:
    """Pruning must not remove the evidence of tampering, nor events not yet old."""
    store = _store_with(world, 3)
    with pytest.raises(IamtwinError) as future:
        prune(store, T0 + timedelta(days=2), now=T0 + timedelta(days=1))
    assert future.value.code == "INVALID_TIME"
    with world.engine.begin() as conn:
        conn.execute(delete(audit_events).where(audit_events.c.seq == 2))
    with pytest.raises(AuditChainBroken) as broken:
        prune(store, T0 + timedelta(hours=2), now=T0 + timedelta(days=1))
    assert broken.value.code == "AUDIT_CHAIN_BROKEN"


def test_events_go_to_monthly_partitions_on_postgresql(world: World) -> None:
    """On PostgreSQL each month's events live in that month's partition, created when needed."""
    if world.engine.dialect.name != "postgresql":
        pytest.skip("partitioning is PostgreSQL's")
    store = _store_with(world, 3)  # 2026-09-30 23:00, then 2026-10-01 00:00 and 01:00
    with world.engine.connect() as conn:
        placed = conn.execute(text("SELECT tableoid::regclass::text, seq FROM audit_events ORDER BY seq")).all()
    assert [(name.rsplit(".", 1)[-1], seq) for name, seq in placed] == [
        ("audit_events_y2026m09", 1),
        ("audit_events_y2026m10", 2),
        ("audit_events_y2026m10", 3),
    ]
    prune(store, T0 + timedelta(hours=1), now=T0 + timedelta(days=1))  # September is empty, so dropped
    with world.engine.connect() as conn:
        schema = conn.execute(text("SELECT current_schema()")).scalar()
        exists = conn.execute(text(f"SELECT to_regclass('{schema}_audit.audit_events_y2026m09')")).scalar()
    assert exists is None
    assert verify(store).ok


def test_two_concurrent_writers_keep_one_linear_chain(db_url: str) -> None:
    """Two processes' worth of appenders (own engines, own connections) never fork the chain."""
    engines = [open_engine(db_url), open_engine(db_url)]
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def write(index: int) -> None:
        store = AuditStore(engines[index])
        barrier.wait()
        try:
            for i in range(25):
                store.append([call(T0 + timedelta(seconds=i)), call(T0 + timedelta(seconds=i))])
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    store = AuditStore(engines[0])
    assert [e.seq for e in store.events()] == list(range(1, 101))
    assert verify(store).ok
    with engines[0].connect() as conn:
        assert conn.execute(select(audit_head.c.seq)).scalar() == 100
    for engine in engines:
        engine.dispose()
