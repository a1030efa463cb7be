"""`/v1/authorize` decisions as events: every denial, allows at the configured rate, with the engine's reasons."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from iamtwin.audit.decisions import AllowSampling, record_decision
from iamtwin.audit.identity import identity_of
from iamtwin.audit.recorder import AuditRecorder
from iamtwin.audit.store import AuditStore
from iamtwin.errors import IamtwinError
from iamtwin.world.stored import World

ACCOUNT = "111122223333"
USER = f"arn:aws:iam::{ACCOUNT}:user/app"
T = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
ALLOW_GET = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Sid": "Read", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}],
    }
)


@pytest.fixture
def app_user(world: World) -> World:
    with world.changes() as iam:
        iam.create_account(ACCOUNT)
        iam.create_user(ACCOUNT, "app")
        iam.put_inline_policy("user", ACCOUNT, "app", "read", ALLOW_GET)
    return world


def _record(world: World, recorder: AuditRecorder, action: str, request_id: str, rate: float) -> bool:
    caller = world.caller(USER)
    decision = world.authorize(caller, action, "arn:aws:s3:::bucket/key", {"aws:SourceIp": "192.0.2.1"})
    event = record_decision(
        recorder,
        decision,
        identity=identity_of(world, caller),
        request_id=request_id,
        source_ip="192.0.2.1",
        user_agent="app/1",
        now=T,
        context={"aws:SourceIp": "192.0.2.1"},
        sampling=AllowSampling(rate),
    )
    return event is not None


def test_allows_and_denials_carry_the_engines_reasons(app_user: World) -> None:
    """An allow names the matching statement; a denial the policy type that blocked it."""
    store = AuditStore(app_user.engine)
    recorder = AuditRecorder(store)
    assert _record(app_user, recorder, "s3:GetObject", "r1", 1.0)
    assert _record(app_user, recorder, "s3:PutObject", "r2", 1.0)
    recorder.flush()
    allowed, denied = (json.loads(e.record) for e in store.events())
    assert (allowed["eventSource"], allowed["eventName"]) == ("iamtwin", "Authorize")
    assert allowed["iamtwinDecision"]["outcome"] == "Allowed"
    assert allowed["iamtwinDecision"]["matchedStatements"][0]["sid"] == "Read"
    assert allowed["requestParameters"]["context"] == {"aws:SourceIp": "192.0.2.1"}
    assert allowed["userIdentity"]["arn"] == USER and allowed["requestID"] == "r1"
    assert denied["errorCode"] == "AccessDenied"
    assert denied["iamtwinDecision"] | {"matchedStatements": []} == {
        "outcome": "ImplicitDeny",
        "action": "s3:PutObject",
        "resource": "arn:aws:s3:::bucket/key",
        "blockedBy": ["identity"],
        "blockingPolicies": [],
        "matchedStatements": [],
    }


def test_allows_are_sampled_and_denials_never(app_user: World) -> None:
    """Rate 0 keeps no allow and every denial; a fractional rate keeps a reproducible share of allows."""
    recorder = AuditRecorder(AuditStore(app_user.engine))
    assert not _record(app_user, recorder, "s3:GetObject", "a", 0.0)
    assert _record(app_user, recorder, "s3:PutObject", "b", 0.0)
    kept = [_record(app_user, recorder, "s3:GetObject", f"req-{i}", 0.25) for i in range(400)]
    assert 60 < sum(kept) < 140
    assert kept == [_record(app_user, recorder, "s3:GetObject", f"req-{i}", 0.25) for i in range(400)]


def test_a_sampling_rate_outside_0_to_1_is_refused() -> None:
    """A clear, coded error."""
    with pytest.raises(IamtwinError) as refused:
        AllowSampling(1.5)
    assert refused.value.code == "INVALID_SAMPLING_RATE"
