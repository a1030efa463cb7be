"""`iamtwin audit sessions` on a chain driven with boto3 through `iamtwin serve`: user -> role A -> role B.

Role chaining (a role session calling sts:AssumeRole) limits the chained session to one hour:
https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_terms-and-concepts.html#iam-term-role-chaining.
A session's calls carry the access key its AssumeRole returned (`responseElements.credentials.accessKeyId`
-> `userIdentity.accessKeyId`) and its source identity travels down the chain:
https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_monitor.html.
"""

from __future__ import annotations

import contextlib
import json
from typing import Any

import pytest
from botocore.exceptions import ClientError
from typer.testing import CliRunner

from iamtwin.cli.app import app

from .conftest import AuditedServer

runner = CliRunner()
ACCOUNT = "123456789012"
ROLE_A = f"arn:aws:iam::{ACCOUNT}:role/AdministratorAccess_598c"
ROLE_B = f"arn:aws:iam::{ACCOUNT}:role/DemoRole1"
SESSION_A = f"arn:aws:sts::{ACCOUNT}:assumed-role/AdministratorAccess_598c/sara"
SESSION_B = f"arn:aws:sts::{ACCOUNT}:assumed-role/DemoRole1/sara"


def _document(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def _setup(audited: AuditedServer) -> dict[str, str]:
    """sara may assume A; A may stop trails and assume B; B may describe EC2 and attach policies to Target1 only."""
    iam = audited.client("iam")
    iam.create_user(UserName="sara")
    iam.put_user_policy(
        UserName="sara",
        PolicyName="assume-a",
        PolicyDocument=_document(
            {"Effect": "Allow", "Action": ["sts:AssumeRole", "sts:SetSourceIdentity"], "Resource": ROLE_A}
        ),
    )
    key = iam.create_access_key(UserName="sara")["AccessKey"]
    trust_a = _document(
        {
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
            "Action": ["sts:AssumeRole", "sts:SetSourceIdentity"],
        }
    )
    iam.create_role(RoleName="AdministratorAccess_598c", AssumeRolePolicyDocument=trust_a)
    iam.put_role_policy(
        RoleName="AdministratorAccess_598c",
        PolicyName="a",
        PolicyDocument=_document(
            {"Effect": "Allow", "Action": ["cloudtrail:StopLogging", "iam:ListRoles"], "Resource": "*"},
            {"Effect": "Allow", "Action": ["sts:AssumeRole", "sts:SetSourceIdentity"], "Resource": ROLE_B},
        ),
    )
    trust_b = _document(
        {"Effect": "Allow", "Principal": {"AWS": ROLE_A}, "Action": ["sts:AssumeRole", "sts:SetSourceIdentity"]}
    )
    iam.create_role(RoleName="DemoRole1", AssumeRolePolicyDocument=trust_b)
    iam.put_role_policy(
        RoleName="DemoRole1",
        PolicyName="b",
        PolicyDocument=_document(
            {"Effect": "Allow", "Action": ["ec2:DescribeInstances"], "Resource": "*"},
            {
                "Effect": "Allow",
                "Action": "iam:AttachRolePolicy",
                "Resource": f"arn:aws:iam::{ACCOUNT}:role/Target1",
            },
        ),
    )
    for target in ("Target1", "Target2"):
        iam.create_role(RoleName=target, AssumeRolePolicyDocument=trust_a)
    policy = iam.create_policy(
        PolicyName="ReadOnly", PolicyDocument=_document({"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"})
    )
    return {"key": key["AccessKeyId"], "secret": key["SecretAccessKey"], "policy": policy["Policy"]["Arn"]}


def _session(audited: AuditedServer, credentials: dict[str, Any], service: str) -> Any:
    return audited.client(
        service,
        key=credentials["AccessKeyId"],
        secret=credentials["SecretAccessKey"],
        token=credentials["SessionToken"],
    )


def _drive(audited: AuditedServer) -> dict[str, Any]:
    """An earlier session of A, then the chain investigated; the eventID of StopLogging and the keys."""
    sara = _setup(audited)
    sts = audited.client("sts", key=sara["key"], secret=sara["secret"])
    earlier = sts.assume_role(RoleArn=ROLE_A, RoleSessionName="sara", SourceIdentity="sara")["Credentials"]
    _session(audited, earlier, "iam").list_roles()
    first = sts.assume_role(RoleArn=ROLE_A, RoleSessionName="sara", SourceIdentity="sara")["Credentials"]
    with contextlib.suppress(ClientError):  # allowed; CloudTrail is not emulated, so the answer is NotImplemented
        _session(audited, first, "cloudtrail").stop_logging(Name="demo-trail-2")
    _session(audited, first, "iam").list_roles()
    chained = _session(audited, first, "sts").assume_role(RoleArn=ROLE_B, RoleSessionName="sara", DurationSeconds=3600)[
        "Credentials"
    ]
    with contextlib.suppress(ClientError):
        _session(audited, chained, "ec2").describe_instances()
    with pytest.raises(ClientError):
        _session(audited, chained, "iam").attach_role_policy(RoleName="Target2", PolicyArn=sara["policy"])
    _session(audited, chained, "iam").attach_role_policy(RoleName="Target1", PolicyArn=sara["policy"])
    events = audited.events()
    (stop,) = [e for e in events if e["eventName"] == "StopLogging"]
    return {"stop": stop["eventID"], "first": first["AccessKeyId"], "chained": chained["AccessKeyId"], **sara}


def _run(audited: AuditedServer, db_url: str, *args: str) -> str:
    out = runner.invoke(app, ["audit", "sessions", "--db", db_url, *args])
    assert out.exit_code == 0, out.output
    return out.output


def test_the_chain_from_an_event_with_every_call_and_what_is_new(audited: AuditedServer, db_url: str) -> None:
    """From StopLogging: sara's key assumed A (source identity sara), A chained to B for at most an hour."""
    driven = _drive(audited)
    report = json.loads(_run(audited, db_url, "--event-id", driven["stop"], "--format", "json"))
    assert report["origin"]["kind"] == "user-key"
    assert report["origin"]["arn"] == f"arn:aws:iam::{ACCOUNT}:user/sara"
    assert report["origin"]["accessKeyId"] == driven["key"]
    assert report["sourceIdentity"] == "sara" and report["roleChainingMaxSeconds"] == 3600
    first, chained = report["sessions"]
    assert (first["sessionArn"], first["subject"], first["parent"]) == (SESSION_A, True, None)
    assert (first["roleArn"], first["roleSessionName"], first["accessKeyId"]) == (ROLE_A, "sara", driven["first"])
    assert first["issuedWith"] == "AssumeRole" and first["issuedBy"] == f"arn:aws:iam::{ACCOUNT}:user/sara"
    assert first["sourceIPAddress"] == "127.0.0.1" and first["chained"] is False
    assert first["durationSeconds"] == 3600 and first["expiration"] > first["issueTime"]
    assert [e["eventName"] for e in first["events"]] == ["StopLogging", "ListRoles", "AssumeRole"]
    assert first["events"][0]["action"] == "cloudtrail:StopLogging"
    assert first["events"][0]["requestParameters"]["name"] == "demo-trail-2"
    assert (chained["sessionArn"], chained["parent"], chained["subject"]) == (SESSION_B, 0, False)
    assert chained["chained"] is True and chained["maxDurationSeconds"] == 3600
    assert chained["durationSeconds"] == 3600 and chained["requestedDurationSeconds"] == 3600
    assert chained["issuedBy"] == SESSION_A and chained["accessKeyId"] == driven["chained"]
    assert chained["sourceIdentity"] == "sara"  # set on the first session, carried down the chain
    calls = [(e["eventName"], e["errorCode"], e["outcome"]) for e in chained["events"]]
    assert calls == [
        ("DescribeInstances", "NotImplemented", "Allowed"),
        ("AttachRolePolicy", "AccessDenied", "ImplicitDeny"),
        ("AttachRolePolicy", None, "Allowed"),
    ]
    # A's earlier session listed roles from the same address: only what it had never done is new.
    assert first["newActivity"] == {
        "earlierSessions": 1,
        "earlierEvents": 1,
        "newActions": ["cloudtrail:StopLogging", "sts:AssumeRole"],
        "newSourceAddresses": [],
    }
    assert chained["newActivity"]["earlierSessions"] == 0
    assert chained["newActivity"]["newActions"] == ["ec2:DescribeInstances", "iam:AttachRolePolicy"]
    assert chained["newActivity"]["newSourceAddresses"] == ["127.0.0.1"]
    assert report["notes"] == []


def test_the_session_arn_names_its_newest_session_and_the_graphs_have_the_edges(
    audited: AuditedServer, db_url: str
) -> None:
    """--session-arn of B: the chain up to sara; DOT and Mermaid draw origin -> A -> B with AssumeRole labels."""
    _drive(audited)
    report = json.loads(_run(audited, db_url, "--session-arn", SESSION_B, "--format", "json"))
    assert [(s["sessionArn"], s["subject"]) for s in report["sessions"]] == [(SESSION_A, False), (SESSION_B, True)]
    assert report["sessions"][0]["newActivity"]["earlierSessions"] == 1  # the investigated A, not the earlier one
    newest_a = json.loads(_run(audited, db_url, "--session-arn", SESSION_A, "--format", "json"))
    assert [s["sessionArn"] for s in newest_a["sessions"]] == [SESSION_A, SESSION_B]  # A's newest session chained
    dot = _run(audited, db_url, "--session-arn", SESSION_B, "--format", "dot")
    assert dot.startswith("digraph sessions {")
    assert 'origin [label="user-key: arn:aws:iam::123456789012:user/sara"]' in dot
    assert 's0 [label="AdministratorAccess_598c / sara"]' in dot
    assert 's1 [label="DemoRole1 / sara (subject)", style=bold]' in dot
    assert 'origin -> s0 [label="AssumeRole ' in dot and 's0 -> s1 [label="AssumeRole ' in dot
    assert ', 3600 s"]' in dot
    mermaid = _run(audited, db_url, "--session-arn", SESSION_B, "--format", "mermaid")
    assert mermaid.startswith("flowchart LR\n")
    assert '  s1["DemoRole1 / sara _subject_"]' in mermaid
    assert '  origin -->|"AssumeRole ' in mermaid and "| s0\n" in mermaid and "| s1\n" in mermaid
    text = _run(audited, db_url, "--session-arn", SESSION_B)
    assert "origin user-key: arn:aws:iam::123456789012:user/sara" in text and "chained: max 3600 s" in text
    assert "AccessDenied" in text and "ImplicitDeny" in text and "iam:AttachRolePolicy" in text
