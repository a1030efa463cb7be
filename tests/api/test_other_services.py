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


def _user_with(server: RunningServer, statements: list[dict[str, object]]) -> tuple[str, str]:
    iam = server.client("iam")
    iam.create_user(UserName="app")
    iam.put_user_policy(
        UserName="app",
        PolicyName="p",
        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": statements}),
    )
    key = iam.create_access_key(UserName="app")["AccessKey"]
    return key["AccessKeyId"], key["SecretAccessKey"]


def test_lambda_invoke_is_authorized_on_the_function_arn(server: RunningServer) -> None:
    """Invoke is lambda:InvokeFunction on arn:aws:lambda:<region>:<account>:function:<name>.

    https://docs.aws.amazon.com/lambda/latest/dg/lambda-api-permissions-ref.html
    """
    allowed_arn = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:allowed"
    key, secret = _user_with(server, [{"Effect": "Allow", "Action": "lambda:InvokeFunction", "Resource": allowed_arn}])
    client = server.client("lambda", key=key, secret=secret)
    with pytest.raises(ClientError) as allowed:
        client.invoke(FunctionName="allowed")
    assert allowed.value.response["Error"]["Code"] == "NotImplemented"
    assert f"lambda:InvokeFunction on {allowed_arn}" in allowed.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as denied:
        client.invoke(FunctionName="other")
    assert denied.value.response["Error"]["Code"] == "AccessDeniedException"
    assert denied.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert (
        f"is not authorized to perform: lambda:InvokeFunction on resource: "
        f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:other" in denied.value.response["Error"]["Message"]
    )


def test_ec2_denial_is_encoded_and_decodes_through_sts(server: RunningServer) -> None:
    """EC2 authorizes each instance; its denial carries an encoded message sts:DecodeAuthorizationMessage reads.

    https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html (UnauthorizedOperation),
    https://docs.aws.amazon.com/STS/latest/APIReference/API_DecodeAuthorizationMessage.html
    """
    allowed_arn = f"arn:aws:ec2:us-east-1:{ACCOUNT}:instance/i-0aaa"
    key, secret = _user_with(
        server,
        [
            {"Effect": "Allow", "Action": "ec2:TerminateInstances", "Resource": allowed_arn},
            {"Effect": "Allow", "Action": "sts:DecodeAuthorizationMessage", "Resource": "*"},
        ],
    )
    ec2 = server.client("ec2", key=key, secret=secret)
    with pytest.raises(ClientError) as allowed:
        ec2.terminate_instances(InstanceIds=["i-0aaa"])
    assert allowed.value.response["Error"]["Code"] == "NotImplemented"
    with pytest.raises(ClientError) as denied:
        ec2.terminate_instances(InstanceIds=["i-0aaa", "i-0bbb"])
    error = denied.value.response["Error"]
    assert error["Code"] == "UnauthorizedOperation"
    assert error["Message"].startswith("You are not authorized to perform this operation. User: ")
    assert f"on resource: arn:aws:ec2:us-east-1:{ACCOUNT}:instance/i-0bbb" in error["Message"]
    encoded = error["Message"].rsplit("Encoded authorization failure message: ", 1)[1]
    sts = server.client("sts", key=key, secret=secret)
    decoded = json.loads(sts.decode_authorization_message(EncodedMessage=encoded)["DecodedMessage"])
    assert decoded["decision"] != "allowed"
    assert "ec2:TerminateInstances" in decoded["message"]
    assert f"arn:aws:ec2:us-east-1:{ACCOUNT}:instance/i-0bbb" in decoded["message"]


def test_sqs_queue_url_of_another_account(server: RunningServer) -> None:
    """SQS authorizes the queue a QueueUrl names, in that URL's account; its JSON errors keep the Query code.

    https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-api-permissions-reference.html
    """
    own = f"arn:aws:sqs:us-east-1:{ACCOUNT}:jobs"
    key, secret = _user_with(server, [{"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": own}])
    sqs = server.client("sqs", key=key, secret=secret)
    with pytest.raises(ClientError) as allowed:
        sqs.send_message(QueueUrl=f"https://sqs.us-east-1.amazonaws.com/{ACCOUNT}/jobs", MessageBody="hi")
    assert allowed.value.response["Error"]["Code"] == "NotImplemented"
    with pytest.raises(ClientError) as denied:
        sqs.send_message(QueueUrl="https://sqs.us-east-1.amazonaws.com/210987654321/jobs", MessageBody="hi")
    assert denied.value.response["Error"]["Code"] == "AccessDenied"
    assert "arn:aws:sqs:us-east-1:210987654321:jobs" in denied.value.response["Error"]["Message"]


def test_cloudwatch_over_rpc_v2_cbor(server: RunningServer) -> None:
    """CloudWatch (Smithy RPC v2 CBOR) is authorized per alarm; its denial is AccessDenied as under Query.

    https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/permissions-reference-cw.html
    """
    alarm = f"arn:aws:cloudwatch:us-east-1:{ACCOUNT}:alarm:high-cpu"
    key, secret = _user_with(server, [{"Effect": "Allow", "Action": "cloudwatch:DeleteAlarms", "Resource": alarm}])
    cloudwatch = server.client("cloudwatch", key=key, secret=secret)
    with pytest.raises(ClientError) as allowed:
        cloudwatch.delete_alarms(AlarmNames=["high-cpu"])
    assert allowed.value.response["Error"]["Code"] == "NotImplemented"
    with pytest.raises(ClientError) as denied:
        cloudwatch.delete_alarms(AlarmNames=["high-cpu", "low-disk"])
    assert denied.value.response["Error"]["Code"] == "AccessDenied"
    assert f"arn:aws:cloudwatch:us-east-1:{ACCOUNT}:alarm:low-disk" in denied.value.response["Error"]["Message"]


def test_s3_copy_object_is_not_put_object_of_the_route(server: RunningServer) -> None:
    """CopyObject shares PutObject's route and differs by x-amz-copy-source; both are s3:PutObject on the target.

    https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html
    """
    key, secret = _user_with(
        server, [{"Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::reports/*"}]
    )
    s3 = server.client("s3", key=key, secret=secret)
    with pytest.raises(ClientError) as copied:
        s3.copy_object(Bucket="reports", Key="b.txt", CopySource="reports/a.txt")
    assert copied.value.response["Error"]["Code"] == "NotImplemented"
    assert "s3:PutObject on arn:aws:s3:::reports/b.txt" in copied.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as denied:
        s3.put_object(Bucket="logs", Key="a.txt", Body=b"x")
    assert denied.value.response["Error"]["Code"] == "AccessDenied"
