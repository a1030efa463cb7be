"""Scenario 08 end to end through boto3: JohnA administers his own `Developer-*` IAM, within limits.

The administrator creates JohnA, his three policies and the boundary (the documents of
src/iamtwin/examples/scenario08-delegated-admin.yaml) over the wire and issues him an access key;
then JohnA's own calls are authorized as AWS's walkthrough describes
(https://aws.amazon.com/premiumsupport/knowledge-center/iam-permission-boundaries/ and
https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html, "Delegating
responsibility to others using permissions boundaries"), with AWS's access-denied wording.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from botocore.exceptions import ClientError

import iamtwin

from .conftest import RunningServer

ACCOUNT = "123456789012"
BOUNDARY = f"arn:aws:iam::{ACCOUNT}:policy/S3ActionBoundary"
OWNER = [{"Key": "Owner", "Value": "JohnA"}]
EC2_TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}
_EXAMPLE = Path(iamtwin.__file__).parent / "examples" / "scenario08-delegated-admin.yaml"


def _documents() -> dict[str, Any]:
    data = yaml.safe_load(_EXAMPLE.read_text(encoding="utf-8"))
    return {p["name"]: p["document"] for p in data["accounts"][0]["policies"]}


def _john(server: RunningServer) -> Any:
    """JohnA with his policies, created by the administrator; an IAM client signed with his own key."""
    iam = server.client("iam")
    docs = _documents()
    for name in ("TagCustomerManagedPolicies", "DeveloperCreateActions", "AddRoleAssociateInstanceProfile"):
        iam.create_policy(PolicyName=name, PolicyDocument=json.dumps(docs[name]))
    iam.create_policy(PolicyName="S3ActionBoundary", PolicyDocument=json.dumps(docs["S3ActionBoundary"]))
    iam.create_user(UserName="JohnA")
    for name in ("TagCustomerManagedPolicies", "DeveloperCreateActions", "AddRoleAssociateInstanceProfile"):
        iam.attach_user_policy(UserName="JohnA", PolicyArn=f"arn:aws:iam::{ACCOUNT}:policy/{name}")
    key = iam.create_access_key(UserName="JohnA")["AccessKey"]
    return server.client("iam", key=key["AccessKeyId"], secret=key["SecretAccessKey"])


def _denied(call: Any, **kwargs: Any) -> str:
    with pytest.raises(ClientError) as caught:
        call(**kwargs)
    assert caught.value.response["Error"]["Code"] == "AccessDenied"
    return str(caught.value.response["Error"]["Message"])


def test_john_creates_only_his_own_tagged_bounded_entities(server: RunningServer) -> None:
    """Expected 1, 2, 3 and 5 of scenario 08, and expected 4 on the role JohnA created."""
    john = _john(server)
    docs = _documents()

    # 1. An untagged policy outside Developer-*: AWS's message names the resource `policy TestPolicy`.
    message = _denied(john.create_policy, PolicyName="TestPolicy", PolicyDocument=json.dumps(docs["S3ActionBoundary"]))
    head, _, tail = message.partition(". Go to ")
    assert head == (
        "User: arn:aws:iam::123456789012:user/JohnA is not authorized to perform: iam:CreatePolicy on resource: "
        "policy TestPolicy because no identity-based policy allows the iam:CreatePolicy action"
    )
    assert "call the GetRequestAuthorizationDetails API with the following authorization id: " in tail

    # 2. A Developer-* policy tagged Owner=JohnA.
    policy = john.create_policy(
        PolicyName="Developer-ApplicationS3Access",
        PolicyDocument=json.dumps(docs["Developer-ApplicationS3Access"]),
        Tags=OWNER,
    )["Policy"]
    assert policy["Tags"] == OWNER
    john.create_policy(
        PolicyName="Developer-TestPolicy", PolicyDocument=json.dumps(docs["S3ActionBoundary"]), Tags=OWNER
    )
    john.tag_policy(PolicyArn=policy["Arn"], Tags=[{"Key": "Owner", "Value": "JohnA"}])

    # 3. A role without the boundary is refused; with it, created.
    trust = json.dumps(EC2_TRUST)
    _denied(john.create_role, RoleName="Developer-EC2", AssumeRolePolicyDocument=trust, Tags=OWNER)
    role = john.create_role(
        RoleName="Developer-EC2", AssumeRolePolicyDocument=trust, Tags=OWNER, PermissionsBoundary=BOUNDARY
    )["Role"]
    assert role["PermissionsBoundary"]["PermissionsBoundaryArn"] == BOUNDARY
    john.tag_role(RoleName="Developer-EC2", Tags=[{"Key": "team", "Value": "dev"}])
    john.attach_role_policy(RoleName="Developer-EC2", PolicyArn=policy["Arn"])

    # 5. His own profile takes his own role; a profile that is not his refuses it.
    profile = john.create_instance_profile(InstanceProfileName="Developer-EC2-InstanceProfile", Tags=OWNER)
    assert profile["InstanceProfile"]["Tags"] == OWNER
    john.tag_instance_profile(InstanceProfileName="Developer-EC2-InstanceProfile", Tags=OWNER)
    john.add_role_to_instance_profile(InstanceProfileName="Developer-EC2-InstanceProfile", RoleName="Developer-EC2")
    server.client("iam").create_instance_profile(
        InstanceProfileName="EC2-access-Profile", Tags=[{"Key": "Owner", "Value": "platform-team"}]
    )
    message = _denied(
        john.add_role_to_instance_profile, InstanceProfileName="EC2-access-Profile", RoleName="Developer-EC2"
    )
    assert f"on resource: arn:aws:iam::{ACCOUNT}:instance-profile/EC2-access-Profile" in message
    got = server.client("iam").get_instance_profile(InstanceProfileName="Developer-EC2-InstanceProfile")
    assert [r["RoleName"] for r in got["InstanceProfile"]["Roles"]] == ["Developer-EC2"]

    # 4. The role JohnA made is held by the boundary, even with AdministratorAccess attached.
    world, arn = server.world, role["Arn"]
    obj = "arn:aws:s3:::Developer-logs/x"
    assert world.authorize(arn, "s3:PutObject", obj, {"aws:RequestedRegion": "us-east-1"}).allowed
    assert not world.authorize(arn, "s3:PutObject", obj, {"aws:RequestedRegion": "eu-west-1"}).allowed
    assert not world.authorize(arn, "s3:GetObject", obj, {"aws:RequestedRegion": "us-east-1"}).allowed
    server.client("iam").attach_role_policy(
        RoleName="Developer-EC2", PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess"
    )
    bucket = "arn:aws:s3:::Developer-logs"
    assert not world.authorize(arn, "s3:DeleteBucket", bucket, {"aws:RequestedRegion": "us-east-1"}).allowed


def test_john_cannot_tag_what_is_not_his(server: RunningServer) -> None:
    """TagPolicy on a Developer-* policy owned by someone else is refused by aws:ResourceTag/Owner."""
    john = _john(server)
    docs = _documents()
    server.client("iam").create_policy(
        PolicyName="Developer-Shared",
        PolicyDocument=json.dumps(docs["S3ActionBoundary"]),
        Tags=[{"Key": "Owner", "Value": "someone"}],
    )
    # TagPolicy is allowed by TagCustomerManagedPolicies only with aws:RequestTag/Owner=JohnA, which
    # a request tagging Owner=someone does not carry, and by DeveloperCreateActions only on his own.
    _denied(
        john.tag_policy,
        PolicyArn=f"arn:aws:iam::{ACCOUNT}:policy/Developer-Shared",
        Tags=[{"Key": "Owner", "Value": "mallory"}],
    )
