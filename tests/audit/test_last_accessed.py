"""`iamtwin audit last-accessed`: per service and action, the last attempt and the last allowed one.

IAM's service last accessed data "includes all attempts to access an AWS API, not just the successful
ones" and does not report unauthenticated requests:
https://docs.aws.amazon.com/IAM/latest/APIReference/API_GenerateServiceLastAccessedDetails.html
(fields: https://docs.aws.amazon.com/IAM/latest/APIReference/API_ServiceLastAccessed.html). A role's
activity is its sessions' (sessionIssuer): https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from iamtwin.audit.records import event_from_record
from iamtwin.audit.store import AuditStore
from iamtwin.cli.app import app

from .conftest import SESSION_TRAIL

runner = CliRunner()
DEMO_ROLE = "arn:aws:iam::111122223333:role/DemoRole1"
DEMO = "arn:aws:sts::111122223333:assumed-role/DemoRole1/sara"


def _later_calls() -> list[dict[str, Any]]:
    """A later DemoRole1 session denied in eu-west-1; a same-named role under another path; an unauthenticated call."""
    identities = yaml.safe_load(SESSION_TRAIL.read_text())["identities"]
    later = copy.deepcopy(identities["demo"])
    later["accessKeyId"] = "ASIADEMO000000000002"
    later["sessionContext"]["attributes"]["creationDate"] = "2026-11-21T08:00:00Z"
    other = copy.deepcopy(identities["demo"])
    other["sessionContext"]["sessionIssuer"]["arn"] = "arn:aws:iam::111122223333:role/team/DemoRole1"
    base = {"eventSource": "iam.amazonaws.com", "sourceIPAddress": "203.0.113.9", "requestParameters": {}}
    return [
        {
            **base,
            "eventID": "later-denied",
            "eventTime": "2026-11-21T08:00:00Z",
            "awsRegion": "eu-west-1",
            "eventName": "AttachRolePolicy",
            "userIdentity": later,
            "errorCode": "AccessDenied",
            "iamtwinDecision": {"outcome": "ExplicitDeny", "action": "iam:AttachRolePolicy"},
        },
        {
            **base,
            "eventID": "other-path",
            "eventTime": "2026-11-21T09:00:00Z",
            "eventSource": "s3.amazonaws.com",
            "eventName": "ListBuckets",
            "userIdentity": other,
        },
        {
            **base,
            "eventID": "unauthenticated",
            "eventTime": "2026-11-21T10:00:00Z",
            "eventName": "ListRoles",
            "userIdentity": {"type": "Unknown", "accessKeyId": "ASIADEMO000000000001"},
            "errorCode": "SignatureDoesNotMatch",
        },
    ]


@pytest.fixture
def trail(written_trail: AuditStore) -> AuditStore:
    """The YAML trail and the later calls."""
    written_trail.append([event_from_record(r) for r in _later_calls()])
    return written_trail


def _report(db_url: str, *args: str) -> dict[str, Any]:
    out = runner.invoke(app, ["audit", "last-accessed", "--db", db_url, "--format", "json", *args])
    assert out.exit_code == 0, out.output
    return dict(json.loads(out.output))


def _services(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s["serviceNamespace"]: s for s in report["services"]}


def test_a_role_counts_its_sessions_attempts_denied_included(trail: AuditStore, db_url: str) -> None:
    """The last attempt was denied (eu-west-1); the last allowed one is a day earlier; other paths' roles are not it."""
    services = _services(_report(db_url, "--principal", DEMO_ROLE))
    assert sorted(services) == ["ec2", "iam"]  # not s3 (role/team/DemoRole1), not the unauthenticated call
    iam = services["iam"]
    assert (iam["lastAuthenticated"], iam["lastAuthenticatedRegion"], iam["lastAuthenticatedEntity"]) == (
        "2026-11-21T08:00:00Z",
        "eu-west-1",
        DEMO,
    )
    assert (iam["lastAllowed"], iam["attempts"], iam["denied"]) == ("2026-11-20T10:09:00Z", 3, 2)
    assert [a["actionName"] for a in iam["actions"]] == ["iam:AttachRolePolicy"]
    ec2 = services["ec2"]
    assert [(a["actionName"], a["lastAuthenticated"], a["lastAllowed"]) for a in ec2["actions"]] == [
        ("ec2:DescribeInstances", "2026-11-20T10:06:00Z", "2026-11-20T10:06:00Z"),
        ("ec2:RunInstances", "2026-11-20T10:07:00Z", "2026-11-20T10:07:00Z"),
    ]
    assert ec2["lastAuthenticated"] == "2026-11-20T10:07:00Z" and ec2["denied"] == 0


def test_since_a_session_and_a_user(trail: AuditStore, db_url: str) -> None:
    """--since drops older attempts; a session ARN covers all its sessions; a user is its own key's calls."""
    recent = _services(_report(db_url, "--principal", DEMO_ROLE, "--since", "2026-11-20T10:07:00Z"))
    assert [a["actionName"] for a in recent["ec2"]["actions"]] == ["ec2:RunInstances"]
    assert recent["iam"]["attempts"] == 3
    late = _services(_report(db_url, "--principal", DEMO_ROLE, "--since", "2026-11-21T00:00:00Z"))
    assert list(late) == ["iam"] and late["iam"]["lastAllowed"] is None
    sso = "arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_AdministratorAccess_598c5f73f8b2b4e5/sara"
    session = _services(_report(db_url, "--principal", sso))
    trails = {a["actionName"]: a for a in session["cloudtrail"]["actions"]}
    assert trails["cloudtrail:DescribeTrails"]["attempts"] == 2  # 1 and 20 November: both sessions of the ARN
    assert trails["cloudtrail:DescribeTrails"]["lastAuthenticated"] == "2026-11-20T10:02:00Z"
    assert [a["actionName"] for a in session["sts"]["actions"]] == ["sts:AssumeRole"]
    alice = _services(_report(db_url, "--principal", "arn:aws:iam::111122223333:user/alice"))
    assert list(alice) == ["iam"] and alice["iam"]["lastAllowed"] == "2026-11-20T10:10:00Z"


def test_text_and_bad_principals(trail: AuditStore, db_url: str) -> None:
    """The text table names services and actions; a non-principal ARN is AUDIT_INVALID_PRINCIPAL (exit 2)."""
    out = runner.invoke(app, ["audit", "last-accessed", "--db", db_url, "--principal", DEMO_ROLE])
    assert out.exit_code == 0, out.output
    assert "iam:AttachRolePolicy" in out.output and "eu-west-1" in out.output
    for bad in ("arn:aws:s3:::bucket", "not-an-arn", "arn:aws:iam::111122223333:group/admins"):
        refused = runner.invoke(app, ["audit", "last-accessed", "--db", db_url, "--principal", bad])
        assert refused.exit_code == 2 and "AUDIT_INVALID_PRINCIPAL" in refused.output
