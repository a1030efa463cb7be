"""`iamtwin sts assume-role` puts the session's issuing in the audit trail, as a call through the server would.

Field shapes: https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html;
a refused call is recorded with its errorCode (same page).
"""

from __future__ import annotations

import json

from tests.conftest import example_path
from typer.testing import CliRunner

from iamtwin.audit.chain import verify
from iamtwin.audit.store import AuditStore
from iamtwin.cli.app import app
from iamtwin.world.stored import World

runner = CliRunner()
S04 = str(example_path("scenario04-tenant-isolation.yaml"))
SERVICE = "arn:aws:iam::111122223333:role/TrackingServiceRole"
ACCESS = "arn:aws:iam::111122223333:role/TrackingAccessRole"


def _assume(db: str, principal: str, role: str, *extra: str) -> tuple[int, str]:
    args = ["sts", "assume-role", "--principal", principal, "--role-arn", role, "--session-name", "t1"]
    result = runner.invoke(app, [*args, *extra, "--db", db, "-f", "json"])
    return result.exit_code, result.output


def test_assume_role_from_the_command_line_is_an_audit_event(db_url: str) -> None:
    """The issuing is an AssumeRole event with the caller, the request, the session's key and no secret."""
    assert runner.invoke(app, ["world", "import", S04, "--db", db_url]).exit_code == 0
    code, out = _assume(db_url, SERVICE, ACCESS, "--tag", "TenantID=yellow")
    assert code == 0, out
    issued = json.loads(out)["Credentials"]
    refused, _ = _assume(db_url, ACCESS, SERVICE)  # the access role may not assume the service role
    assert refused == 1
    world = World.open(db_url)
    try:
        store = AuditStore(world.engine)
        records = [json.loads(e.record) for e in store.events()]
        assert verify(store).ok
    finally:
        world.close()
    allowed, denied = records
    assert (allowed["eventSource"], allowed["eventName"]) == ("sts.amazonaws.com", "AssumeRole")
    identity = allowed["userIdentity"]
    assert (identity["type"], identity["arn"], identity["userName"]) == ("Role", SERVICE, "TrackingServiceRole")
    assert identity["principalId"].startswith("AROA")
    assert allowed["sourceIPAddress"] == "iamtwin-cli" and allowed["userAgent"].startswith("iamtwin-cli/")
    assert allowed["requestParameters"]["roleArn"] == ACCESS  # CloudTrail's camelCase names
    assert allowed["requestParameters"]["tags"] == [{"key": "TenantID", "value": "yellow"}]
    assert allowed["responseElements"]["credentials"]["accessKeyId"] == issued["AccessKeyId"]
    assert issued["SecretAccessKey"] not in json.dumps(records)
    assert issued["SessionToken"] not in json.dumps(records)
    assert allowed["recipientAccountId"] == "111122223333" and "errorCode" not in allowed
    assert denied["errorCode"] == "AccessDenied" and denied["responseElements"] is None
    assert denied["iamtwinDecision"]["action"] == "sts:AssumeRole"


def test_get_session_token_from_the_command_line_is_an_audit_event(db_url: str) -> None:
    """GetSessionToken for a user: the user's identity, the new key in the response, the secret nowhere."""
    assert runner.invoke(app, ["world", "import", S04, "--db", db_url]).exit_code == 0
    world = World.open(db_url)
    try:
        with world.changes() as iam:
            iam.create_user("111122223333", "ana")
            key, _secret = iam.create_access_key("111122223333", "ana", created_at=world.clock.now())
    finally:
        world.close()
    result = runner.invoke(app, ["sts", "get-session-token", "--principal", key, "--db", db_url, "-f", "json"])
    assert result.exit_code == 0, result.output
    issued = json.loads(result.output)["Credentials"]
    world = World.open(db_url)
    try:
        records = [json.loads(e.record) for e in AuditStore(world.engine).events()]
    finally:
        world.close()
    (event,) = records
    assert event["eventName"] == "GetSessionToken" and event["userIdentity"]["type"] == "IAMUser"
    assert event["userIdentity"]["accessKeyId"] == key
    assert event["responseElements"]["credentials"]["accessKeyId"] == issued["AccessKeyId"]
    assert issued["SecretAccessKey"] not in json.dumps(event)
