"""The two benchmark cases as data: (a) a simple request, (b) a heavy organisation-shaped one.

Each case is the simulation input of the public contract split in two: `policies` (everything
but "request", what `iamtwin.Simulator` takes) and a tuple of requests. Every request carries
the outcome we expect from AWS's evaluation logic, so the benchmark can also report agreement.

iam-simulate does not derive context keys from the principal, so `node_context()` spells out
the keys AWS (and iamtwin) derive: aws:PrincipalArn, aws:PrincipalAccount, aws:username,
aws:PrincipalTag/*, aws:ResourceTag/*. `node_payload()` is what `iam_simulate_runner.mjs` reads.

Run `python benchmarks/cases.py` to print that payload.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

ACCOUNT = "111122223333"
EXTERNAL_ACCOUNT = "444455556666"
ORG_ID = "o-a1b2c3d4e5"
ORG_PATH = f"{ORG_ID}/r-ab12/ou-ab12-workloads/"
NOW = "2026-03-01T12:00:00Z"

ALLOWED = "Allowed"
EXPLICIT_DENY = "ExplicitDeny"
IMPLICIT_DENY = "ImplicitDeny"

Json = dict[str, Any]


@dataclass(frozen=True, slots=True)
class BenchRequest:
    """One request of a case, with the outcome AWS's evaluation logic gives and why."""

    id: str
    request: Json
    expected: str
    why: str


@dataclass(frozen=True, slots=True)
class BenchCase:
    """A benchmark case: the policies (built once) and the requests cycled over."""

    name: str
    summary: str
    policies: Json
    requests: tuple[BenchRequest, ...]
    now: str = NOW

    def simulation_input(self, request: BenchRequest) -> Json:
        """The full simulation input (policies + request) of the public contract."""
        return {**self.policies, "request": request.request}


# --------------------------------------------------------------------------- helpers


def _stmt(
    sid: str,
    effect: str,
    actions: str | Sequence[str],
    resources: str | Sequence[str],
    condition: Mapping[str, Any] | None = None,
    *,
    not_action: bool = False,
    not_resource: bool = False,
    principal: Any = None,
) -> Json:
    out: Json = {"Sid": sid, "Effect": effect}
    if principal is not None:
        out["Principal"] = principal
    out["NotAction" if not_action else "Action"] = list(actions) if not isinstance(actions, str) else actions
    key = "NotResource" if not_resource else "Resource"
    out[key] = list(resources) if not isinstance(resources, str) else resources
    if condition:
        out["Condition"] = dict(condition)
    return out


def _policy(policy_id: str, *statements: Json) -> Json:
    return {"id": policy_id, "document": {"Version": "2012-10-17", "Statement": list(statements)}}


def _arn(service: str, region: str, rest: str, account: str = ACCOUNT) -> str:
    return f"arn:aws:{service}:{region}:{account}:{rest}"


# --------------------------------------------------------------------------- case (a)


def simple_case() -> BenchCase:
    """Case (a): one identity policy with one Allow statement and one request."""
    policies: Json = {
        "identity_policies": [
            _policy(
                "ReadExampleBucket",
                _stmt("ReadObjects", "Allow", "s3:GetObject", "arn:aws:s3:::example-bucket/*"),
            )
        ],
        "permissions_boundary": None,
        "session_policies": None,
        "resource_policy": None,
        "scps": None,
        "rcps": None,
        "vpc_endpoint_policies": None,
    }
    request = BenchRequest(
        id="a01",
        request={
            "principal": f"arn:aws:iam::{ACCOUNT}:user/alice",
            "action": "s3:GetObject",
            "resource": "arn:aws:s3:::example-bucket/reports/2026-02.csv",
            "resource_account": ACCOUNT,
            "context": {},
        },
        expected=ALLOWED,
        why="identity policy allows; nothing else in effect",
    )
    return BenchCase(
        name="simple",
        summary="1 identity policy, 1 Allow statement, 1 request",
        policies=policies,
        requests=(request,),
    )


# --------------------------------------------------------------------------- case (b)

_TEAM = "${aws:PrincipalTag/team}"
_TABLE = _arn("dynamodb", "*", "table/")
_INSTANCE = _arn("ec2", "*", "instance/*")

# The policies and requests below are tables: one statement or request per entry, kept compact.
# fmt: off


def _identity_policies() -> list[Json]:
    """Ten identity policies, fifty-nine statements."""
    return [
        _policy(
            "S3HomeFolders",
            _stmt("ListHome", "Allow", "s3:ListBucket", "arn:aws:s3:::team-data",
                  {"StringLike": {"s3:prefix": ["home/${aws:username}/*", "home/${aws:username}"]}}),
            _stmt("HomeObjects", "Allow", ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
                  "arn:aws:s3:::team-data/home/${aws:username}/*"),
            _stmt("TeamShared", "Allow", ["s3:GetObject", "s3:GetObjectVersion"],
                  f"arn:aws:s3:::team-data/shared/{_TEAM}/*"),
            _stmt("NoArchiveDelete", "Deny", "s3:DeleteObject", "arn:aws:s3:::team-data/home/*/archive/*"),
            _stmt("PublicAssetsRead", "Allow", "s3:Get*", "arn:aws:s3:::public-assets-*/*"),
            _stmt("NoAcl", "Deny", ["s3:PutObjectAcl", "s3:PutBucketAcl"], "*"),
        ),
        _policy(
            "DynamoTeamTables",
            _stmt("ReadTeamTables", "Allow",
                  ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:Scan", "dynamodb:BatchGetItem"],
                  f"{_TABLE}{_TEAM}-*"),
            _stmt("WriteTeamTables", "Allow", ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"],
                  f"{_TABLE}{_TEAM}-*", {"StringEquals": {"aws:PrincipalTag/access": "writer"}}),
            _stmt("DescribeAll", "Allow", ["dynamodb:Describe*", "dynamodb:List*"], "*"),
            _stmt("ProtectProd", "Deny", "dynamodb:*", f"{_TABLE}prod-*",
                  {"StringNotEquals": {"aws:PrincipalTag/env": "prod"}}),
            _stmt("IndexQuery", "Allow", "dynamodb:Query", f"{_TABLE}*/index/*"),
            _stmt("NoTableDelete", "Deny", ["dynamodb:DeleteTable", "dynamodb:DeleteBackup"], "*"),
        ),
        _policy(
            "EC2Operations",
            _stmt("Describe", "Allow", "ec2:Describe*", "*"),
            _stmt("StartStopOwn", "Allow", ["ec2:StartInstances", "ec2:StopInstances", "ec2:RebootInstances"],
                  _INSTANCE, {"StringEquals": {"aws:ResourceTag/team": _TEAM}}),
            _stmt("TerminateNeedsMfa", "Deny", "ec2:TerminateInstances", "*",
                  {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}),
            _stmt("TerminateRecentMfa", "Allow", "ec2:TerminateInstances", _INSTANCE,
                  {"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}}),
            _stmt("OnlyEuInstances", "Deny", "ec2:ModifyInstanceAttribute",
                  _arn("ec2", "eu-west-1", "instance/*"), not_resource=True),
            _stmt("ModifyInstance", "Allow", "ec2:ModifyInstanceAttribute", _INSTANCE),
        ),
        _policy(
            "NetworkGuard",
            _stmt("DenyOutsideNetwork", "Deny", ["s3:*", "dynamodb:*", "secretsmanager:*"], "*",
                  {"NotIpAddress": {"aws:SourceIp": ["10.0.0.0/8", "203.0.113.0/24", "2001:db8::/32"]}}),
            _stmt("QueueFromVpc", "Allow", ["sqs:SendMessage", "sqs:ReceiveMessage"],
                  _arn("sqs", "*", f"{_TEAM}-*"), {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}),
            _stmt("DenyQueueDelete", "Deny", ["sqs:DeleteQueue", "sqs:PurgeQueue"], "*"),
            _stmt("QueueRead", "Allow", ["sqs:GetQueueAttributes", "sqs:ListQueues"], "*"),
            _stmt("DenyInstancesOffNetwork", "Deny", ["ec2:RunInstances", "ec2:TerminateInstances"], "*",
                  {"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}}),
        ),
        _policy(
            "LambdaWindow",
            _stmt("InvokeTeamFunctions", "Allow", "lambda:InvokeFunction",
                  _arn("lambda", "*", f"function:{_TEAM}-*"),
                  {"DateGreaterThan": {"aws:CurrentTime": "2024-01-01T00:00:00Z"}}),
            _stmt("ReadFunctions", "Allow",
                  ["lambda:GetFunction", "lambda:GetFunctionConfiguration", "lambda:ListFunctions"], "*"),
            _stmt("DeployTeamFunctions", "Allow", ["lambda:UpdateFunctionCode", "lambda:UpdateFunctionConfiguration"],
                  _arn("lambda", "*", f"function:{_TEAM}-*"),
                  {"StringEquals": {"aws:PrincipalTag/access": "writer"}}),
            _stmt("ChangeFreeze", "Deny", ["lambda:UpdateFunctionCode", "lambda:UpdateFunctionConfiguration"], "*",
                  {"DateGreaterThan": {"aws:CurrentTime": "2026-12-20T00:00:00Z"},
                   "DateLessThan": {"aws:CurrentTime": "2027-01-05T00:00:00Z"}}),
            _stmt("NoFunctionDelete", "Deny", "lambda:DeleteFunction", "*"),
            _stmt("LegacyUntil2025", "Allow", "lambda:InvokeFunction", _arn("lambda", "*", "function:legacy-*"),
                  {"DateLessThan": {"aws:CurrentTime": "2025-01-01T00:00:00Z"}}),
        ),
        _policy(
            "SecretsByOrgPath",
            _stmt("TeamSecrets", "Allow", "secretsmanager:GetSecretValue",
                  _arn("secretsmanager", "*", f"secret:{_TEAM}/*"),
                  {"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": [f"{ORG_ID}/r-ab12/ou-ab12-workloads/*"]}}),
            _stmt("DescribeSecrets", "Allow", ["secretsmanager:DescribeSecret", "secretsmanager:ListSecrets"], "*"),
            _stmt("ProdSecretsNeedMfa", "Deny", "secretsmanager:GetSecretValue",
                  _arn("secretsmanager", "*", "secret:prod/*"),
                  {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}),
            _stmt("SharedSecrets", "Allow", "secretsmanager:GetSecretValue",
                  _arn("secretsmanager", "*", "secret:shared/*"),
                  {"StringEquals": {"aws:PrincipalAccount": ACCOUNT}}),
            _stmt("NoRotationChanges", "Deny", ["secretsmanager:RotateSecret", "secretsmanager:DeleteSecret"], "*"),
            _stmt("PutTeamSecret", "Allow", "secretsmanager:PutSecretValue",
                  _arn("secretsmanager", "*", f"secret:{_TEAM}/*"),
                  {"StringEquals": {"aws:PrincipalTag/access": "writer"}}),
        ),
        _policy(
            "LogsQueuesMetrics",
            _stmt("WriteTeamLogs", "Allow", ["logs:CreateLogStream", "logs:PutLogEvents"],
                  _arn("logs", "*", f"log-group:/app/{_TEAM}/*")),
            _stmt("ReadLogs", "Allow", ["logs:GetLogEvents", "logs:FilterLogEvents", "logs:DescribeLog*"], "*"),
            _stmt("NoLogDelete", "Deny", ["logs:DeleteLogGroup", "logs:DeleteLogStream"], "*"),
            _stmt("QueueAdmin", "Allow", "sqs:*", _arn("sqs", "eu-west-1", f"{_TEAM}-*"),
                  {"StringEquals": {"aws:PrincipalTag/access": "writer"}}),
            _stmt("QueuesOnlyInEu", "Deny", "sqs:CreateQueue", _arn("sqs", "eu-west-1", "*"), not_resource=True),
            _stmt("MetricsRead", "Allow",
                  ["cloudwatch:GetMetricData", "cloudwatch:GetMetricStatistics", "cloudwatch:ListMetrics"], "*"),
        ),
        _policy(
            "IamSelfService",
            _stmt("OwnUser", "Allow",
                  ["iam:GetUser", "iam:ChangePassword", "iam:ListAccessKeys", "iam:CreateAccessKey",
                   "iam:DeleteAccessKey"],
                  f"arn:aws:iam::{ACCOUNT}:user/${{aws:username}}"),
            _stmt("ListIdentities", "Allow", ["iam:ListUsers", "iam:ListGroups", "iam:ListRoles"], "*"),
            _stmt("KeysNeedMfa", "Deny", ["iam:CreateAccessKey", "iam:DeleteAccessKey"], "*",
                  {"Null": {"aws:MultiFactorAuthAge": "true"}}),
            _stmt("NoPolicyEdits", "Deny", ["iam:Put*Policy", "iam:Attach*Policy", "iam:CreatePolicyVersion"], "*"),
            _stmt("CallerIdentity", "Allow", "sts:GetCallerIdentity", "*"),
            _stmt("PassTeamRoles", "Allow", "iam:PassRole", f"arn:aws:iam::{ACCOUNT}:role/{_TEAM}-*",
                  {"StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}}),
        ),
        _policy(
            "Guardrails",
            _stmt("ReadOnlyRolesNoWrites", "Deny",
                  ["s3:Put*", "s3:Delete*", "dynamodb:Put*", "dynamodb:Update*", "dynamodb:Delete*", "lambda:Update*"],
                  "*", {"ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{ACCOUNT}:role/ReadOnly*"}}),
            _stmt("Suspended", "Deny", "*", "*", {"StringEquals": {"aws:PrincipalTag/suspended": "true"}}),
            _stmt("SecretBuckets", "Deny", "s3:*", ["arn:aws:s3:::secrets-*", "arn:aws:s3:::secrets-*/*"]),
            _stmt("NoLeaveOrg", "Deny", "organizations:LeaveOrganization", "*"),
            _stmt("ReadOnlyEverything", "Allow",
                  ["s3:Get*", "s3:List*", "dynamodb:Get*", "dynamodb:Query", "dynamodb:Scan", "ec2:Describe*"],
                  "*", {"ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{ACCOUNT}:role/ReadOnly*"}}),
            _stmt("EncryptedPutsOnly", "Deny", "s3:PutObject", "arn:aws:s3:::team-data/*",
                  {"StringNotEqualsIfExists": {"s3:x-amz-server-side-encryption": "aws:kms"}}),
        ),
        _policy(
            "PlatformAdmin",
            _stmt("AdminAllButIam", "Allow", ["iam:*", "organizations:*", "account:*"], "*",
                  {"StringEquals": {"aws:PrincipalTag/access": "admin"}}, not_action=True),
            _stmt("AdminIamRead", "Allow", ["iam:Get*", "iam:List*"], "*",
                  {"StringEquals": {"aws:PrincipalTag/access": "admin"}}),
            _stmt("TeamParameters", "Allow", ["ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath"],
                  _arn("ssm", "*", f"parameter/{_TEAM}/*"),
                  {"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}),
            _stmt("ListAllBuckets", "Allow", "s3:ListAllMyBuckets", "*"),
            _stmt("MetricsFromCorp", "Allow", "cloudwatch:PutMetricData", "*",
                  {"IpAddress": {"aws:SourceIp": ["10.0.0.0/8"]}, "StringLike": {"cloudwatch:namespace": "App/*"}}),
            _stmt("NoBillingChanges", "Deny", ["aws-portal:Modify*", "budgets:Modify*"], "*"),
        ),
    ]


def _boundary() -> Json:
    return _policy(
        "DeveloperBoundary",
        _stmt("ServicesDevelopersUse", "Allow",
              ["s3:*", "dynamodb:*", "ec2:*", "lambda:*", "logs:*", "sqs:*", "secretsmanager:GetSecretValue",
               "cloudwatch:Get*", "cloudwatch:List*", "ssm:GetParameter*", "sts:GetCallerIdentity"], "*"),
        _stmt("SelfServiceIam", "Allow", ["iam:GetUser", "iam:ChangePassword", "iam:List*"],
              f"arn:aws:iam::{ACCOUNT}:user/*"),
        _stmt("NoDestructiveDeletes", "Deny", ["s3:DeleteBucket", "dynamodb:DeleteTable"], "*"),
    )


def _bucket_policy() -> Json:
    return _policy(
        "team-data-bucket-policy",
        _stmt("PartnerReadsShared", "Allow", "s3:GetObject", "arn:aws:s3:::team-data/shared/*",
              principal={"AWS": f"arn:aws:iam::{EXTERNAL_ACCOUNT}:root"}),
        _stmt("DenyInsecureTransport", "Deny", "s3:*", ["arn:aws:s3:::team-data", "arn:aws:s3:::team-data/*"],
              {"Bool": {"aws:SecureTransport": "false"}}, principal="*"),
        _stmt("CarolReadsReports", "Allow", "s3:GetObject", "arn:aws:s3:::team-data/reports/*",
              principal={"AWS": f"arn:aws:iam::{ACCOUNT}:user/carol"}),
        _stmt("OnlyUsersDeleteShared", "Deny", "s3:DeleteObject", "arn:aws:s3:::team-data/shared/*",
              {"ArnNotLike": {"aws:PrincipalArn": f"arn:aws:iam::{ACCOUNT}:user/*"}}, principal="*"),
    )


def _scps() -> list[list[Json]]:
    full_access = _policy(
        "arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess",
        _stmt("FullAWSAccess", "Allow", "*", "*"),
    )
    deny_regions = _policy(
        f"arn:aws:organizations::{ACCOUNT}:policy/{ORG_ID}/service_control_policy/p-denyregions",
        _stmt("DenyOtherRegions", "Deny",
              ["iam:*", "organizations:*", "sts:*", "support:*", "cloudfront:*", "route53:*"], "*",
              {"StringNotEquals": {"aws:RequestedRegion": ["eu-west-1", "eu-central-1", "us-east-1"]}},
              not_action=True),
    )
    return [[full_access], [full_access, deny_regions]]


def _rcps() -> list[list[Json]]:
    full_access = _policy(
        "arn:aws:organizations::aws:policy/resource_control_policy/p-RCPFullAWSAccess",
        _stmt("RCPFullAWSAccess", "Allow", "*", "*", principal="*"),
    )
    tls_only = _policy(
        f"arn:aws:organizations::{ACCOUNT}:policy/{ORG_ID}/resource_control_policy/p-s3tlsonly",
        _stmt("S3RequiresTls", "Deny", "s3:*", "*", {"BoolIfExists": {"aws:SecureTransport": "false"}},
              principal="*"),
    )
    return [[full_access, tls_only]]


# principals: ARN and tags
_ALICE = (f"arn:aws:iam::{ACCOUNT}:user/alice", {"team": "data", "access": "writer", "env": "dev"})
_BOB = (f"arn:aws:iam::{ACCOUNT}:user/bob", {"team": "web"})
_CAROL = (f"arn:aws:iam::{ACCOUNT}:user/carol", {"team": "finance"})
_DANA = (f"arn:aws:sts::{ACCOUNT}:assumed-role/platform-admin/dana", {"team": "platform", "access": "admin"})
_AUDITOR = (f"arn:aws:sts::{ACCOUNT}:assumed-role/ReadOnlyAuditor/audit-42", {"team": "data"})
_ERIN = (f"arn:aws:iam::{EXTERNAL_ACCOUNT}:user/erin", {"team": "data"})

_BASE_CONTEXT: Json = {
    "aws:SourceIp": "10.1.2.3",
    "aws:RequestedRegion": "eu-west-1",
    "aws:SecureTransport": "true",
    "aws:CurrentTime": NOW,
    "aws:PrincipalOrgID": ORG_ID,
    "aws:PrincipalOrgPaths": [ORG_PATH],
}


def _req(
    rid: str,
    principal: tuple[str, Mapping[str, str]],
    action: str,
    resource: str,
    expected: str,
    why: str,
    *,
    context: Mapping[str, Any] | None = None,
    resource_tags: Mapping[str, str] | None = None,
    resource_account: str = ACCOUNT,
) -> BenchRequest:
    arn, tags = principal
    request: Json = {
        "principal": arn,
        "action": action,
        "resource": resource,
        "resource_account": resource_account,
        "context": {**_BASE_CONTEXT, **(context or {})},
        "principal_tags": dict(tags),
        "resource_tags": dict(resource_tags or {}),
    }
    return BenchRequest(id=rid, request=request, expected=expected, why=why)


def _heavy_requests() -> tuple[BenchRequest, ...]:
    obj = "arn:aws:s3:::team-data/"
    table = _arn("dynamodb", "eu-west-1", "table/")
    instance = _arn("ec2", "eu-west-1", "instance/i-0abc1234def567890")
    fn = _arn("lambda", "eu-west-1", "function:data-etl")
    secret = _arn("secretsmanager", "eu-west-1", "secret:data/db-password-AbCdEf")
    queue = _arn("sqs", "eu-west-1", "platform-jobs")
    sse = {"s3:x-amz-server-side-encryption": "aws:kms"}
    return (
        _req("b01", _ALICE, "s3:GetObject", obj + "home/alice/notes.txt", ALLOWED,
             "HomeObjects with ${aws:username}"),
        _req("b02", _ALICE, "s3:DeleteObject", obj + "home/alice/archive/2023.tar", EXPLICIT_DENY,
             "identity NoArchiveDelete"),
        _req("b03", _BOB, "s3:GetObject", obj + "home/alice/notes.txt", IMPLICIT_DENY,
             "${aws:username} is bob; nothing else allows"),
        _req("b04", _ALICE, "s3:PutObject", obj + "home/alice/draft.txt", ALLOWED,
             "HomeObjects; SSE header present", context=sse),
        _req("b05", _ALICE, "s3:PutObject", obj + "home/alice/draft.txt", EXPLICIT_DENY,
             "Guardrails EncryptedPutsOnly (IfExists on a missing key)"),
        _req("b06", _ALICE, "s3:GetObject", obj + "home/alice/notes.txt", EXPLICIT_DENY,
             "RCP S3RequiresTls and bucket policy deny plain HTTP", context={"aws:SecureTransport": "false"}),
        _req("b07", _CAROL, "s3:GetObject", obj + "reports/q1.pdf", ALLOWED,
             "bucket policy names carol's user ARN: an identity implicit deny does not limit it"),
        _req("b08", _ERIN, "s3:GetObject", obj + "shared/data/report.csv", ALLOWED,
             "cross-account: identity TeamShared and bucket policy grant to the account",
             context={"aws:PrincipalOrgID": "o-zzzzzzzzzz", "aws:PrincipalOrgPaths": ["o-zzzzzzzzzz/r-zz99/"]}),
        _req("b09", _ALICE, "s3:GetObject", obj + "home/alice/notes.txt", EXPLICIT_DENY,
             "NetworkGuard NotIpAddress", context={"aws:SourceIp": "198.51.100.7"}),
        _req("b10", _ALICE, "dynamodb:Query", table + "data-orders", ALLOWED,
             "ReadTeamTables with ${aws:PrincipalTag/team}"),
        _req("b11", _BOB, "dynamodb:PutItem", table + "web-sessions", IMPLICIT_DENY,
             "WriteTeamTables needs access=writer; bob has no access tag"),
        _req("b12", _ALICE, "dynamodb:Scan", table + "prod-orders", EXPLICIT_DENY,
             "ProtectProd: env is not prod"),
        _req("b13", _DANA, "ec2:TerminateInstances", instance, EXPLICIT_DENY,
             "TerminateNeedsMfa (BoolIfExists)", context={"aws:MultiFactorAuthPresent": "false"}),
        _req("b14", _ALICE, "ec2:StartInstances", instance, ALLOWED,
             "StartStopOwn: aws:ResourceTag/team equals ${aws:PrincipalTag/team}", resource_tags={"team": "data"}),
        _req("b15", _BOB, "ec2:StartInstances", instance, IMPLICIT_DENY,
             "StartStopOwn: resource tag team=data, bob's team=web", resource_tags={"team": "data"}),
        _req("b16", _ALICE, "ec2:DescribeInstances", "*", EXPLICIT_DENY,
             "SCP DenyOtherRegions at the OU level", context={"aws:RequestedRegion": "ap-southeast-2"}),
        _req("b17", _ALICE, "lambda:InvokeFunction", fn, ALLOWED, "InvokeTeamFunctions (DateGreaterThan)"),
        _req("b18", _ALICE, "lambda:UpdateFunctionCode", fn, EXPLICIT_DENY,
             "ChangeFreeze (DateGreaterThan and DateLessThan)", context={"aws:CurrentTime": "2026-12-24T10:00:00Z"}),
        _req("b19", _ALICE, "secretsmanager:GetSecretValue", secret, ALLOWED,
             "TeamSecrets (ForAnyValue:StringLike on aws:PrincipalOrgPaths)"),
        _req("b20", _ALICE, "secretsmanager:DescribeSecret", secret, IMPLICIT_DENY,
             "identity allows; the permissions boundary does not"),
        _req("b21", _ALICE, "iam:CreateAccessKey", f"arn:aws:iam::{ACCOUNT}:user/alice", IMPLICIT_DENY,
             "OwnUser allows, Null check passes; the boundary does not allow iam:CreateAccessKey",
             context={"aws:MultiFactorAuthPresent": "true", "aws:MultiFactorAuthAge": "120"}),
        _req("b22", _AUDITOR, "dynamodb:PutItem", table + "data-orders", EXPLICIT_DENY,
             "Guardrails ReadOnlyRolesNoWrites (ArnLike aws:PrincipalArn is the role ARN)"),
        _req("b23", _DANA, "sqs:SendMessage", queue, ALLOWED, "QueueFromVpc (IpAddress) and AdminAllButIam",
             context={"aws:SourceIp": "10.20.0.5"}),
        _req("b24", _DANA, "sqs:DeleteQueue", queue, EXPLICIT_DENY, "NetworkGuard DenyQueueDelete"),
        _req("b25", _BOB, "logs:PutLogEvents", _arn("logs", "eu-west-1", "log-group:/app/web/api:log-stream:i-1"),
             ALLOWED, "WriteTeamLogs with ${aws:PrincipalTag/team}"),
        _req("b26", _BOB, "ssm:GetParameter", _arn("ssm", "eu-central-1", "parameter/web/db-url"), IMPLICIT_DENY,
             "TeamParameters requires aws:RequestedRegion eu-west-1", context={"aws:RequestedRegion": "eu-central-1"}),
    )


# fmt: on


def heavy_case() -> BenchCase:
    """Case (b): 10 identity policies (60 statements), 2-level SCPs, an RCP, a boundary, a bucket policy."""
    policies: Json = {
        "identity_policies": _identity_policies(),
        "permissions_boundary": _boundary(),
        "session_policies": None,
        "resource_policy": _bucket_policy(),
        "scps": _scps(),
        "rcps": _rcps(),
        "vpc_endpoint_policies": None,
    }
    requests = _heavy_requests()
    return BenchCase(
        name="heavy",
        summary=(
            f"{len(policies['identity_policies'])} identity policies / {statement_count(policies)} statements, "
            f"2-level SCPs, RCP, boundary, bucket policy, {len(requests)} requests"
        ),
        policies=policies,
        requests=requests,
    )


def all_cases() -> tuple[BenchCase, ...]:
    """Both cases, simple first."""
    return (simple_case(), heavy_case())


def statement_count(policies: Mapping[str, Any]) -> int:
    """Number of statements in the identity policies."""
    return sum(len(p["document"]["Statement"]) for p in policies["identity_policies"])


# --------------------------------------------------------------------------- Node side


def principal_account(principal: str) -> str | None:
    """The account of an IAM/STS principal ARN, or None for "*" and service principals."""
    parts = principal.split(":")
    return parts[4] if len(parts) >= 6 and parts[0] == "arn" else None


def node_context(request: Mapping[str, Any]) -> Json:
    """The request's context plus the keys AWS derives, spelled out (iam-simulate does not derive them)."""
    principal = str(request["principal"])
    derived: Json = {}
    account = principal_account(principal)
    if account is not None:
        resource_part = principal.split(":", 5)[5]
        derived["aws:PrincipalAccount"] = account
        if resource_part.startswith("assumed-role/"):
            role = resource_part.split("/")[1]
            derived["aws:PrincipalArn"] = f"arn:aws:iam::{account}:role/{role}"
        else:
            derived["aws:PrincipalArn"] = principal
        if resource_part.startswith("user/"):
            derived["aws:username"] = resource_part.rsplit("/", 1)[1]
    for key, value in (request.get("principal_tags") or {}).items():
        derived[f"aws:PrincipalTag/{key}"] = value
    for key, value in (request.get("resource_tags") or {}).items():
        derived[f"aws:ResourceTag/{key}"] = value
    return {**derived, **(request.get("context") or {})}


def node_payload(cases: Sequence[BenchCase] | None = None) -> Json:
    """What `iam_simulate_runner.mjs` reads: policies in the contract's shape, requests with explicit context."""
    chosen = all_cases() if cases is None else cases
    return {
        "cases": [
            {
                "name": case.name,
                "policies": case.policies,
                "requests": [
                    {
                        "id": r.id,
                        "principal": r.request["principal"],
                        "action": r.request["action"],
                        "resource": r.request.get("resource") or "*",
                        "resource_account": r.request.get("resource_account")
                        or principal_account(str(r.request["principal"])),
                        "context": node_context(r.request),
                    }
                    for r in case.requests
                ],
            }
            for case in chosen
        ]
    }


if __name__ == "__main__":
    json.dump(node_payload(), sys.stdout, indent=2)
    sys.stdout.write("\n")
