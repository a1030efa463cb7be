"""The Query codec proven against botocore itself: its serializer writes requests, its parser reads answers.

Requests: boto3's own `QuerySerializer` turns a params dict into the form body a client sends; the
decoder must give the same dict back. Responses: the encoder's XML, parsed by botocore's
`QueryParser` exactly as a client parses it, must give back the result dict. Validation failures
follow AWS's wording (https://docs.aws.amazon.com/IAM/latest/APIReference/CommonErrors.html,
https://docs.aws.amazon.com/STS/latest/APIReference/CommonErrors.html).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl

import pytest
from botocore.awsrequest import AWSRequest
from botocore.parsers import create_parser
from botocore.serialize import create_serializer
from botocore.validate import validate_parameters

from iamtwin.api.java_regex import compile_java_pattern
from iamtwin.api.query_protocol import (
    QueryProtocolError,
    decode_query_request,
    encode_query_error,
    encode_query_response,
    find_operation,
    service_model,
)

ACCOUNT = "111122223333"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/app/Deployer"
POLICY_ARN = f"arn:aws:iam::{ACCOUNT}:policy/ReadReports"
TRUST = (
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},'
    '"Action":"sts:AssumeRole"}]}'
)
POLICY = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}'
WHEN = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)
WHEN_MS = datetime(2026, 3, 4, 6, 6, 7, 359000, tzinfo=UTC)
TAGS = [{"Key": "team", "Value": "Équipe données"}, {"Key": "cost-center", "Value": ""}]

REQUESTS: list[tuple[str, str, dict[str, Any]]] = [
    (
        "iam",
        "CreateRole",
        {
            "Path": "/app/",
            "RoleName": "Deployer",
            "AssumeRolePolicyDocument": TRUST,
            "Description": "deploys\tthings",
            "MaxSessionDuration": 7200,
            "PermissionsBoundary": POLICY_ARN,
            "Tags": TAGS,
        },
    ),
    ("iam", "AttachRolePolicy", {"RoleName": "Deployer", "PolicyArn": POLICY_ARN}),
    ("iam", "PutUserPolicy", {"UserName": "alice", "PolicyName": "inline+1", "PolicyDocument": POLICY}),
    ("iam", "CreatePolicyVersion", {"PolicyArn": POLICY_ARN, "PolicyDocument": POLICY, "SetAsDefault": True}),
    ("iam", "CreatePolicyVersion", {"PolicyArn": POLICY_ARN, "PolicyDocument": POLICY, "SetAsDefault": False}),
    (
        "iam",
        "SimulatePrincipalPolicy",
        {
            "PolicySourceArn": f"arn:aws:iam::{ACCOUNT}:user/alice",
            "PolicyInputList": [POLICY],
            "ActionNames": ["s3:GetObject", "s3:PutObject"],
            "ResourceArns": ["arn:aws:s3:::reports/a.csv", "arn:aws:s3:::reports/b.csv"],
            "ContextEntries": [
                {"ContextKeyName": "aws:SourceIp", "ContextKeyValues": ["203.0.113.10"], "ContextKeyType": "ip"},
                {"ContextKeyName": "aws:TagKeys", "ContextKeyValues": ["team", "env"], "ContextKeyType": "stringList"},
            ],
            "MaxItems": 50,
        },
    ),
    ("iam", "TagRole", {"RoleName": "Deployer", "Tags": TAGS}),
    ("iam", "UpdateAssumeRolePolicy", {"RoleName": "Deployer", "PolicyDocument": TRUST}),
    (
        "iam",
        "GetAccountAuthorizationDetails",
        {"Filter": ["User", "Role", "LocalManagedPolicy"], "MaxItems": 100, "Marker": "page 2"},
    ),
    ("iam", "GetAccountAuthorizationDetails", {"Filter": []}),
    ("iam", "ListRoles", {}),
    (
        "sts",
        "AssumeRole",
        {
            "RoleArn": ROLE_ARN,
            "RoleSessionName": "alice@example.com",
            "DurationSeconds": 3600,
            "PolicyArns": [{"arn": POLICY_ARN}],
            "Policy": POLICY,
            "Tags": TAGS,
            "TransitiveTagKeys": ["team"],
            "ExternalId": "tenant-7",
            "SerialNumber": f"arn:aws:iam::{ACCOUNT}:mfa/alice",
            "TokenCode": "123456",
            "SourceIdentity": "alice",
        },
    ),
    ("sts", "GetSessionToken", {"DurationSeconds": 129600, "SerialNumber": "GAHT12345678", "TokenCode": "000000"}),
    (
        "sts",
        "AssumeRoleWithWebIdentity",
        {
            "RoleArn": ROLE_ARN,
            "RoleSessionName": "web-1",
            "WebIdentityToken": "eyJhbGciOiJSUzI1NiJ9.e30.c2ln",
            "ProviderId": "www.amazon.com",
            "PolicyArns": [{"arn": POLICY_ARN}],
            "DurationSeconds": 900,
        },
    ),
    ("sts", "GetCallerIdentity", {}),
    # Models with flattened lists, renamed list members and maps, blobs, timestamps and doubles.
    (
        "sdb",
        "BatchPutAttributes",
        {
            "DomainName": "d",
            "Items": [
                {
                    "Name": "i1",
                    "Attributes": [{"Name": "a", "Value": "1", "Replace": True}, {"Name": "b", "Value": "2"}],
                },
                {"Name": "i2", "Attributes": [{"Name": "c", "Value": "3"}]},
            ],
        },
    ),
    ("sdb", "GetAttributes", {"DomainName": "d", "ItemName": "i", "AttributeNames": ["a", "b"]}),
    (
        "sns",
        "Publish",
        {
            "TopicArn": "arn:aws:sns:us-east-1:111122223333:t",
            "Message": "hi",
            "MessageAttributes": {
                "kind": {"DataType": "String", "StringValue": "x"},
                "raw": {"DataType": "Binary", "BinaryValue": b"\x00\x01\xfe"},
            },
        },
    ),
    (
        "rds",
        "RestoreDBInstanceToPointInTime",
        {
            "TargetDBInstanceIdentifier": "db2",
            "RestoreTime": WHEN,
            "VpcSecurityGroupIds": ["sg-1", "sg-2"],
            "Port": 5432,
            "Tags": [{"Key": "k", "Value": "v"}],
        },
    ),
    (
        "rds",
        "ModifyDBCluster",
        {"DBClusterIdentifier": "c1", "ServerlessV2ScalingConfiguration": {"MinCapacity": 0.5, "MaxCapacity": 128.0}},
    ),
]


def _form(service: str, operation: str, params: dict[str, Any]) -> dict[str, str]:
    """The form parameters boto3 sends for this call: botocore's serializer, then the body url-decoded."""
    model = service_model(service).operation_model(operation)
    validate_parameters(params, model.input_shape)
    request = create_serializer("query").serialize_to_request(params, model)
    body = (
        AWSRequest(method="POST", url="https://example.com/", data=request["body"], headers=request["headers"])
        .prepare()
        .body
    )
    text = body.decode("utf-8") if isinstance(body, bytes) else body
    return dict(parse_qsl(text, keep_blank_values=True, strict_parsing=True))


@pytest.mark.parametrize(
    ("service", "operation", "params"), REQUESTS, ids=[f"{s}:{o}:{i}" for i, (s, o, _) in enumerate(REQUESTS)]
)
def test_request_round_trip(service: str, operation: str, params: dict[str, Any]) -> None:
    """What boto3 serializes, the decoder reads back as the same params dict."""
    form = _form(service, operation, params)
    assert form["Action"] == operation
    assert decode_query_request(service_model(service).operation_model(operation), form) == params


ROLE = {
    "Path": "/app/",
    "RoleName": "Deployer",
    "RoleId": "AROAEXAMPLEID12345678",
    "Arn": ROLE_ARN,
    "CreateDate": WHEN,
    "AssumeRolePolicyDocument": "%7B%22Version%22%3A%222012-10-17%22%7D",
    "Description": "",
    "MaxSessionDuration": 3600,
    "PermissionsBoundary": {
        "PermissionsBoundaryType": "PermissionsBoundaryPolicy",
        "PermissionsBoundaryArn": POLICY_ARN,
    },
    "Tags": [{"Key": "note", "Value": "<a & b> \"quoted\" 'single'\r\nline two ☃"}],
    "RoleLastUsed": {"LastUsedDate": WHEN_MS, "Region": "eu-west-1"},
}
MANAGED = {
    "PolicyName": "ReadReports",
    "PolicyId": "ANPAEXAMPLEID1234567",
    "Arn": POLICY_ARN,
    "Path": "/",
    "DefaultVersionId": "v2",
    "AttachmentCount": 3,
    "PermissionsBoundaryUsageCount": 0,
    "IsAttachable": True,
    "CreateDate": WHEN,
    "UpdateDate": WHEN_MS,
}
STATEMENT = {
    "SourcePolicyId": "inline",
    "SourcePolicyType": "user",
    "StartPosition": {"Line": 1, "Column": 38},
    "EndPosition": {"Line": 1, "Column": 110},
}

RESPONSES: list[tuple[str, str, dict[str, Any]]] = [
    ("iam", "GetRole", {"Role": ROLE}),
    (
        "iam",
        "ListRoles",
        {"Roles": [ROLE, {**ROLE, "RoleName": "Other", "Tags": []}], "IsTruncated": True, "Marker": "bmV4dA=="},
    ),
    ("iam", "ListRoles", {"Roles": [], "IsTruncated": False}),
    ("iam", "CreatePolicy", {"Policy": {**MANAGED, "Description": "read", "Tags": [{"Key": "a", "Value": "b"}]}}),
    (
        "iam",
        "SimulatePrincipalPolicy",
        {
            "IsTruncated": False,
            "EvaluationResults": [
                {
                    "EvalActionName": "s3:GetObject",
                    "EvalResourceName": "arn:aws:s3:::reports/a.csv",
                    "EvalDecision": "allowed",
                    "MatchedStatements": [STATEMENT],
                    "MissingContextValues": [],
                    "OrganizationsDecisionDetail": {"AllowedByOrganizations": True},
                    "PermissionsBoundaryDecisionDetail": {"AllowedByPermissionsBoundary": False},
                    "EvalDecisionDetails": {"Identity": "allowed", "PermissionsBoundary": "implicitDeny"},
                    "ResourceSpecificResults": [
                        {
                            "EvalResourceName": "arn:aws:s3:::reports/a.csv",
                            "EvalResourceDecision": "allowed",
                            "MatchedStatements": [STATEMENT, {**STATEMENT, "SourcePolicyType": "resource"}],
                            "MissingContextValues": ["aws:SourceIp", "aws:username"],
                            "EvalDecisionDetails": {"Identity": "allowed"},
                        }
                    ],
                }
            ],
        },
    ),
    ("iam", "GetAccountSummary", {"SummaryMap": {"Users": 4, "Roles": 12, "PolicyVersionsInUseQuota": 10000}}),
    (
        "iam",
        "GetCredentialReport",
        {"Content": b"user,arn\n<root_account>,arn\n\x00\xff", "ReportFormat": "text/csv", "GeneratedTime": WHEN},
    ),
    (
        "iam",
        "GetAccountAuthorizationDetails",
        {
            "UserDetailList": [
                {
                    "Path": "/",
                    "UserName": "alice",
                    "UserId": "AIDAEXAMPLEID1234567",
                    "Arn": f"arn:aws:iam::{ACCOUNT}:user/alice",
                    "CreateDate": WHEN,
                    "UserPolicyList": [{"PolicyName": "inline", "PolicyDocument": "%7B%7D"}],
                    "GroupList": ["devs", "ops"],
                    "AttachedManagedPolicies": [{"PolicyName": "ReadReports", "PolicyArn": POLICY_ARN}],
                }
            ],
            "GroupDetailList": [
                {
                    "Path": "/",
                    "GroupName": "devs",
                    "GroupId": "AGPAEXAMPLEID1234567",
                    "Arn": f"arn:aws:iam::{ACCOUNT}:group/devs",
                    "CreateDate": WHEN,
                    "GroupPolicyList": [],
                    "AttachedManagedPolicies": [],
                }
            ],
            "RoleDetailList": [
                {
                    "Path": "/app/",
                    "RoleName": "Deployer",
                    "RoleId": "AROAEXAMPLEID12345678",
                    "Arn": ROLE_ARN,
                    "CreateDate": WHEN,
                    "AssumeRolePolicyDocument": "%7B%7D",
                    "InstanceProfileList": [
                        {
                            "Path": "/",
                            "InstanceProfileName": "web",
                            "InstanceProfileId": "AIPAEXAMPLEID1234567",
                            "Arn": f"arn:aws:iam::{ACCOUNT}:instance-profile/web",
                            "CreateDate": WHEN,
                            "Roles": [ROLE],
                        }
                    ],
                    "RolePolicyList": [{"PolicyName": "inline", "PolicyDocument": "%7B%7D"}],
                    "AttachedManagedPolicies": [],
                    "Tags": [{"Key": "team", "Value": "a"}],
                    "RoleLastUsed": {"LastUsedDate": WHEN, "Region": "us-east-1"},
                }
            ],
            "Policies": [
                {
                    **MANAGED,
                    "PolicyVersionList": [
                        {"Document": "%7B%7D", "VersionId": "v2", "IsDefaultVersion": True, "CreateDate": WHEN_MS},
                        {"Document": "%7B%7D", "VersionId": "v1", "IsDefaultVersion": False, "CreateDate": WHEN},
                    ],
                }
            ],
            "IsTruncated": True,
            "Marker": "m2",
        },
    ),
    ("iam", "AttachRolePolicy", {}),
    (
        "sts",
        "AssumeRole",
        {
            "Credentials": {
                "AccessKeyId": "ASIAEXAMPLEKEY123456",
                "SecretAccessKey": "wJalrXUtnFEMI/K7MDENG+bPxRfi",
                "SessionToken": "FwoGZXIvYXdzEJr//////////wEaDA==",
                "Expiration": WHEN_MS,
            },
            "AssumedRoleUser": {
                "AssumedRoleId": "AROAEXAMPLEID12345678:alice",
                "Arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/Deployer/alice",
            },
            "PackedPolicySize": 6,
            "SourceIdentity": "alice",
        },
    ),
    (
        "sts",
        "GetCallerIdentity",
        {"UserId": "AIDAEXAMPLEID1234567", "Account": ACCOUNT, "Arn": f"arn:aws:iam::{ACCOUNT}:user/alice"},
    ),
    (
        "sdb",
        "Select",
        {
            "Items": [
                {"Name": "i1", "Attributes": [{"Name": "a", "Value": "1"}]},
                {"Name": "i2", "Attributes": [{"Name": "b", "Value": "2"}, {"Name": "c", "Value": "3"}]},
            ],
            "NextToken": "t",
        },
    ),
    ("sns", "GetTopicAttributes", {"Attributes": {"Policy": "{}", "DisplayName": "d"}}),
    (
        "rds",
        "DescribeDBSubnetGroups",
        {
            "DBSubnetGroups": [
                {
                    "DBSubnetGroupName": "g",
                    "Subnets": [{"SubnetIdentifier": "s1", "SubnetStatus": "Active"}],
                    "SupportedNetworkTypes": ["IPV4", "DUAL"],
                }
            ]
        },
    ),
]


@pytest.mark.parametrize(
    ("service", "operation", "result"), RESPONSES, ids=[f"{s}:{o}:{i}" for i, (s, o, _) in enumerate(RESPONSES)]
)
def test_response_round_trip(service: str, operation: str, result: dict[str, Any]) -> None:
    """botocore's parser reads the encoder's XML back into the result dict, with the request id."""
    model = service_model(service).operation_model(operation)
    xml = encode_query_response(model, result, "req-0001")
    parsed = create_parser("query").parse({"body": xml, "headers": {}, "status_code": 200}, model.output_shape)
    assert parsed.pop("ResponseMetadata")["RequestId"] == "req-0001"
    assert parsed == result


@pytest.mark.parametrize("service", ["iam", "sts"])
def test_response_is_in_the_service_namespace(service: str) -> None:
    """The root is `{Operation}Response` in the model's `xmlNamespace`, the result in `resultWrapper`."""
    model = service_model(service).operation_model("GetCallerIdentity" if service == "sts" else "ListRoles")
    xml = encode_query_response(model, {}, "r").decode()
    namespace = service_model(service).metadata["xmlNamespace"]
    assert xml.startswith(f'<{model.name}Response xmlns="{namespace}"><{model.name}Result')


@pytest.mark.parametrize(
    ("result", "code"),
    [
        ({"Role": {"RoleName": 7}}, "InternalFailure"),
        ({"Role": {"Tags": "a"}}, "InternalFailure"),
        ({"Role": {"Nickname": "x"}}, "InternalFailure"),
        ({"Role": {"RoleName": "bell\x07"}}, "InternalFailure"),
    ],
)
def test_results_the_model_cannot_describe_are_refused(result: dict[str, Any], code: str) -> None:
    """A wrong type, an unknown member or text XML cannot carry is our fault: `InternalFailure`, 500."""
    with pytest.raises(QueryProtocolError) as caught:
        encode_query_response(service_model("iam").operation_model("GetRole"), result, "r")
    assert (caught.value.code, caught.value.http_status, caught.value.sender) == (code, 500, False)


@pytest.mark.parametrize(("service", "sender", "kind"), [("iam", True, "Sender"), ("sts", False, "Receiver")])
def test_error_document_parses_as_boto3_parses_it(service: str, sender: bool, kind: str) -> None:
    """IAM and STS errors: `ErrorResponse/Error/{Type,Code,Message}` and `RequestId`, in the service namespace.

    Shape: IAM's own answers, as quoted in https://github.com/ansible/ansible-modules-core/issues/3411
    (`<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type>…`);
    codes: https://docs.aws.amazon.com/IAM/latest/APIReference/CommonErrors.html.
    """
    namespace = service_model(service).metadata["xmlNamespace"]
    message = 'Role with name <x> & "y" already exists.'
    xml = encode_query_error("EntityAlreadyExists", message, "req-9", sender=sender, namespace=namespace)
    assert xml.decode().startswith(f'<ErrorResponse xmlns="{namespace}"><Error><Type>{kind}</Type>')
    parsed = create_parser("query").parse({"body": xml, "headers": {}, "status_code": 400}, None)
    assert parsed["Error"] == {"Type": kind, "Code": "EntityAlreadyExists", "Message": message}
    assert parsed["ResponseMetadata"]["RequestId"] == "req-9"


def _refusal(service: str, operation: str, form: dict[str, str]) -> QueryProtocolError:
    with pytest.raises(QueryProtocolError) as caught:
        decode_query_request(service_model(service).operation_model(operation), form)
    assert caught.value.http_status == 400
    return caught.value


TRUST_FORM = {"AssumeRolePolicyDocument": TRUST}
NULL = "failed to satisfy constraint: Member must not be null"


@pytest.mark.parametrize(
    ("service", "operation", "form", "message"),
    [
        pytest.param(
            "iam",
            "CreateRole",
            {"RoleName": "r" * 65, **TRUST_FORM},
            f"1 validation error detected: Value '{'r' * 65}' at 'roleName' failed to satisfy constraint: "
            "Member must have length less than or equal to 64",
            id="too-long",
        ),
        pytest.param(
            "sts",
            "AssumeRole",
            {"RoleArn": ROLE_ARN, "RoleSessionName": "team/alice"},
            "1 validation error detected: Value 'team/alice' at 'roleSessionName' failed to satisfy "
            r"constraint: Member must satisfy regular expression pattern: [\w+=,.@-]*",
            id="bad-pattern",
        ),
        pytest.param(
            "sts",
            "AssumeRole",
            {"RoleArn": ROLE_ARN, "RoleSessionName": "s1", "DurationSeconds": "600"},
            "1 validation error detected: Value '600' at 'durationSeconds' failed to satisfy constraint: "
            "Member must have value greater than or equal to 900",
            id="below-min",
        ),
        pytest.param(
            "iam",
            "ListPolicies",
            {"Scope": "Everything"},
            "1 validation error detected: Value 'Everything' at 'scope' failed to satisfy constraint: "
            "Member must satisfy enum value set: [All, AWS, Local]",
            id="enum",
        ),
        pytest.param(
            "sts",
            "AssumeRole",
            {"RoleArn": ROLE_ARN},
            f"1 validation error detected: Value null at 'roleSessionName' {NULL}",
            id="missing-required",
        ),
        pytest.param(
            "iam",
            "CreateRole",
            {"RoleName": "r" * 65},
            f"2 validation errors detected: Value '{'r' * 65}' at 'roleName' failed to satisfy constraint: "
            "Member must have length less than or equal to 64; "
            f"Value null at 'assumeRolePolicyDocument' {NULL}",
            id="two-errors",
        ),
        pytest.param(
            "iam",
            "TagRole",
            {"RoleName": "r", "Tags.member.1.Key": "team", "Tags.member.2.Value": "a*"},
            "3 validation errors detected: Value null at 'tags.1.member.value' failed to satisfy constraint: "
            "Member must not be null; Value null at 'tags.2.member.key' failed to satisfy constraint: "
            "Member must not be null; Value 'a*' at 'tags.2.member.value' failed to satisfy constraint: "
            r"Member must satisfy regular expression pattern: [\p{L}\p{Z}\p{N}_.:/=+\-@]*",
            id="nested",
        ),
        pytest.param(
            "sts",
            "AssumeRoleWithWebIdentity",
            {"RoleArn": ROLE_ARN, "RoleSessionName": "s1", "WebIdentityToken": "abc"},
            "1 validation error detected: Value at 'webIdentityToken' failed to satisfy constraint: "
            "Member must have length greater than or equal to 4",
            id="sensitive-value-left-out",
        ),
        pytest.param(
            "sts",
            "AssumeRole",
            {"RoleArn": "", "RoleSessionName": "s1"},
            "2 validation errors detected: Value '' at 'roleArn' failed to satisfy constraint: Member must "
            r"satisfy regular expression pattern: [\u0009\u000A\u000D\u0020-\u007E\u0085\u00A0-\uD7FF\uE000-"
            r"\uFFFD\u10000-\u10FFFF]+; Value '' at 'roleArn' failed to satisfy constraint: Member must have "
            "length greater than or equal to 20",
            id="pattern-before-length",
        ),
        pytest.param(
            "iam",
            "CreateSAMLProvider",
            {"Name": "idp", "SAMLMetadataDocument": "<md/>"},
            "1 validation error detected: Value '<md/>' at 'sAMLMetadataDocument' failed to satisfy "
            "constraint: Member must have length greater than or equal to 1000",
            id="lower-first-letter-only",
        ),
        pytest.param(
            "iam",
            "GetAccountAuthorizationDetails",
            {"Filter.member.1": "Robot"},
            "1 validation error detected: Value 'Robot' at 'filter.1.member' failed to satisfy constraint: "
            "Member must satisfy enum value set: [User, Role, Group, LocalManagedPolicy, AWSManagedPolicy]",
            id="list-element",
        ),
    ],
)
def test_validation_errors_in_aws_words(service: str, operation: str, form: dict[str, str], message: str) -> None:
    """AWS's `ValidationError` text for each constraint of the model.

    The constraints are the "Length Constraints", "Valid Range", "Pattern", "Valid Values" and
    "Required: Yes" of each parameter in the API references: RoleName of
    https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html (1–64), RoleSessionName and
    DurationSeconds of https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html
    (`[\\w+=,.@-]*`, 900–43200, required), Scope of
    https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListPolicies.html (All | AWS | Local), Tag of
    https://docs.aws.amazon.com/IAM/latest/APIReference/API_Tag.html. The wording is AWS's as its
    services send it ("1 validation error detected: Value 'x' at 'roleName' failed to satisfy constraint:
    Member must have length less than or equal to 64"; "Value null at 'roleSessionName' … Member must not
    be null" from STS for a missing RoleSessionName; a pattern failure listed before a length failure),
    under the `ValidationError` code of https://docs.aws.amazon.com/IAM/latest/APIReference/CommonErrors.html.
    """
    error = _refusal(service, operation, form)
    assert (error.code, error.message) == ("ValidationError", message)
    assert len(error.violations) == int(message.split(" ", 1)[0])


@pytest.mark.parametrize(
    ("service", "operation", "form"),
    [
        pytest.param("sts", "GetSessionToken", {"DurationSeconds": "abc"}, id="non-integer"),
        pytest.param("sts", "GetSessionToken", {"DurationSeconds": "1_000"}, id="python-only-integer"),
        pytest.param("iam", "ListRoles", {"MaxItems": "99999999999"}, id="integer-overflow"),
        pytest.param("iam", "ListPolicies", {"OnlyAttached": "yes"}, id="non-boolean"),
        pytest.param("iam", "TagRole", {"RoleName": "r", "Tags": "team=a"}, id="scalar-for-list"),
        pytest.param(
            "sns",
            "Publish",
            {
                "Message": "m",
                "MessageAttributes.entry.1.Name": "k",
                "MessageAttributes.entry.1.Value.DataType": "Binary",
                "MessageAttributes.entry.1.Value.BinaryValue": "not base64!",
            },
            id="bad-blob",
        ),
    ],
)
def test_unreadable_values_are_malformed_input(service: str, operation: str, form: dict[str, str]) -> None:
    """A value that cannot be read as its type fails before validation with `MalformedInput`, 400.

    AWS's Query services answer input they cannot deserialize with `MalformedInput` (the code SNS and
    CloudFormation, which share IAM's and STS's Query front end, send for such requests).
    """
    assert _refusal(service, operation, form).code == "MalformedInput"


def test_unknown_parameters_and_protocol_parameters_are_ignored() -> None:
    """Parameters the model does not define are ignored, as AWS ignores them; `Action`/`Version` are not input."""
    form = {
        "Action": "GetSessionToken",
        "Version": "2011-06-15",
        "Bogus": "1",
        "DurationSeconds.member.1": "x",
        "DurationSeconds": "900",
    }
    operation = service_model("sts").operation_model("GetSessionToken")
    assert decode_query_request(operation, form) == {"DurationSeconds": 900}


@pytest.mark.parametrize(
    ("text", "moment"),
    [
        ("2026-03-04T05:06:07Z", WHEN),
        ("2026-03-04T07:06:07+02:00", WHEN),
        ("2026-03-04T05:06:07", WHEN),
        ("1772600767", WHEN),
        ("1772604367.359", WHEN_MS),
    ],
)
def test_timestamps_read_as_aware_datetimes(text: str, moment: datetime) -> None:
    """ISO 8601 (a missing offset is UTC) or epoch seconds, read as the same instant."""
    operation = service_model("rds").operation_model("RestoreDBInstanceToPointInTime")
    decoded = decode_query_request(operation, {"TargetDBInstanceIdentifier": "db", "RestoreTime": text})
    assert decoded["RestoreTime"] == moment
    assert decoded["RestoreTime"].tzinfo is not None


def test_list_elements_follow_their_index_not_the_arrival_order() -> None:
    """`Name.member.N` is ordered by N, whatever order the form sent them in."""
    form = {
        "ActionNames.member.2": "s3:PutObject",
        "ActionNames.member.1": "s3:GetObject",
        "PolicySourceArn": f"arn:aws:iam::{ACCOUNT}:user/alice",
    }
    operation = service_model("iam").operation_model("SimulatePrincipalPolicy")
    assert decode_query_request(operation, form)["ActionNames"] == ["s3:GetObject", "s3:PutObject"]


def test_unknown_action_is_invalid_action() -> None:
    """An Action or Version the service lacks: `InvalidAction`, "Could not find operation X for version Y"."""
    iam = service_model("iam")
    assert find_operation(iam, "GetRole", "2010-05-08").name == "GetRole"
    for action, version in (("GetRoles", "2010-05-08"), ("GetRole", "2011-06-15")):
        with pytest.raises(QueryProtocolError) as caught:
            find_operation(iam, action, version)
        assert (caught.value.code, caught.value.message) == (
            "InvalidAction",
            f"Could not find operation {action} for version {version}",
        )


def test_service_models_are_cached() -> None:
    """One botocore model per service for the process."""
    assert service_model("iam") is service_model("iam")


@pytest.mark.parametrize("service", ["iam", "sts"])
def test_every_pattern_of_the_models_compiles(service: str) -> None:
    """Every Java `pattern` of the IAM and STS models carries over to `re`."""
    model = service_model(service)
    patterns = {model.shape_for(name).metadata.get("pattern") for name in model.shape_names} - {None}
    assert patterns
    for pattern in patterns:
        compile_java_pattern(pattern)


@pytest.mark.parametrize(
    ("pattern", "value", "matches"),
    [
        (r"[\w+=,.@-]+", "alice@example.com", True),
        (r"[\w+=,.@-]+", "élodie", False),  # Java's \w is ASCII-only
        (r"[\p{L}\p{Z}\p{N}_.:/=+\-@]+", "Équipe données ٣", True),
        (r"[\p{L}\p{Z}\p{N}_.:/=+\-@]+", "a*b", False),
        (r"[\u0009\u000A\u000D\u0020-\u007E\u0085\u00A0-\uD7FF\uE000-\uFFFD\u10000-\u10FFFF]+", "arn:aws:iam::1", True),
        (r"[\u0009\u000A\u000D\u0020-\u007E\u0085\u00A0-\uD7FF\uE000-\uFFFD\u10000-\u10FFFF]+", "\U0001f600", False),
        (r"\d{12}", "١٢٣٤٥٦٧٨٩٠١٢", False),
        (r"^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$", "ab\n", False),
    ],
)
def test_java_patterns_match_as_java_matches(pattern: str, value: str, matches: bool) -> None:
    """Whole-value matching with Java's meaning of `\\w`, `\\d`, `\\p{L}` and `\\uXXXX`."""
    assert (compile_java_pattern(pattern).fullmatch(value) is not None) is matches
