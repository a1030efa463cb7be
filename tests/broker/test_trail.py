"""Scenario 05's broker events in the hash-chained audit trail, on SQLite and PostgreSQL.

Every transition is one CloudTrail-shaped record (source `broker.iamtwin`) with the person as
`userIdentity`, the request as `requestParameters` and the new state as `responseElements`; a
refused call is recorded with `errorCode` and `errorMessage` and no response, as CloudTrail records
failed calls (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html).
Altering a stored broker event makes `iamtwin.audit.chain.verify` name it.
"""

from __future__ import annotations

import json
from datetime import timedelta
from itertools import count
from typing import Any

from sqlalchemy import func, select, update
from tests.audit.conftest import AuditedServer
from typer.testing import CliRunner

from iamtwin.audit.chain import ProblemKind, verify
from iamtwin.audit.store import AuditStore
from iamtwin.broker.errors import BrokerError
from iamtwin.broker.requests import Ask
from iamtwin.broker.service import Broker
from iamtwin.broker.trail import BROKER_SOURCE
from iamtwin.cli.app import app
from iamtwin.clock import FixedClock, SystemClock
from iamtwin.world.store.schema import audit_events, broker_requests
from iamtwin.world.stored import World

from .estate import EXAMPLE_RULES, TARGET, broker_principal, build_estate

ALICE, BOB, CAROL, MALLORY = "alice@example.com", "bob@example.com", "carol@example.com", "mallory@example.com"
INCIDENT = "INC-1042: restore bucket policy"
ASK = Ask("111122223333", "TempAccessRoleS3Admin", 7200, INCIDENT, ticket="INC-1042")

QUORUM_RULES = """
people:
  dan@example.com: {groups: [platform]}
  pia@example.com: {groups: [peers]}
  sam@example.com: {groups: [security]}
approval_rules:
  peer-and-security:
    approvers: [{group: peers, count: 1}, {group: security, count: 1}]
    break_glass: true
eligibility:
  - {name: prod, who: {groups: [platform]}, accounts: ["111122223333"], roles: [Admin], max_duration: 1h,
     approval: peer-and-security}
"""


def _broker(world: World, clock: FixedClock, rules: str | None = None) -> Broker:
    numbers = count(1)
    broker = Broker(world.engine, clock, new_id=lambda: f"r-{next(numbers):016x}")
    broker.load_rules(rules if rules is not None else EXAMPLE_RULES.read_text(encoding="utf-8"))
    return broker


def _records(world: World) -> list[dict[str, Any]]:
    """The trail's records of requests (loading the rules is recorded too: see its own test)."""
    records = (json.loads(e.record) for e in AuditStore(world.engine).events())
    return [r for r in records if r["eventName"] != "PutRules"]


def _summary(records: list[dict[str, Any]]) -> list[tuple[str, str | None, str | None, str | None]]:
    """(eventName, principalId, new state, errorCode) of each record."""
    return [
        (
            r["eventName"],
            r["userIdentity"].get("principalId"),
            (r["responseElements"] or {}).get("state"),
            r.get("errorCode"),
        )
        for r in records
    ]


def _refused(call: Any, code: str) -> None:
    try:
        call()
    except BrokerError as exc:
        assert exc.code == code
    else:
        raise AssertionError(f"expected {code}")


def test_scenario_05_transitions_and_refusals_are_recorded_in_order(world: World, clock: FixedClock) -> None:
    """Create, refused approvals (self, non-approver, hidden), approval, revoke: one record each, fields as stored."""
    broker = _broker(world, clock)
    alice, bob, carol, mallory = (broker.person(p) for p in (ALICE, BOB, CAROL, MALLORY))
    request = broker.request(alice, ASK)
    clock.instant += timedelta(minutes=1)
    _refused(lambda: broker.approve(request.id, alice), "SELF_APPROVAL_FORBIDDEN")
    _refused(lambda: broker.approve(request.id, carol), "NOT_AN_APPROVER")
    _refused(lambda: broker.approve(request.id, mallory), "UNKNOWN_REQUEST")
    _refused(lambda: broker.request(mallory, ASK), "NOT_ELIGIBLE")
    clock.instant += timedelta(minutes=4)
    approved = broker.approve(request.id, bob)
    clock.instant += timedelta(minutes=10)
    broker.revoke(request.id, alice, "done early")

    records = _records(world)
    assert _summary(records) == [
        ("CreateRequest", ALICE, "pending", None),
        ("ApproveRequest", ALICE, None, "SELF_APPROVAL_FORBIDDEN"),
        ("ApproveRequest", CAROL, None, "NOT_AN_APPROVER"),
        ("ApproveRequest", MALLORY, None, "UNKNOWN_REQUEST"),
        ("CreateRequest", MALLORY, None, "NOT_ELIGIBLE"),
        ("ApproveRequest", BOB, "pending", None),
        ("GrantAccess", BOB, "approved", None),
        ("RevokeRequest", ALICE, "revoked", None),
    ]
    for r in records:
        assert r["eventSource"] == BROKER_SOURCE and r["readOnly"] is False and r["eventType"] == "AwsApiCall"
    created = records[0]
    assert created["eventTime"] == "2026-11-23T12:00:00Z"
    assert created["userIdentity"] == {"type": "IamtwinPerson", "principalId": ALICE, "userName": ALICE}
    assert created["recipientAccountId"] == "111122223333"
    assert created["requestParameters"] == {
        "requestId": request.id,
        "accountId": "111122223333",
        "roleName": "TempAccessRoleS3Admin",
        "durationSeconds": 7200,
        "justification": INCIDENT,
        "ticket": "INC-1042",
    }
    assert created["responseElements"] == {"state": "pending", "previousState": None}
    self_approval = records[1]
    assert self_approval["requestParameters"] == {"requestId": request.id}
    assert self_approval["responseElements"] is None
    assert self_approval["errorMessage"] == "nobody may approve their own request"
    assert "recipientAccountId" not in records[3]  # mallory learns nothing, the trail names what she tried
    approval, grant, revoke = records[5], records[6], records[7]
    assert approval["eventTime"] == grant["eventTime"] == "2026-11-23T12:05:00Z"
    assert approval["requestID"] == grant["requestID"] != records[0]["requestID"]  # one call, two records
    assert approval["responseElements"]["approverGroups"] == ["reviewers-111122223333"]
    assert approved.window_end is not None
    assert grant["responseElements"] == {
        "state": "approved",
        "previousState": "pending",
        "windowStart": "2026-11-23T12:05:00Z",
        "windowEnd": "2026-11-23T14:05:00Z",
    }
    assert revoke["requestParameters"]["reason"] == "done early"
    assert revoke["responseElements"]["previousState"] == "approved"
    assert len({r["eventID"] for r in records}) == len(records)
    assert verify(AuditStore(world.engine)).ok


def test_quorum_break_glass_reject_cancel_and_expiry(world: World, clock: FixedClock) -> None:
    """Each approval of a quorum, break-glass, reject, cancel, and the broker's own expiry and end are recorded."""
    broker = _broker(world, clock, QUORUM_RULES)
    dan, pia, sam = (broker.person(p) for p in ("dan@example.com", "pia@example.com", "sam@example.com"))
    admin = Ask("111122223333", "Admin", 3600, "deploy")
    quorum = broker.request(dan, admin)
    broker.approve(quorum.id, pia)
    broker.approve(quorum.id, sam)
    rejected = broker.request(dan, admin)
    broker.reject(rejected.id, sam, "use the pipeline")
    cancelled = broker.request(dan, admin)
    broker.cancel(cancelled.id, dan)
    broken = broker.request(dan, Ask("111122223333", "Admin", 3600, "outage", break_glass=True))
    forgotten = broker.request(dan, admin)
    clock.instant += timedelta(hours=24)
    report = broker.sweep()
    assert set(report.expired) == {forgotten.id} and set(report.ended) == {quorum.id, broken.id}

    records = _records(world)
    by_request: dict[str, list[tuple[str, str | None, str | None, str | None]]] = {}
    for r, summary in zip(records, _summary(records), strict=True):
        by_request.setdefault(r["requestParameters"]["requestId"], []).append(summary)
    dan_, pia_, sam_, broker_ = "dan@example.com", "pia@example.com", "sam@example.com", "iamtwin-broker"
    assert by_request[quorum.id] == [
        ("CreateRequest", dan_, "pending", None),
        ("ApproveRequest", pia_, "pending", None),
        ("ApproveRequest", sam_, "pending", None),
        ("GrantAccess", sam_, "approved", None),
        ("EndAccess", broker_, "ended", None),
    ]
    assert by_request[rejected.id][1] == ("RejectRequest", sam_, "rejected", None)
    assert by_request[cancelled.id][1] == ("CancelRequest", dan_, "cancelled", None)
    assert by_request[broken.id][:2] == [
        ("CreateRequest", dan_, "pending", None),
        ("BreakGlass", dan_, "approved", None),
    ]
    assert by_request[forgotten.id][1] == ("ExpireRequest", broker_, "expired", None)
    glass = next(r for r in records if r["eventName"] == "BreakGlass")
    assert glass["requestParameters"]["breakGlass"] is True
    expired = next(r for r in records if r["eventName"] == "ExpireRequest")
    assert expired["userIdentity"] == {"type": "IamtwinBroker", "principalId": broker_, "userName": broker_}
    assert expired["eventTime"] == "2026-11-24T12:00:00Z"
    assert verify(AuditStore(world.engine)).ok


def test_a_session_start_without_sign_in_is_recorded_as_unknown(world: World, clock: FixedClock) -> None:
    """Nobody signed in: CloudTrail's `Unknown` identity and NOT_AUTHENTICATED; nothing else is written."""
    broker = _broker(world, clock)
    request = broker.approve(broker.request(broker.person(ALICE), ASK).id, broker.person(BOB))
    _refused(lambda: broker.start_session(request.id, None), "NOT_AUTHENTICATED")
    last = _records(world)[-1]
    assert (last["eventName"], last["userIdentity"], last["errorCode"]) == (
        "StartSession",
        {"type": "Unknown"},
        "NOT_AUTHENTICATED",
    )


def test_altering_a_stored_broker_event_is_named_by_verify(world: World, clock: FixedClock, db_url: str) -> None:
    """Rewriting who approved (bob → mallory) in the stored record breaks the chain at exactly that event.

    `iamtwin audit verify` says ok before and exits 1 naming the event after.
    """
    broker = _broker(world, clock)
    request = broker.request(broker.person(ALICE), ASK)
    broker.approve(request.id, broker.person(BOB))
    broker.cancel(request.id, broker.person(ALICE))
    with world.engine.connect() as conn:
        seq, event_id, record = conn.execute(
            select(audit_events.c.seq, audit_events.c.event_id, audit_events.c.record).where(
                audit_events.c.event_name == "GrantAccess"
            )
        ).one()
        total = int(conn.execute(select(func.count()).select_from(audit_events)).scalar_one())
    assert total == 5 and verify(AuditStore(world.engine)).ok  # the rules loaded, then 4 transitions
    assert CliRunner().invoke(app, ["audit", "verify", "--db", db_url]).exit_code == 0
    with world.engine.begin() as conn:
        conn.execute(update(audit_events).where(audit_events.c.seq == seq).values(record=record.replace(BOB, MALLORY)))
    checked = verify(AuditStore(world.engine))
    assert not checked.ok
    assert [(p.kind, p.seq, p.event_id) for p in checked.problems] == [(ProblemKind.ALTERED, seq, event_id)]
    broken = CliRunner().invoke(app, ["audit", "verify", "--db", db_url, "--format", "json"])
    assert broken.exit_code == 1
    named = [(p["kind"], p["seq"], p["eventID"]) for p in json.loads(broken.output)["problems"]]
    assert named == [("ALTERED", seq, event_id)]


def test_a_session_start_names_the_session_never_its_secrets(audited: AuditedServer) -> None:
    """StartSession: session name, source identity, expiry, key id (the one the session's calls carry); no secret."""
    key, secret = build_estate(audited.world)
    broker = Broker(audited.world.engine, SystemClock(), broker_principal(audited.url, key, secret))
    broker.load_rules(EXAMPLE_RULES.read_text(encoding="utf-8"))
    request = broker.approve(broker.request(broker.person(ALICE), ASK).id, broker.person(BOB))
    creds = broker.start_session(request.id, broker.person(ALICE))
    audited.client("iam", creds.access_key_id, creds.secret_access_key, creds.session_token).get_role(
        RoleName="TempAccessRoleS3Admin"
    )
    records = audited.events()
    started = [r for r in records if r["eventSource"] == BROKER_SOURCE and r["eventName"] == "StartSession"]
    assert len(started) == 1
    event = started[0]
    assert event["userIdentity"]["principalId"] == ALICE
    assert event["responseElements"]["state"] == "active"
    assert event["responseElements"]["previousState"] == "approved"
    session = event["responseElements"]["session"]
    assert session["sessionName"] == f"{ALICE}+{request.id}"
    assert session["sourceIdentity"] == ALICE
    assert session["roleArn"] == TARGET
    assert session["accessKeyId"] == creds.access_key_id
    assert session["expiration"] == creds.expiration.strftime("%Y-%m-%dT%H:%M:%SZ")
    call = next(r for r in records if r["eventName"] == "GetRole")
    assert call["userIdentity"]["accessKeyId"] == session["accessKeyId"]
    text = json.dumps(event)
    assert creds.secret_access_key not in text and creds.session_token not in text
    assert verify(audited.store).ok


class _BrokenTrail(AuditStore):
    """An audit store whose writes fail, as when the database refuses the insert."""

    def append_in(self, conn: Any, events: Any) -> int:
        raise RuntimeError("audit write failed")


def test_a_change_whose_audit_event_cannot_be_written_is_not_stored(world: World, clock: FixedClock) -> None:
    """The change and its audit events share one transaction: no request exists without its event."""
    Broker(world.engine, clock).load_rules(QUORUM_RULES)
    broker = Broker(world.engine, clock, audit=_BrokenTrail(world.engine))
    try:
        broker.request(broker.person("dan@example.com"), Ask("111122223333", "Admin", 3600, "deploy"))
    except RuntimeError as exc:
        assert str(exc) == "audit write failed"
    else:
        raise AssertionError("the request was stored although its audit event was not")
    with world.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(broker_requests)).scalar() == 0
    assert _records(world) == []


def test_loading_rules_is_recorded_without_their_text(world: World, clock: FixedClock) -> None:
    """New rules change who may ask and who approves: PutRules names them and the digest of their stored text."""
    _broker(world, clock, QUORUM_RULES)
    (record,) = [json.loads(e.record) for e in AuditStore(world.engine).events()]
    assert (record["eventSource"], record["eventName"], record["userIdentity"]["type"]) == (
        BROKER_SOURCE,
        "PutRules",
        "IamtwinOperator",
    )
    assert record["requestParameters"] == {"eligibility": ["prod"], "approvalRules": ["peer-and-security"], "people": 3}
    assert len(record["responseElements"]["sha256"]) == 64
