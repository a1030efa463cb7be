"""Scenario 05 point 4: what alice does through a broker session traces back to her and to the request.

Each call of the session is recorded with `userIdentity.type` AssumedRole, the session ARN
`arn:aws:sts::111122223333:assumed-role/TempAccessRoleS3Admin/<alice>+<request>`, the issuer role,
`mfaAuthenticated` and the source identity, as CloudTrail records them
(https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_monitor.html).
"""

from __future__ import annotations

from tests.audit.conftest import AuditedServer

from iamtwin.broker.requests import Ask
from iamtwin.broker.service import Broker
from iamtwin.clock import SystemClock

from .estate import EXAMPLE_RULES, TARGET, broker_principal, build_estate

ALICE = "alice@example.com"


def test_a_sessions_calls_name_alice_and_the_request(audited: AuditedServer) -> None:
    """GetRole by alice's session: AssumedRole, her session ARN, the issuer role, mfaAuthenticated, sourceIdentity."""
    key, secret = build_estate(audited.world)
    broker = Broker(audited.world.engine, SystemClock(), broker_principal(audited.url, key, secret))
    broker.load_rules(EXAMPLE_RULES.read_text(encoding="utf-8"))
    ask = Ask("111122223333", "TempAccessRoleS3Admin", 7200, "INC-1042: restore bucket policy")
    request = broker.request(broker.person(ALICE), ask)
    broker.approve(request.id, broker.person("bob@example.com"))
    creds = broker.start_session(request.id, broker.person(ALICE))
    audited.client("iam", creds.access_key_id, creds.secret_access_key, creds.session_token).get_role(
        RoleName="TempAccessRoleS3Admin"
    )
    calls = [e for e in audited.events() if e["eventName"] == "GetRole"]
    assert len(calls) == 1
    identity = calls[0]["userIdentity"]
    assert identity["type"] == "AssumedRole"
    assert identity["arn"] == f"arn:aws:sts::111122223333:assumed-role/TempAccessRoleS3Admin/{ALICE}+{request.id}"
    context = identity["sessionContext"]
    assert context["sessionIssuer"]["arn"] == TARGET
    assert context["attributes"]["mfaAuthenticated"] == "false"
    assert context["sourceIdentity"] == ALICE
