"""Audit retention: `iamtwin serve --audit-retention-days N` keeps the trail to N days, still verifiable."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from iamtwin.audit.chain import verify
from iamtwin.audit.retention import Retention, RetentionKeeper
from iamtwin.audit.store import AuditStore
from iamtwin.clock import FixedClock
from iamtwin.errors import IamtwinError
from iamtwin.world.store.schema import audit_events
from iamtwin.world.stored import World

from .events import call

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def test_the_keeper_removes_what_is_older_than_the_retention_and_the_rest_verifies(world: World) -> None:
    """Events older than N days before the (injected) clock's now go; the newer ones stay and verify."""
    store = AuditStore(world.engine)
    ages = (100, 91, 89, 1)
    store.append([call(NOW - timedelta(days=age)) for age in ages])
    clock = FixedClock(NOW)
    keeper = RetentionKeeper(store, Retention(90), clock)
    assert keeper.run_once() == 2
    assert [e.event_time.day for e in store.events()] == [(NOW - timedelta(days=a)).day for a in (89, 1)]
    assert verify(store).ok
    assert keeper.run_once() == 0  # nothing more is old enough
    clock.instant = NOW + timedelta(days=89)
    assert keeper.run_once() == 1


def test_a_broken_trail_is_not_pruned_and_the_keeper_says_so(world: World, caplog: pytest.LogCaptureFixture) -> None:
    """Pruning would hide tampering: the keeper logs the refusal and removes nothing."""
    store = AuditStore(world.engine)
    store.append([call(NOW - timedelta(days=100)), call(NOW - timedelta(days=1))])
    with world.engine.begin() as conn:
        conn.execute(update(audit_events).where(audit_events.c.seq == 2).values(record="{}"))
    with caplog.at_level(logging.ERROR, logger="iamtwin.audit"):
        assert RetentionKeeper(store, Retention(30), FixedClock(NOW)).run_once() == 0
    assert store.count() == 2
    assert "could not prune" in caplog.text


@pytest.mark.parametrize("days", [0, -1, 36_501])
def test_a_retention_outside_1_to_36500_days_is_refused(days: int) -> None:
    """A clear coded error, never a silent keep-forever or prune-everything."""
    with pytest.raises(IamtwinError) as err:
        Retention(days)
    assert err.value.code == "INVALID_RETENTION"
