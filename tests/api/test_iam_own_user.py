"""IAM calls that default to the signing user, through boto3 against `iamtwin serve`.

GetUser, ListAccessKeys, CreateAccessKey, UpdateAccessKey and DeleteAccessKey act on the signing
IAM user when UserName is left out
(https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetUser.html: "If you do not specify a user
name, IAM determines the user name implicitly based on the Amazon Web Services access key ID used
to sign the request"); with a role session's credentials there is no such user and IAM answers
`ValidationError: Must specify userName when calling with non-User credentials`.
"""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from .conftest import RunningServer

ACCOUNT = "123456789012"


def test_user_credentials_default_to_the_user(server: RunningServer) -> None:
    """A user's own key: GetUser and ListAccessKeys without UserName answer for that user."""
    iam = server.client("iam")
    me = iam.get_user()["User"]
    assert me["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/iamtwin-admin"
    assert [k["UserName"] for k in iam.list_access_keys()["AccessKeyMetadata"]] == ["iamtwin-admin"]


def test_role_session_must_name_the_user(server: RunningServer) -> None:
    """A role session's GetUser and access-key calls without UserName are ValidationError."""
    iam = server.client("iam")
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "sts:AssumeRole"}
        ],
    }
    role = iam.create_role(RoleName="operator", AssumeRolePolicyDocument=json.dumps(trust))["Role"]
    iam.attach_role_policy(RoleName="operator", PolicyArn="arn:aws:iam::aws:policy/IAMFullAccess")
    creds = server.client("sts").assume_role(RoleArn=role["Arn"], RoleSessionName="ops-session")["Credentials"]
    session = server.client(
        "iam", key=creds["AccessKeyId"], secret=creds["SecretAccessKey"], token=creds["SessionToken"]
    )
    for call in (session.get_user, session.list_access_keys, session.create_access_key):
        with pytest.raises(ClientError) as caught:
            call()
        error = caught.value.response["Error"]
        assert (error["Code"], error["Message"]) == (
            "ValidationError",
            "Must specify userName when calling with non-User credentials",
        )
    assert session.get_user(UserName="iamtwin-admin")["User"]["UserName"] == "iamtwin-admin"
