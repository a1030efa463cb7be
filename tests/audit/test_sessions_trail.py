"""`iamtwin audit sessions` on a written trail (session_trail.yaml): scenario 12 and the edge cases.

Who assumed a role is the issuing event's `userIdentity` (WebIdentityUser, SAMLUser, IAMUser, AssumedRole):
https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html.
Role chaining limits a session to one hour:
https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_terms-and-concepts.html#iam-term-role-chaining.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from iamtwin.audit.chain import prune, verify
from iamtwin.audit.records import InvalidRecord, event_from_record
from iamtwin.audit.sessions import origin_of
from iamtwin.audit.store import AuditStore
from iamtwin.cli.app import app

runner = CliRunner()
TRAIL = Path(__file__).with_name("session_trail.yaml")
SSO = "arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_AdministratorAccess_598c5f73f8b2b4e5/sara"
DEMO = "arn:aws:sts::111122223333:assumed-role/DemoRole1/sara"


@pytest.fixture
def trail(written_trail: AuditStore) -> AuditStore:
    """The YAML trail, stored."""
    return written_trail


def _report(db_url: str, *args: str) -> dict[str, Any]:
    out = runner.invoke(app, ["audit", "sessions", "--db", db_url, "--format", "json", *args])
    assert out.exit_code == 0, out.output
    return dict(json.loads(out.output))


def _error(db_url: str, *args: str) -> str:
    out = runner.invoke(app, ["audit", "sessions", "--db", db_url, *args])
    assert out.exit_code == 2, out.output
    return str(out.output)


def test_scenario_12_from_the_stop_logging_event(trail: AuditStore, db_url: str) -> None:
    """sara (web identity) -> the SSO role -> DemoRole1; every call in order; new actions and a new address."""
    report = _report(db_url, "--event-id", "stop-logging")
    assert report["origin"]["kind"] == "web-identity"
    assert report["origin"]["userName"] == "sara" and report["origin"]["identityProvider"] == "idp.example.com"
    assert (report["origin"]["time"], report["origin"]["sourceIPAddress"]) == ("2026-11-20T10:00:00Z", "203.0.113.9")
    assert report["sourceIdentity"] == "sara"
    sso, demo = report["sessions"]
    assert (sso["sessionArn"], sso["subject"], sso["issuingEventID"]) == (SSO, True, "web-2")
    assert sso["issuedWith"] == "AssumeRoleWithWebIdentity" and sso["sourceIPAddress"] == "203.0.113.9"
    assert (sso["issueTime"], sso["expiration"], sso["durationSeconds"]) == (
        "2026-11-20T10:00:00Z",
        "2026-11-20T11:00:00Z",
        3600,
    )
    assert [e["eventID"] for e in sso["events"]] == ["stop-logging", "new-describe", "chain"]
    assert (demo["sessionArn"], demo["parent"], demo["chained"], demo["issuedBy"]) == (DEMO, 0, True, SSO)
    assert (demo["durationSeconds"], demo["maxDurationSeconds"]) == (3600, 3600)
    assert [(e["eventName"], e["errorCode"]) for e in demo["events"]] == [
        ("DescribeInstances", None),
        ("RunInstances", None),
        ("AttachRolePolicy", "AccessDenied"),
        ("AttachRolePolicy", None),
    ]
    # 1 November's session only described trails, from another address.
    assert sso["newActivity"] == {
        "earlierSessions": 1,
        "earlierEvents": 1,
        "newActions": ["cloudtrail:StopLogging", "sts:AssumeRole"],
        "newSourceAddresses": ["203.0.113.9"],
    }
    assert demo["newActivity"]["newActions"] == [
        "ec2:DescribeInstances",
        "ec2:RunInstances",
        "iam:AttachRolePolicy",
    ]
    assert report["notes"] == []


def test_the_chains_calls_export_as_cloudtrail_json_lines(trail: AuditStore, db_url: str) -> None:
    """--format jsonl: each call of every session of the chain, in recording order, as the stored record."""
    out = runner.invoke(app, ["audit", "sessions", "--db", db_url, "--event-id", "stop-logging", "--format", "jsonl"])
    assert out.exit_code == 0, out.output
    records = [json.loads(line) for line in out.output.splitlines()]
    assert [r["eventID"] for r in records] == [
        "stop-logging",
        "new-describe",
        "chain",
        "describe-instances",
        "run-instances",
        "attach-denied",
        "attach-allowed",
    ]
    stored = {e.event_id: e.record for e in trail.events()}
    assert out.output.splitlines()[0] == stored["stop-logging"]
    assert records[5]["userIdentity"]["sessionContext"]["sessionIssuer"]["userName"] == "DemoRole1"
    assert records[5]["errorCode"] == "AccessDenied" and records[0]["requestParameters"] == {"name": "demo-trail-2"}


def test_a_session_whose_issuing_event_was_pruned_says_so(trail: AuditStore, db_url: str) -> None:
    """After pruning up to 10:01:30 the sign-in is gone: the report says it was pruned; the provider still shows."""
    assert prune(trail, datetime(2026, 11, 20, 10, 1, 30, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC)) == 4
    assert verify(trail).ok
    report = _report(db_url, "--event-id", "new-describe")
    sso = report["sessions"][0]
    assert sso["issuingEventID"] is None and sso["expiration"] is None and sso["durationSeconds"] is None
    assert [e["eventID"] for e in sso["events"]] == ["new-describe", "chain"]
    assert report["origin"]["kind"] == "web-identity"
    assert report["origin"]["identityProvider"] == "arn:aws:iam::111122223333:oidc-provider/idp.example.com"
    assert report["origin"]["sourceIPAddress"] is None  # the sign-in that would say it is gone
    assert len(report["notes"]) == 1
    assert "is not in the trail: events before 2026-11-20T10:01:30+00:00 were pruned" in report["notes"][0]
    assert report["sessions"][1]["sessionArn"] == DEMO  # the chained session's own AssumeRole is still there


def test_the_broker_and_saml_are_named_as_origins(trail: AuditStore, db_url: str) -> None:
    """A session with the broker's request-id tag comes from the broker; a SAML session that made no call is found."""
    broker = _report(db_url, "--event-id", "ops-call")
    assert broker["origin"]["kind"] == "broker" and broker["origin"]["brokerRequestId"] == "r-42"
    assert broker["origin"]["arn"] == "arn:aws:iam::111122223333:user/iamtwin-broker"
    assert broker["sourceIdentity"] == "dana" and broker["sessions"][0]["durationSeconds"] == 1800
    saml = _report(db_url, "--session-arn", "arn:aws:sts::111122223333:assumed-role/Auditor/joe")
    assert saml["origin"]["kind"] == "saml" and saml["origin"]["userName"] == "joe"
    assert saml["sessions"][0]["events"] == [] and saml["sessions"][0]["roleArn"].endswith(":role/Auditor")


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["--event-id", "no-such-event"], "AUDIT_EVENT_NOT_FOUND"),
        (["--event-id", "alice-list"], "AUDIT_NOT_A_ROLE_SESSION"),
        (["--session-arn", "arn:aws:sts::111122223333:assumed-role/Nobody/x"], "AUDIT_SESSION_NOT_FOUND"),
        (["--event-id", "stop-logging", "--session-arn", SSO], "INVALID_ARGUMENTS"),
        ([], "INVALID_ARGUMENTS"),
        (["--event-id", "stop-logging", "--format", "svg"], "INVALID_FORMAT"),
    ],
)
def test_bad_questions_are_coded_errors(trail: AuditStore, db_url: str, args: list[str], code: str) -> None:
    """Exit 2 with a stable code, never a traceback."""
    assert code in _error(db_url, *args)


def test_records_read_back_are_the_same_records() -> None:
    """event_from_record inverts to_cloudtrail (what the trail fixture relies on); a non-object is a coded error."""
    for record in yaml.safe_load(TRAIL.read_text())["events"]:
        written = event_from_record(record).to_cloudtrail()
        assert event_from_record(written).to_cloudtrail() == written
        assert written["userIdentity"] == record["userIdentity"]
    with pytest.raises(InvalidRecord):
        event_from_record(["not", "a", "record"])


def test_a_chained_session_longer_than_an_hour_is_flagged(trail: AuditStore, db_url: str) -> None:
    """DemoRole1's session (itself chained) assumes Deep for two hours: the report notes the broken one-hour limit."""
    demo = yaml.safe_load(TRAIL.read_text())["identities"]["demo"]
    deep = "arn:aws:sts::111122223333:assumed-role/Deep/sara"
    trail.append(
        [
            event_from_record(
                {
                    "eventID": "too-long",
                    "eventTime": "2026-11-20T10:09:30Z",
                    "eventSource": "sts.amazonaws.com",
                    "eventName": "AssumeRole",
                    "sourceIPAddress": "203.0.113.9",
                    "userIdentity": demo,
                    "requestParameters": {"roleArn": "arn:aws:iam::111122223333:role/Deep", "roleSessionName": "sara"},
                    "responseElements": {
                        "credentials": {"accessKeyId": "ASIADEEP000000000001", "expiration": "2026-11-20T12:09:30Z"},
                        "assumedRoleUser": {"assumedRoleId": "AROADEEP:sara", "arn": deep},
                    },
                }
            )
        ]
    )
    report = _report(db_url, "--event-id", "describe-instances")
    assert [(s["sessionArn"], s["parent"]) for s in report["sessions"]] == [(SSO, None), (DEMO, 0), (deep, 1)]
    assert report["sessions"][2]["durationSeconds"] == 7200 and report["sessions"][2]["chained"] is True
    assert report["notes"] == [f"session {deep} was chained yet lasted 7200 s, beyond the 3600 s role chaining allows"]


_SARA_WEB = {"type": "WebIdentityUser", "principalId": "idp:aud:sara", "userName": "sara", "identityProvider": "idp"}
_USER = {"type": "IAMUser", "principalId": "AIDAX", "arn": "arn:aws:iam::111122223333:user/u", "accessKeyId": "AKIAX"}
_ROLE_SESSION = {
    "type": "AssumedRole",
    "arn": "arn:aws:sts::111122223333:assumed-role/R/s",
    "sessionContext": {"attributes": {"creationDate": "2026-11-20T10:00:00Z"}},
}


@pytest.mark.parametrize(
    ("event_name", "caller", "parameters", "kind"),
    [
        ("AssumeRole", _USER, {}, "user-key"),
        ("AssumeRole", {**_USER, "sessionContext": {"attributes": {}}}, {}, "user-session-token"),
        ("AssumeRole", {"type": "Root", "arn": "arn:aws:iam::111122223333:root"}, {}, "root"),
        ("AssumeRole", _ROLE_SESSION, {}, None),  # role chaining: the walk goes on up
        ("AssumeRole", _ROLE_SESSION, {"tags": [{"key": "request-id", "value": "r-1"}]}, "broker"),
        ("AssumeRoleWithWebIdentity", _SARA_WEB, {}, "web-identity"),
        ("AssumeRoleWithSAML", {"type": "SAMLUser", "userName": "joe"}, {}, "saml"),
    ],
)
def test_who_assumed_the_role(
    event_name: str, caller: dict[str, Any], parameters: dict[str, Any], kind: str | None
) -> None:
    """The issuing event's caller names the origin; another role session means the chain continues."""
    origin = origin_of({"eventName": event_name, "userIdentity": caller, "requestParameters": parameters})
    assert (origin.kind if origin is not None else None) == kind
