"""The broker's requests in the world database, on SQLite and PostgreSQL: transactions, visibility, time."""

from __future__ import annotations

from datetime import timedelta
from itertools import count

import pytest
from sqlalchemy import func, select

from iamtwin.broker import store, transitions
from iamtwin.broker.errors import BrokerError
from iamtwin.broker.requests import Ask, RequestState
from iamtwin.broker.service import Broker
from iamtwin.clock import FixedClock
from iamtwin.world.store import schema
from iamtwin.world.stored import World
from iamtwin.world.worldfile import load_world

from .estate import ESTATE, EXAMPLE_RULES

ALICE, BOB, CAROL, MALLORY = "alice@example.com", "bob@example.com", "carol@example.com", "mallory@example.com"
ASK = Ask("111122223333", "TempAccessRoleS3Admin", 7200, "INC-1042: restore bucket policy")


def _broker(world: World, clock: FixedClock) -> Broker:
    numbers = count(1)
    broker = Broker(world.engine, clock, new_id=lambda: f"r-{next(numbers):016x}")
    broker.load_rules(EXAMPLE_RULES.read_text(encoding="utf-8"))
    return broker


def _count(world: World, table: schema.Table) -> int:
    with world.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def test_no_rules_loaded(world: World, clock: FixedClock) -> None:
    """Before rules are loaded every call says so."""
    with pytest.raises(BrokerError) as caught:
        Broker(world.engine, clock).rules()
    assert caught.value.code == "NO_RULES"


def test_invalid_rules_are_refused_and_keep_the_current_ones(world: World, clock: FixedClock) -> None:
    """A bad file changes nothing."""
    broker = _broker(world, clock)
    with pytest.raises(BrokerError) as caught:
        broker.load_rules("eligibility: [\n")
    assert caught.value.code == "INVALID_RULES"
    with pytest.raises(BrokerError):
        broker.load_rules("approval_rules: {}\neligibility: []\n")
    assert broker.rules().eligibility[0].name == "storage-s3-admin"


def test_request_approve_and_history_are_stored(world: World, clock: FixedClock) -> None:
    """Every transition is an event row; times read back as aware datetimes equal to what was written."""
    broker = _broker(world, clock)
    request = broker.request(broker.person(ALICE), ASK)
    clock.instant += timedelta(minutes=5)
    approved = broker.approve(request.id, broker.person(BOB))
    assert approved.state == RequestState.APPROVED
    assert approved.window_start == clock.instant
    assert approved.window_end == clock.instant + timedelta(hours=2)
    stored, events = broker.history(request.id, broker.person(CAROL))
    assert stored.window_end == approved.window_end and stored.window_end.tzinfo is not None
    assert [(e.kind, e.actor, e.to_state) for e in events] == [
        ("created", ALICE, RequestState.PENDING),
        ("approval", BOB, RequestState.PENDING),
        ("approved", BOB, RequestState.APPROVED),
    ]
    assert events[0].detail == ASK.justification


def test_refusals_write_nothing(world: World, clock: FixedClock) -> None:
    """A refused approval leaves no approval and no event behind."""
    broker = _broker(world, clock)
    request = broker.request(broker.person(ALICE), ASK)
    refusals = ((ALICE, "SELF_APPROVAL_FORBIDDEN"), (MALLORY, "UNKNOWN_REQUEST"), (CAROL, "NOT_AN_APPROVER"))
    for who, code in refusals:
        with pytest.raises(BrokerError) as caught:
            broker.approve(request.id, broker.person(who))
        assert caught.value.code == code
    assert _count(world, schema.broker_approvals) == 0
    assert _count(world, schema.broker_events) == 1
    with pytest.raises(BrokerError) as refused:
        broker.request(broker.person(MALLORY), ASK)
    assert refused.value.code == "NOT_ELIGIBLE"
    assert _count(world, schema.broker_requests) == 1


def test_who_sees_what(world: World, clock: FixedClock) -> None:
    """mallory sees nothing and cannot tell whether a request exists, whatever she tries; reviewers do."""
    broker = _broker(world, clock)
    request = broker.request(broker.person(ALICE), ASK)
    mallory = broker.person(MALLORY)
    for attempt in (
        lambda rid: broker.approve(rid, mallory),
        lambda rid: broker.reject(rid, mallory),
        lambda rid: broker.cancel(rid, mallory),
        lambda rid: broker.revoke(rid, mallory),
        lambda rid: broker.start_session(rid, mallory),
    ):
        codes = []
        for rid in (request.id, "r-ffffffffffffffff"):
            with pytest.raises(BrokerError) as caught:
                attempt(rid)
            codes.append(caught.value.code)
        assert codes == ["UNKNOWN_REQUEST", "UNKNOWN_REQUEST"]
    assert broker.list_for(broker.person(MALLORY)) == []
    with pytest.raises(BrokerError) as hidden:
        broker.history(request.id, broker.person(MALLORY))
    with pytest.raises(BrokerError) as missing:
        broker.history("r-ffffffffffffffff", broker.person(MALLORY))
    assert hidden.value.code == missing.value.code == "UNKNOWN_REQUEST"
    assert hidden.value.message.replace(request.id, "X") == missing.value.message.replace("r-ffffffffffffffff", "X")
    for who in (ALICE, BOB, CAROL):
        assert [r.id for r in broker.list_for(broker.person(who))] == [request.id]


def test_a_concurrent_change_is_refused(world: World, clock: FixedClock) -> None:
    """Two changes computed from the same read: the second one to commit is refused, nothing half-written."""
    broker = _broker(world, clock)
    request = broker.request(broker.person(ALICE), ASK)
    rules = broker.rules()
    with world.engine.connect() as conn:
        seen = store.read_request(conn, request.id)
    first = transitions.reject(rules, seen, rules.person(BOB), clock.now())
    second = transitions.approve(rules, seen, [], rules.person(BOB), clock.now())
    with world.engine.begin() as conn:
        store.apply_change(conn, first)
    with pytest.raises(BrokerError) as caught, world.engine.begin() as conn:
        store.apply_change(conn, second)
    assert caught.value.code == "CONCURRENT_CHANGE"
    assert broker.history(request.id, rules.person(CAROL))[0].state == RequestState.REJECTED
    assert _count(world, schema.broker_approvals) == 0


def test_unreviewed_requests_expire_after_24_hours(world: World, clock: FixedClock) -> None:
    """The sweep expires a pending request at exactly 24 hours, not a second earlier."""
    broker = _broker(world, clock)
    request = broker.request(broker.person(ALICE), ASK)
    clock.instant += timedelta(hours=24) - timedelta(seconds=1)
    assert broker.sweep().expired == ()
    clock.instant += timedelta(seconds=1)
    assert broker.sweep().expired == (request.id,)
    with pytest.raises(BrokerError) as caught:
        broker.approve(request.id, broker.person(BOB))
    assert caught.value.code == "REQUEST_EXPIRED"
    assert [e.kind for e in broker.history(request.id, broker.person(ALICE))[1]] == ["created", "expired"]


def test_an_approved_window_ends_on_its_own(world: World, clock: FixedClock) -> None:
    """Without sessions, the end of the window needs no policy and no STS: the request shows as ended."""
    broker = _broker(world, clock)
    request = broker.approve(broker.request(broker.person(ALICE), ASK).id, broker.person(BOB))
    clock.instant += timedelta(hours=2)
    assert broker.sweep().ended == (request.id,)
    assert broker.history(request.id, broker.person(ALICE))[0].state == RequestState.ENDED


def test_ou_membership_comes_from_the_stored_organization(world: World, clock: FixedClock) -> None:
    """A rule on an OU covers the accounts the stored organization places under it, and no others."""
    world.import_model(load_world(ESTATE).world)
    with world.engine.connect() as conn:
        assert store.account_path(conn, "111122223333") == ("r-abcd", "ou-abcd-11111111")
        assert store.account_path(conn, "999999999999") == ("r-abcd",)
        assert store.account_path(conn, "000000000000") == ()
    broker = Broker(world.engine, clock)
    broker.load_rules(
        """
people:
  pat@example.com: {groups: [platform]}
approval_rules:
  r: {approvers: [{group: reviewers}]}
eligibility:
  - {name: prod, who: {groups: [platform]}, ous: [ou-abcd-11111111], roles: [Admin], max_duration: 1h, approval: r}
"""
    )
    pat = broker.person("pat@example.com")
    assert broker.request(pat, Ask("111122223333", "Admin", 3600, "deploy")).state == RequestState.PENDING
    with pytest.raises(BrokerError) as caught:
        broker.request(pat, Ask("999999999999", "Admin", 3600, "deploy"))
    assert caught.value.code == "NOT_ELIGIBLE"


def test_eligibility_is_evaluated_again_at_every_session_start(world: World, clock: FixedClock) -> None:
    """alice, approved, loses the attribute that made her eligible: her next session start is refused before STS."""
    broker = _broker(world, clock)
    request = broker.approve(broker.request(broker.person(ALICE), ASK).id, broker.person(BOB))
    text = EXAMPLE_RULES.read_text(encoding="utf-8").replace(
        "attributes: {department: storage}\n  bob", "attributes: {department: finance}\n  bob", 1
    )
    assert text != EXAMPLE_RULES.read_text(encoding="utf-8")
    broker.load_rules(text)
    with pytest.raises(BrokerError) as caught:
        broker.start_session(request.id, broker.person(ALICE))
    assert caught.value.code == "NOT_ELIGIBLE"
    with pytest.raises(BrokerError) as anonymous:
        broker.start_session(request.id, None)
    assert anonymous.value.code == "NOT_AUTHENTICATED"
