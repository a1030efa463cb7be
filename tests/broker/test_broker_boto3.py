"""Scenario 05 through the real server: sessions issued by the broker with boto3, and revocation that bites.

The broker (a session of its role ElevatedAccessBroker in 999999999999) assumes
TempAccessRoleS3Admin in 111122223333 with RoleSessionName `<person>+<request>`, SourceIdentity =
the person and the session tag request-id
(https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html). Its own credentials are a
role session, so the sessions it starts are role chaining and last at most one hour
(https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_terms-and-concepts.html#iam-term-role-chaining).
Revocation puts a deny on `aws:TokenIssueTime` on the role, as the console's "Revoke active sessions"
does (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_revoke-sessions.html): calls of
sessions already issued succeed before and are AccessDenied after.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError
from sqlalchemy import select
from tests.api.conftest import RunningServer

from iamtwin.broker.errors import BrokerError
from iamtwin.broker.issuance import SessionCredentials
from iamtwin.broker.requests import Ask, RequestState
from iamtwin.broker.revocation import policy_name
from iamtwin.broker.service import Broker
from iamtwin.clock import FixedClock, SystemClock
from iamtwin.world.store import schema

from .estate import EXAMPLE_RULES, TARGET, broker_principal, build_estate

ALICE, BOB = "alice@example.com", "bob@example.com"
INCIDENT = "INC-1042: restore bucket policy"


@dataclass
class Scenario:
    """The running server and a broker against it."""

    server: RunningServer
    broker: Broker


@pytest.fixture
def scenario(server: RunningServer) -> Iterator[Scenario]:
    """The estate imported, the example rules loaded, a broker holding its role's session."""
    key, secret = build_estate(server.world)
    broker = Broker(server.world.engine, SystemClock(), broker_principal(server.url, key, secret))
    broker.load_rules(EXAMPLE_RULES.read_text(encoding="utf-8"))
    yield Scenario(server, broker)


def _approved(broker: Broker, hours: int = 2) -> str:
    rules = broker.rules()
    request = broker.request(rules.person(ALICE), Ask("111122223333", "TempAccessRoleS3Admin", hours * 3600, INCIDENT))
    return broker.approve(request.id, rules.person(BOB)).id


def _as(server: RunningServer, service: str, creds: SessionCredentials) -> Any:
    return server.client(service, creds.access_key_id, creds.secret_access_key, creds.session_token)


def _role_policies(server: RunningServer) -> list[str]:
    """The target role's inline policy names, read from the world database."""
    table = schema.inline_policies
    with server.world.engine.connect() as conn:
        return sorted(conn.execute(select(table.c.name).where(table.c.owner_arn == TARGET)).scalars())


def _works(server: RunningServer, creds: SessionCredentials) -> None:
    """GetRole succeeds; an S3 call is authorized (the twin answers NotImplemented for S3 itself)."""
    assert _as(server, "iam", creds).get_role(RoleName="TempAccessRoleS3Admin")["Role"]["Arn"] == TARGET
    with pytest.raises(ClientError) as s3:
        _as(server, "s3", creds).list_objects_v2(Bucket="reports")
    assert s3.value.response["Error"]["Code"] == "NotImplemented"


def _denied(server: RunningServer, creds: SessionCredentials) -> None:
    with pytest.raises(ClientError) as iam:
        _as(server, "iam", creds).get_role(RoleName="TempAccessRoleS3Admin")
    assert iam.value.response["Error"]["Code"] == "AccessDenied"
    with pytest.raises(ClientError) as s3:
        _as(server, "s3", creds).list_objects_v2(Bucket="reports")
    assert s3.value.response["Error"]["Code"] == "AccessDenied"


def test_a_session_names_alice_and_the_request_and_never_outlasts_the_window(scenario: Scenario) -> None:
    """The session ARN names alice and the request; SourceIdentity is alice; chaining caps it at one hour."""
    broker, server = scenario.broker, scenario.server
    request_id = _approved(broker)
    creds = broker.start_session(request_id, broker.person(ALICE))
    assert creds.session_name == f"{ALICE}+{request_id}"
    identity = _as(server, "sts", creds).get_caller_identity()
    assert identity["Arn"] == f"arn:aws:sts::111122223333:assumed-role/TempAccessRoleS3Admin/{ALICE}+{request_id}"
    request, events = broker.history(request_id, broker.person("carol@example.com"))
    assert request.state == RequestState.ACTIVE
    assert [e.kind for e in events] == ["created", "approval", "approved", "session"]
    assert request.window_end is not None
    lasts = creds.expiration - broker.sessions(request_id, broker.person(ALICE))[0].issued_at
    assert abs(lasts - timedelta(seconds=3600)) < timedelta(seconds=5)
    assert creds.expiration <= request.window_end
    session = server.world.caller(creds.access_key_id).session
    assert session is not None and session.source_identity == ALICE
    _works(server, creds)


def test_revocation_denies_sessions_already_issued_and_only_that_requests(scenario: Scenario) -> None:
    """Before revocation calls succeed; after, the revoked request's session is denied, another request's is not."""
    broker, server = scenario.broker, scenario.server
    alice, bob = broker.person(ALICE), broker.person(BOB)
    revoked_id, other_id = _approved(broker), _approved(broker)
    revoked, other = broker.start_session(revoked_id, alice), broker.start_session(other_id, alice)
    _works(server, revoked)
    _works(server, other)
    assert broker.revoke(revoked_id, bob, "done early").state == RequestState.REVOKED
    _denied(server, revoked)
    _works(server, other)
    with pytest.raises(BrokerError) as again:
        broker.start_session(revoked_id, alice)
    assert again.value.code == "INVALID_TRANSITION"
    assert policy_name(revoked_id) in _role_policies(server)

    # Once every denied session has expired the deny is no longer needed and is removed.
    later = Broker(server.world.engine, FixedClock(revoked.expiration + timedelta(seconds=1)), broker.principal)
    assert later.sweep().policies_removed == (policy_name(revoked_id),)
    assert policy_name(revoked_id) not in _role_policies(server)


def test_a_revoked_request_without_sessions_needs_no_policy(scenario: Scenario) -> None:
    """Nothing was issued, so nothing is put on the role."""
    broker, server = scenario.broker, scenario.server
    request_id = _approved(broker)
    broker.revoke(request_id, broker.person(BOB))
    assert _role_policies(server) == ["s3-admin"]


def test_sessions_are_refused_after_the_window_and_in_its_last_15_minutes(scenario: Scenario) -> None:
    """At window end minus 899 s the start is refused; at the end the request shows as ended."""
    broker, server = scenario.broker, scenario.server
    request_id = _approved(broker, hours=1)
    request, _ = broker.history(request_id, broker.person(ALICE))
    assert request.window_end is not None
    alice = broker.person(ALICE)
    late = Broker(server.world.engine, FixedClock(request.window_end - timedelta(seconds=899)), broker.principal)
    with pytest.raises(BrokerError) as short:
        late.start_session(request_id, alice)
    assert short.value.code == "WINDOW_TOO_SHORT"
    after = Broker(server.world.engine, FixedClock(request.window_end), broker.principal)
    with pytest.raises(BrokerError) as ended:
        after.start_session(request_id, alice)
    assert ended.value.code == "INVALID_TRANSITION"
    assert after.history(request_id, alice)[0].state == RequestState.ENDED


def test_the_window_ending_denies_a_session_that_would_outlive_it(scenario: Scenario) -> None:
    """A session that expires after the window (here: the broker's clock runs behind STS's) is cut at the end."""
    broker, server = scenario.broker, scenario.server
    real = SystemClock().now()
    behind = Broker(server.world.engine, FixedClock(real - timedelta(seconds=3500)), broker.principal)
    request = behind.request(behind.person(ALICE), Ask("111122223333", "TempAccessRoleS3Admin", 3600, INCIDENT))
    approved = behind.approve(request.id, behind.person(BOB))
    assert approved.window_end is not None and approved.window_end < real + timedelta(seconds=101)
    behind.clock = FixedClock(real - timedelta(seconds=1000))
    creds = behind.start_session(request.id, behind.person(ALICE))
    assert creds.expiration > approved.window_end
    _works(server, creds)
    ending = Broker(server.world.engine, FixedClock(approved.window_end), broker.principal)
    assert ending.sweep().ended == (request.id,)
    _denied(server, creds)


def test_a_scope_narrows_the_session_with_a_session_policy(scenario: Scenario) -> None:
    """The rule's `read-only` scope is passed as the session policy: the role's other permissions are not usable.

    A session's permissions are the intersection of the role's and the session policy's
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html#policies_session).
    """
    broker, server = scenario.broker, scenario.server
    rules = broker.rules()
    ask = Ask("111122223333", "TempAccessRoleS3Admin", 3600, INCIDENT, scope="read-only")
    request = broker.approve(broker.request(rules.person(ALICE), ask).id, rules.person(BOB))
    creds = broker.start_session(request.id, rules.person(ALICE))
    s3 = _as(server, "s3", creds)
    with pytest.raises(ClientError) as read:
        s3.list_objects_v2(Bucket="reports")
    assert read.value.response["Error"]["Code"] == "NotImplemented"
    with pytest.raises(ClientError) as write:
        s3.put_object(Bucket="reports", Key="a.txt", Body=b"x")
    assert write.value.response["Error"]["Code"] == "AccessDenied"
    with pytest.raises(ClientError) as iam:
        _as(server, "iam", creds).get_role(RoleName="TempAccessRoleS3Admin")
    assert iam.value.response["Error"]["Code"] == "AccessDenied"
