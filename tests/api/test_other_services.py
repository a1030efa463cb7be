"""Services iamtwin does not emulate: each call is authenticated, identified, authorized and answered.

A denial is the service's own error (EC2's `UnauthorizedOperation`, DynamoDB's `AccessDeniedException`,
S3's `AccessDenied`), with the engine's message; an allowed call is `NotImplemented` saying it was
authorized. https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html,
https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/CommonErrors.html,
https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html.
"""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from .conftest import RunningServer

ACCOUNT = "123456789012"


def _user(server: RunningServer, actions: list[str]) -> tuple[str, str]:
    iam = server.client("iam")
    iam.create_user(UserName="dev")
    iam.put_user_policy(
        UserName="dev",
        PolicyName="p",
        PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}]}
        ),
    )
    key = iam.create_access_key(UserName="dev")["AccessKey"]
    return key["AccessKeyId"], key["SecretAccessKey"]


@pytest.mark.parametrize(
    ("service", "call", "denied_code"),
    [
        ("ec2", lambda c: c.describe_instances(), "UnauthorizedOperation"),
        ("dynamodb", lambda c: c.list_tables(), "AccessDeniedException"),
        ("s3", lambda c: c.list_objects_v2(Bucket="reports"), "AccessDenied"),
        ("lambda", lambda c: c.list_functions(), "AccessDeniedException"),
    ],
)
def test_denied_and_allowed_calls_of_services_not_emulated(
    server: RunningServer, service: str, call: object, denied_code: str
) -> None:
    """Without a grant: the service's AccessDenied code and the engine's message; with it: NotImplemented."""
    key, secret = _user(
        server, ["ec2:DescribeInstances", "dynamodb:ListTables", "s3:ListBucket", "lambda:ListFunctions"]
    )
    allowed_client = server.client(service, key=key, secret=secret)
    with pytest.raises(ClientError) as allowed:
        call(allowed_client)  # type: ignore[operator]
    assert allowed.value.response["Error"]["Code"] == "NotImplemented"
    assert "authorized" in allowed.value.response["Error"]["Message"]
    server.client("iam").delete_user_policy(UserName="dev", PolicyName="p")
    server.world.refresh(force=True)
    with pytest.raises(ClientError) as denied:
        call(allowed_client)  # type: ignore[operator]
    assert denied.value.response["Error"]["Code"] == denied_code
    assert f"User: arn:aws:iam::{ACCOUNT}:user/dev is not authorized to perform" in str(
        denied.value.response["Error"].get("Message", "")
    )
