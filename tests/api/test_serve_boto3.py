"""boto3 against `iamtwin serve`: STS and IAM calls signed, authorized and answered as AWS answers them.

AWS behaviour: https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html (no
permission needed), https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-troubleshooting.html
(SignatureDoesNotMatch, InvalidClientTokenId), and scenario 08's AccessDenied wording.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from .conftest import RunningServer

TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "sts:AssumeRole"}
    ],
}


def test_get_caller_identity_names_the_administrator(server: RunningServer) -> None:
    """GetCallerIdentity answers with the signing user's account, ARN and AIDA id."""
    identity = server.client("sts").get_caller_identity()
    assert identity["Account"] == "123456789012"
    assert identity["Arn"] == "arn:aws:iam::123456789012:user/iamtwin-admin"
    assert identity["UserId"].startswith("AIDA")


def test_create_role_assume_it_and_act_as_the_session(server: RunningServer) -> None:
    """CreateRole, PutRolePolicy, AssumeRole, then calls signed with the session's credentials."""
    iam = server.client("iam")
    role = iam.create_role(
        RoleName="app", AssumeRolePolicyDocument=json.dumps(TRUST), Tags=[{"Key": "team", "Value": "blue"}]
    )["Role"]
    assert role["Arn"] == "arn:aws:iam::123456789012:role/app" and role["RoleId"].startswith("AROA")
    assert role["AssumeRolePolicyDocument"] == TRUST  # boto3 decodes the URL-encoded document
    iam.put_role_policy(
        RoleName="app",
        PolicyName="read",
        PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:GetRole", "Resource": "*"}]}
        ),
    )
    assumed = server.client("sts").assume_role(RoleArn=role["Arn"], RoleSessionName="worker")
    credentials = assumed["Credentials"]
    assert assumed["AssumedRoleUser"]["Arn"] == "arn:aws:sts::123456789012:assumed-role/app/worker"
    assert credentials["AccessKeyId"].startswith("ASIA")
    session = dict(
        key=credentials["AccessKeyId"], secret=credentials["SecretAccessKey"], token=credentials["SessionToken"]
    )
    me = server.client("sts", **session).get_caller_identity()
    assert me["Arn"] == assumed["AssumedRoleUser"]["Arn"]
    assert server.client("iam", **session).get_role(RoleName="app")["Role"]["RoleName"] == "app"
    with pytest.raises(ClientError) as caught:
        server.client("iam", **session).create_user(UserName="mallory")
    error = caught.value.response["Error"]
    assert error["Code"] == "AccessDenied"
    head, _, tail = error["Message"].partition(". Go to ")
    assert head == (
        "User: arn:aws:sts::123456789012:assumed-role/app/worker is not authorized to perform: iam:CreateUser "
        "on resource: arn:aws:iam::123456789012:user/mallory because no identity-based policy allows the "
        "iam:CreateUser action"
    )
    # AWS's current messages end with an authorization id; IAM Toolbox returns the evaluation behind it.
    authorization_id = tail.rsplit(" ", 1)[-1]
    details = server.client("iam-toolbox").get_request_authorization_details(authorizationId=authorization_id)
    assert details["evaluations"][0]["action"] == "iam:CreateUser"
    assert details["evaluations"][0]["evaluatedEffect"] == "IMPLICIT_DENY"


def test_a_wrong_secret_or_unknown_key_is_refused(server: RunningServer) -> None:
    """A bad signature is SignatureDoesNotMatch; a key iamtwin never issued is InvalidClientTokenId."""
    with pytest.raises(ClientError) as caught:
        server.client("sts", key=server.admin_key, secret="x" * 40).get_caller_identity()
    assert caught.value.response["Error"]["Code"] == "SignatureDoesNotMatch"
    with pytest.raises(ClientError) as caught:
        server.client("sts", key="AKIAAAAAAAAAAAAAAAAA", secret="x" * 40).get_caller_identity()
    assert caught.value.response["Error"]["Code"] == "InvalidClientTokenId"


def test_iam_refusals_keep_their_aws_codes(server: RunningServer) -> None:
    """EntityAlreadyExists, MalformedPolicyDocument and NoSuchEntity reach boto3 as AWS sends them."""
    iam = server.client("iam")
    iam.create_user(UserName="bob")
    with pytest.raises(ClientError) as caught:
        iam.create_user(UserName="bob")
    assert caught.value.response["Error"]["Code"] == "EntityAlreadyExists"
    with pytest.raises(ClientError) as caught:
        iam.create_role(
            RoleName="bad",
            AssumeRolePolicyDocument=json.dumps(
                {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole"}]}
            ),
        )
    assert caught.value.response["Error"]["Code"] == "MalformedPolicyDocument"
    with pytest.raises(ClientError) as caught:
        iam.get_role(RoleName="nope")
    assert caught.value.response["Error"]["Code"] == "NoSuchEntity"
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_the_aws_cli_works_unchanged(server: RunningServer, tmp_path: Path) -> None:
    """`aws --endpoint-url … sts get-caller-identity` and `iam create-role` against iamtwin."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "AWS_ACCESS_KEY_ID": server.admin_key,
        "AWS_SECRET_ACCESS_KEY": server.admin_secret,
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": str(tmp_path / "config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "credentials"),
    }
    base = [sys.executable, "-m", "awscli", "--endpoint-url", server.url, "--output", "json"]
    done = subprocess.run([*base, "sts", "get-caller-identity"], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["Arn"] == "arn:aws:iam::123456789012:user/iamtwin-admin"
    trust = tmp_path / "trust.json"
    trust.write_text(json.dumps(TRUST), encoding="utf-8")
    done = subprocess.run(
        [*base, "iam", "create-role", "--role-name", "cli-role", "--assume-role-policy-document", f"file://{trust}"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["Role"]["Arn"] == "arn:aws:iam::123456789012:role/cli-role"
    done = subprocess.run(
        [*base, "iam", "get-role", "--role-name", "missing"], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode != 0 and "NoSuchEntity" in done.stderr  # the CLI v1 exits 255, v2 254
