"""The event model: CloudTrail's exact record shape, redaction, readOnly, and the error of any protocol.

Record fields: https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html;
userIdentity: https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from iamtwin.audit.event import (
    AuditEvent,
    DecisionSummary,
    SessionContext,
    SessionIssuer,
    UserIdentity,
    canonical,
)
from iamtwin.audit.readonly import is_read_only
from iamtwin.audit.redact import redacted
from iamtwin.audit.wire import error_of

CASES = yaml.safe_load((Path(__file__).parent / "cases.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", CASES["redaction"], ids=lambda c: f"cases.yaml::{c['name']}")
def test_redaction(case: dict[str, Any]) -> None:
    """Secrets never reach the trail; names are CloudTrail's."""
    assert redacted(case["given"]) == case["expect"]


@pytest.mark.parametrize("case", CASES["read_only"], ids=lambda c: f"cases.yaml::{c['operation']}")
def test_read_only(case: dict[str, Any]) -> None:
    """readOnly follows the operation's verb."""
    assert is_read_only(case["operation"]) is case["expect"]


def test_an_assumed_role_event_is_cloudtrails_record() -> None:
    """Every field in CloudTrail's names and nesting, absent optional fields left out."""
    issued = datetime(2026, 11, 23, 11, 0, tzinfo=UTC)
    identity = UserIdentity(
        "AssumedRole",
        "AROAEXAMPLEROLE000001:deploy",
        "arn:aws:sts::111122223333:assumed-role/Deployer/deploy",
        "111122223333",
        "ASIAEXAMPLE",
        session=SessionContext(
            issued,
            True,
            SessionIssuer(
                "Role", "AROAEXAMPLEROLE000001", "arn:aws:iam::111122223333:role/Deployer", "111122223333", "Deployer"
            ),
            source_identity="alice",
        ),
    )
    event = AuditEvent(
        event_id="6f2a0d8e-0000-4000-8000-000000000001",
        event_time=datetime(2026, 11, 23, 12, 0, 5, 123000, tzinfo=UTC),
        event_source="iam.amazonaws.com",
        event_name="AttachRolePolicy",
        aws_region="us-east-1",
        source_ip_address="192.0.2.10",
        user_agent="aws-cli/2",
        user_identity=identity,
        request_id="req-1",
        read_only=False,
        recipient_account_id="111122223333",
        request_parameters={"roleName": "Deployer"},
        error_code="AccessDenied",
        error_message="denied",
        decision=DecisionSummary("ExplicitDeny", "iam:AttachRolePolicy", None, ("scp",), ("p-1",)),
    )
    assert event.to_cloudtrail() == {
        "eventVersion": "1.11",
        "userIdentity": {
            "type": "AssumedRole",
            "principalId": "AROAEXAMPLEROLE000001:deploy",
            "arn": "arn:aws:sts::111122223333:assumed-role/Deployer/deploy",
            "accountId": "111122223333",
            "accessKeyId": "ASIAEXAMPLE",
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": "AROAEXAMPLEROLE000001",
                    "arn": "arn:aws:iam::111122223333:role/Deployer",
                    "accountId": "111122223333",
                    "userName": "Deployer",
                },
                "attributes": {"creationDate": "2026-11-23T11:00:00Z", "mfaAuthenticated": "true"},
                "sourceIdentity": "alice",
            },
        },
        "eventTime": "2026-11-23T12:00:05Z",
        "eventSource": "iam.amazonaws.com",
        "eventName": "AttachRolePolicy",
        "awsRegion": "us-east-1",
        "sourceIPAddress": "192.0.2.10",
        "userAgent": "aws-cli/2",
        "errorCode": "AccessDenied",
        "errorMessage": "denied",
        "requestParameters": {"roleName": "Deployer"},
        "responseElements": None,
        "requestID": "req-1",
        "eventID": "6f2a0d8e-0000-4000-8000-000000000001",
        "readOnly": False,
        "eventType": "AwsApiCall",
        "managementEvent": True,
        "recipientAccountId": "111122223333",
        "eventCategory": "Management",
        "iamtwinDecision": {
            "outcome": "ExplicitDeny",
            "action": "iam:AttachRolePolicy",
            "blockedBy": ["scp"],
            "blockingPolicies": ["p-1"],
            "matchedStatements": [],
        },
    }
    assert json.loads(event.canonical_json()) == event.to_cloudtrail()


@pytest.mark.parametrize(
    ("body", "expect"),
    [
        (
            b"<ErrorResponse><Error><Type>Sender</Type><Code>NoSuchEntity</Code>"
            b"<Message>The user with name x cannot be found.</Message></Error></ErrorResponse>",
            ("NoSuchEntity", "The user with name x cannot be found."),
        ),
        (
            b"<Response><Errors><Error><Code>UnauthorizedOperation</Code><Message>a &amp; b</Message>"
            b"</Error></Errors></Response>",
            ("UnauthorizedOperation", "a & b"),
        ),
        (b'{"__type": "com.amazon#AccessDeniedException", "message": "no"}', ("AccessDeniedException", "no")),
        (
            b'{"__type": "AWSOrganizationsNotInUseException", "Message": "none"}',
            ("AWSOrganizationsNotInUseException", "none"),
        ),
        (b"not an error", (None, None)),
    ],
)
def test_the_error_of_any_protocol(body: bytes, expect: tuple[str | None, str | None]) -> None:
    """Query/EC2/REST-XML and JSON error documents give errorCode and errorMessage."""
    assert error_of(body) == expect


@pytest.mark.parametrize(
    "record",
    [
        {"b": 1, "a": {"z": [1, 2, {"y": None, "x": True}], "m": False}},
        {"userName": "Zoë 東京", "emoji": "🔑", "quote": 'say "hi"\n\t\\'},
        {"n": -(2**63), "p": 2**63 - 1, "empty": {}, "list": []},
        {"big": 2**70, "nested": {"k": 2**64}},  # beyond 64 bits: the standard library's path
        {"when": datetime(2026, 11, 23, 12, 0, tzinfo=UTC)},  # non-JSON values become their str()
    ],
)
def test_canonical_text_is_the_standard_librarys_compact_sorted_form(record: dict[Any, Any]) -> None:
    """The stored text (hashed into the chain) is compact, key-sorted JSON with non-ASCII kept, whatever writes it."""
    expected = json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    assert canonical(record) == expected
