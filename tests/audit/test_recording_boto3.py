"""Every call through `iamtwin serve`, made with boto3, is one CloudTrail-shaped event with the right fields.

Shapes: https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html
and https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html;
IAM and STS events: https://docs.aws.amazon.com/IAM/latest/UserGuide/cloudtrail-integration.html.
"""

from __future__ import annotations

import contextlib
import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from iamtwin.audit.chain import verify

from .conftest import AuditedServer

ACCOUNT = "123456789012"
ADMIN_ARN = f"arn:aws:iam::{ACCOUNT}:user/iamtwin-admin"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/Deployer"


def _only(events: list[dict[str, Any]], name: str) -> dict[str, Any]:
    found = [e for e in events if e["eventName"] == name]
    assert len(found) == 1, [e["eventName"] for e in events]
    return found[0]


def test_a_read_is_buffered_then_recorded_with_the_users_identity(audited: AuditedServer) -> None:
    """A user's key: IAMUser with the user's unique id; reads wait in the buffer and have no responseElements."""
    answer = audited.client("iam").list_roles()
    assert audited.store.count() == 0 and audited.recorder.pending == 1  # no database write on the read path
    event = _only(audited.events(), "ListRoles")
    user_id = audited.client("iam").get_user()["User"]["UserId"]
    assert event["userIdentity"] == {
        "type": "IAMUser",
        "principalId": user_id,
        "arn": ADMIN_ARN,
        "accountId": ACCOUNT,
        "accessKeyId": audited.admin_key,
        "userName": "iamtwin-admin",
    }
    assert event["eventVersion"] == "1.11" and event["eventType"] == "AwsApiCall"
    assert event["eventSource"] == "iam.amazonaws.com" and event["awsRegion"] == "us-east-1"
    assert event["sourceIPAddress"] == "127.0.0.1" and event["userAgent"].startswith("Boto3/")
    assert event["requestID"] == answer["ResponseMetadata"]["RequestId"]
    assert event["readOnly"] is True and event["responseElements"] is None
    assert event["recipientAccountId"] == ACCOUNT and "errorCode" not in event


def test_an_allowed_call_carries_the_decision_on_its_own_action(audited: AuditedServer) -> None:
    """CreateUser with tags is two checks (iam:CreateUser, then iam:TagUser); the event names the first, allowed."""
    audited.client("iam").create_user(UserName="dora", Tags=[{"Key": "team", "Value": "red"}])
    decision = _only(audited.events(), "CreateUser")["iamtwinDecision"]
    assert (decision["outcome"], decision["action"]) == ("Allowed", "iam:CreateUser")
    assert decision["resource"] == f"arn:aws:iam::{ACCOUNT}:user/dora"
    assert decision["matchedStatements"] and "authorizationId" not in decision


def test_create_access_key_is_written_at_once_without_the_secret(audited: AuditedServer) -> None:
    """A change is durable before the answer; CreateAccessKey's responseElements leave the secret out."""
    iam = audited.client("iam")
    iam.create_user(UserName="carol")
    key = iam.create_access_key(UserName="carol")["AccessKey"]
    stored = [json.loads(e.record) for e in audited.store.events()]  # no flush: changes are already written
    event = _only(stored, "CreateAccessKey")
    assert event["readOnly"] is False
    assert event["requestParameters"] == {"userName": "carol"}
    assert event["responseElements"]["accessKey"]["accessKeyId"] == key["AccessKeyId"]
    assert event["responseElements"]["accessKey"]["userName"] == "carol"
    assert "secretAccessKey" not in event["responseElements"]["accessKey"]
    assert key["SecretAccessKey"] not in json.dumps(stored)


def test_an_assumed_role_session_names_its_issuer_and_source_identity(audited: AuditedServer) -> None:
    """AssumeRole hides the session's secrets; its calls are AssumedRole with sessionIssuer and sourceIdentity."""
    iam = audited.client("iam")
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                "Action": ["sts:AssumeRole", "sts:SetSourceIdentity"],
            }
        ],
    }
    role_id = iam.create_role(RoleName="Deployer", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["RoleId"]
    answer = audited.client("sts").assume_role(RoleArn=ROLE_ARN, RoleSessionName="deploy-1", SourceIdentity="alice")
    credentials = answer["Credentials"]
    session = audited.client(
        "sts", key=credentials["AccessKeyId"], secret=credentials["SecretAccessKey"], token=credentials["SessionToken"]
    )
    session.get_caller_identity()
    events = audited.events()
    assume = _only(events, "AssumeRole")
    assert assume["eventSource"] == "sts.amazonaws.com"
    assert assume["requestParameters"]["roleArn"] == ROLE_ARN
    assert assume["requestParameters"]["sourceIdentity"] == "alice"
    returned = assume["responseElements"]["credentials"]
    assert returned["accessKeyId"] == credentials["AccessKeyId"]
    assert returned["sessionToken"] == "HIDDEN_DUE_TO_SECURITY_REASONS"
    assert "secretAccessKey" not in returned
    text = json.dumps(events)
    assert credentials["SecretAccessKey"] not in text and credentials["SessionToken"] not in text
    identity = _only(events, "GetCallerIdentity")["userIdentity"]
    assert identity["type"] == "AssumedRole"
    assert identity["principalId"] == f"{role_id}:deploy-1"
    assert identity["arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/Deployer/deploy-1"
    assert identity["accessKeyId"] == credentials["AccessKeyId"]
    assert identity["sessionContext"]["sessionIssuer"] == {
        "type": "Role",
        "principalId": role_id,
        "arn": ROLE_ARN,
        "accountId": ACCOUNT,
        "userName": "Deployer",
    }
    assert identity["sessionContext"]["attributes"]["mfaAuthenticated"] == "false"
    assert identity["sessionContext"]["attributes"]["creationDate"].endswith("Z")
    assert identity["sessionContext"]["sourceIdentity"] == "alice"


def _bob(audited: AuditedServer) -> dict[str, str]:
    iam = audited.client("iam")
    iam.create_user(UserName="bob")
    key = iam.create_access_key(UserName="bob")["AccessKey"]
    return {"key": key["AccessKeyId"], "secret": key["SecretAccessKey"]}


def test_a_denied_call_has_access_denied_and_iamtwins_decision(audited: AuditedServer) -> None:
    """errorCode and errorMessage as the client saw them, plus the engine's outcome and authorization id."""
    bob = _bob(audited)
    with pytest.raises(ClientError) as denied:
        audited.client("iam", **bob).list_users()
    event = _only(audited.events(), "ListUsers")
    assert event["errorCode"] == "AccessDenied"
    assert event["errorMessage"] == denied.value.response["Error"]["Message"]
    decision = event["iamtwinDecision"]
    assert decision["outcome"] == "ImplicitDeny"
    assert decision["action"] == "iam:ListUsers"
    assert decision["blockedBy"] == ["identity"]
    assert decision["authorizationId"] in event["errorMessage"]
    assert event["userIdentity"]["userName"] == "bob" and event["responseElements"] is None


def test_non_emulated_organizations_and_failed_calls_are_recorded(audited: AuditedServer) -> None:
    """EC2 allowed and denied, an Organizations call, and a call with a bad signature: one event each."""
    bob = _bob(audited)
    with pytest.raises(ClientError):
        audited.client("ec2").describe_instances()
    with pytest.raises(ClientError):
        audited.client("ec2", **bob).describe_instances()
    with contextlib.suppress(ClientError):  # no organization in this world: the error is what is recorded
        audited.client("organizations").describe_organization()
    with pytest.raises(ClientError):
        audited.client("iam", secret="not-the-secret").list_roles()
    events = audited.events()
    ec2 = [e for e in events if e["eventSource"] == "ec2.amazonaws.com"]
    assert [e["eventName"] for e in ec2] == ["DescribeInstances", "DescribeInstances"]
    allowed, refused = ec2
    assert allowed["errorCode"] == "NotImplemented"
    assert allowed["iamtwinDecision"]["outcome"] == "Allowed"
    assert allowed["iamtwinDecision"]["action"] == "ec2:DescribeInstances"
    assert refused["errorCode"] == "UnauthorizedOperation"
    assert refused["iamtwinDecision"]["outcome"] == "ImplicitDeny" and refused["iamtwinDecision"]["authorizationId"]
    org = _only(events, "DescribeOrganization")
    assert org["eventSource"] == "organizations.amazonaws.com" and org["readOnly"] is True
    forged = [e for e in events if e.get("errorCode") == "SignatureDoesNotMatch"]
    assert len(forged) == 1
    assert forged[0]["userIdentity"] == {"type": "Unknown", "accessKeyId": audited.admin_key}
    assert forged[0]["eventName"] == "ListRoles" and forged[0]["eventSource"] == "iam.amazonaws.com"
    assert verify(audited.store).ok
