"""The example worlds shipped with iamtwin give the outcomes their scenarios expect, and the demo runs."""

from __future__ import annotations

import io
import shlex
from dataclasses import dataclass, field
from importlib import resources

import pytest
from rich.console import Console

import iamtwin
from iamtwin.cli.demo import TOUR, load_example, run_demo

EXAMPLES = sorted(
    entry.name for entry in resources.files("iamtwin").joinpath("examples").iterdir() if entry.name.endswith(".yaml")
)

S01 = "scenario01-orchestrator.yaml"
S03 = "scenario03-ecs-abac.yaml"
S04 = "scenario04-tenant-isolation.yaml"
S06 = "scenario06-network-origin.yaml"
S07 = "scenario07-org-guardrails.yaml"
S08 = "scenario08-delegated-admin.yaml"

ALLOWED, EXPLICIT, IMPLICIT = "Allowed", "ExplicitDeny", "ImplicitDeny"


@dataclass(frozen=True)
class Case:
    """One request against an example world and the decision its scenario expects."""

    name: str
    world: str
    principal: str
    action: str
    resource: str | None
    expect: str
    blocked_by: tuple[str, ...] | None = None
    context: dict[str, str | list[str]] = field(default_factory=dict)
    session_tags: dict[str, str] | None = None
    blocking_policy: str | None = None  # the blocking policy id ends with this


# Scenario 01 — account 111111111111.
_ORCH = "arn:aws:iam::111111111111:role/Orchestrator"
_PRODUCT = "arn:aws:iam::111111111111:role/ReportFunctionRole"
_KEY = "arn:aws:kms:us-east-1:111111111111:key/1111aaaa-1111-4111-8111-111111111111"
_FN = "arn:aws:lambda:us-east-1:111111111111:function:"
# Scenario 03 — account 123456789012.
_ECS_DEV = "arn:aws:iam::123456789012:role/ecs-dev"
_NEW_CLUSTER = "arn:aws:ecs:us-east-1:123456789012:cluster/new-cluster"
_TASKS = "arn:aws:ecs:us-east-1:123456789012:task/dev-cluster/"
_RIGHT_TAGS: dict[str, str | list[str]] = {
    "aws:RequestTag/owner": "mock_user",
    "aws:RequestTag/environment": "development",
    "aws:TagKeys": ["owner", "environment"],
}
# Scenario 04 — account 111122223333.
_SERVICE = "arn:aws:iam::111122223333:role/TrackingServiceRole"
_ACCESS_ROLE = "arn:aws:iam::111122223333:role/TrackingAccessRole"
_YELLOW = "arn:aws:sts::111122223333:assumed-role/TrackingAccessRole/yellow-session"
_YELLOW_TAG: dict[str, str | list[str]] = {"aws:PrincipalTag/TenantID": "yellow"}
_TABLE = "arn:aws:dynamodb:us-east-1:111122223333:table/TrackingData"
_TENANT1 = "arn:aws:iam::111122223333:role/assumeRole-tenant1"
# Scenario 06.
_ENGINEER = "arn:aws:iam::111122223333:role/engineer"
_LEGACY_ENGINEER = "arn:aws:iam::444455556666:role/engineer"
# Scenario 08 — account 123456789012.
_JOHN = "arn:aws:iam::123456789012:user/JohnA"
_DEV_EC2 = "arn:aws:sts::123456789012:assumed-role/Developer-EC2/i-0abc"
_DEV_EC2_ADMIN = "arn:aws:sts::123456789012:assumed-role/Developer-EC2-Admin/i-0abc"
_BOUNDARY = "arn:aws:iam::123456789012:policy/S3ActionBoundary"

CASES = [
    # 01: the TagKeys condition restricts nothing on invoke; KMS needs the key policy.
    Case("invoke tagged function", S01, _ORCH, "lambda:InvokeFunction", _FN + "report", ALLOWED),
    Case("invoke untagged function is also allowed", S01, _ORCH, "lambda:InvokeFunction", _FN + "untagged", ALLOWED),
    Case("product decrypts", S01, _PRODUCT, "kms:Decrypt", _KEY, ALLOWED),
    Case("product may not encrypt", S01, _PRODUCT, "kms:Encrypt", _KEY, IMPLICIT, ("resource",)),
    Case("orchestrator may not decrypt", S01, _ORCH, "kms:Decrypt", _KEY, IMPLICIT),
    Case(
        "kms:* without Product tag",
        S01,
        "arn:aws:iam::111111111111:role/KeyAdministrator",
        "kms:Decrypt",
        _KEY,
        IMPLICIT,
        ("resource",),
    ),
    # 03: create-like actions compare request tags, others resource tags.
    Case("create cluster without tags", S03, _ECS_DEV, "ecs:CreateCluster", _NEW_CLUSTER, IMPLICIT, ("identity",)),
    Case(
        "create cluster with owner only",
        S03,
        _ECS_DEV,
        "ecs:CreateCluster",
        _NEW_CLUSTER,
        IMPLICIT,
        context={"aws:RequestTag/owner": "mock_user", "aws:TagKeys": ["owner"]},
    ),
    Case(
        "create cluster with wrong tags",
        S03,
        _ECS_DEV,
        "ecs:CreateCluster",
        _NEW_CLUSTER,
        IMPLICIT,
        context={
            "aws:RequestTag/owner": "test_user",
            "aws:RequestTag/environment": "production",
            "aws:TagKeys": ["owner", "environment"],
        },
    ),
    Case(
        "create cluster with an extra tag key",
        S03,
        _ECS_DEV,
        "ecs:CreateCluster",
        _NEW_CLUSTER,
        IMPLICIT,
        context={**_RIGHT_TAGS, "aws:RequestTag/team": "x", "aws:TagKeys": ["owner", "environment", "team"]},
    ),
    Case(
        "create cluster with the right tags",
        S03,
        _ECS_DEV,
        "ecs:CreateCluster",
        _NEW_CLUSTER,
        ALLOWED,
        context=_RIGHT_TAGS,
    ),
    Case(
        "run task on own cluster",
        S03,
        _ECS_DEV,
        "ecs:RunTask",
        "arn:aws:ecs:us-east-1:123456789012:cluster/dev-cluster",
        ALLOWED,
        context=_RIGHT_TAGS,
    ),
    Case(
        "run task on someone else's cluster",
        S03,
        _ECS_DEV,
        "ecs:RunTask",
        "arn:aws:ecs:us-east-1:123456789012:cluster/someone-elses-cluster",
        IMPLICIT,
        context=_RIGHT_TAGS,
    ),
    Case("stop own task", S03, _ECS_DEV, "ecs:StopTask", _TASKS + "0a1b2c3d4e5f", ALLOWED),
    Case("stop production task", S03, _ECS_DEV, "ecs:StopTask", _TASKS + "9f8e7d6c5b4a", IMPLICIT),
    Case(
        "no environment principal tag",
        S03,
        "arn:aws:iam::123456789012:role/ecs-dev-no-env",
        "ecs:StopTask",
        _TASKS + "0a1b2c3d4e5f",
        IMPLICIT,
    ),
    # 04: session tags scope every permission.
    Case("assume the access role", S04, _SERVICE, "sts:AssumeRole", _ACCESS_ROLE, ALLOWED),
    Case(
        "tag the session",
        S04,
        _SERVICE,
        "sts:TagSession",
        _ACCESS_ROLE,
        ALLOWED,
        context={"aws:RequestTag/TenantID": "yellow", "aws:TagKeys": ["TenantID"]},
    ),
    Case(
        "tag the session without the trust statement",
        S04,
        _SERVICE,
        "sts:TagSession",
        "arn:aws:iam::111122223333:role/TrackingAccessRoleNoTagging",
        IMPLICIT,
        ("resource",),
        context={"aws:RequestTag/TenantID": "yellow"},
    ),
    Case(
        "assume without tags still works",
        S04,
        _SERVICE,
        "sts:AssumeRole",
        "arn:aws:iam::111122223333:role/TrackingAccessRoleNoTagging",
        ALLOWED,
    ),
    Case(
        "own leading key",
        S04,
        _YELLOW,
        "dynamodb:GetItem",
        _TABLE,
        ALLOWED,
        context={**_YELLOW_TAG, "dynamodb:LeadingKeys": ["yellow"]},
    ),
    Case(
        "own and other leading keys",
        S04,
        _YELLOW,
        "dynamodb:GetItem",
        _TABLE,
        IMPLICIT,
        context={**_YELLOW_TAG, "dynamodb:LeadingKeys": ["yellow", "blue"]},
    ),
    Case(
        "query other tenant",
        S04,
        _YELLOW,
        "dynamodb:Query",
        _TABLE,
        IMPLICIT,
        context={**_YELLOW_TAG, "dynamodb:LeadingKeys": ["blue"]},
    ),
    Case(
        "own prefix",
        S04,
        _YELLOW,
        "s3:GetObject",
        "arn:aws:s3:::sample-bucket-12345678/yellow/orders.json",
        ALLOWED,
        context=_YELLOW_TAG,
    ),
    Case(
        "other prefix",
        S04,
        _YELLOW,
        "s3:GetObject",
        "arn:aws:s3:::sample-bucket-12345678/blue/orders.json",
        IMPLICIT,
        context=_YELLOW_TAG,
    ),
    Case(
        "own key",
        S04,
        _YELLOW,
        "kms:Decrypt",
        "arn:aws:kms:us-east-1:111122223333:key/11111111-aaaa-4aaa-8aaa-000000000001",
        ALLOWED,
        context=_YELLOW_TAG,
    ),
    Case(
        "other key",
        S04,
        _YELLOW,
        "kms:Decrypt",
        "arn:aws:kms:us-east-1:111122223333:key/22222222-bbbb-4bbb-8bbb-000000000002",
        IMPLICIT,
        context=_YELLOW_TAG,
    ),
    Case(
        "own index",
        S04,
        _YELLOW,
        "es:ESHttpGet",
        "arn:aws:es:us-east-1:111122223333:domain/test/yellow-2024/_doc/1",
        ALLOWED,
        context=_YELLOW_TAG,
    ),
    Case(
        "other index",
        S04,
        _YELLOW,
        "es:ESHttpGet",
        "arn:aws:es:us-east-1:111122223333:domain/test/blue-2024/_doc/1",
        IMPLICIT,
        context=_YELLOW_TAG,
    ),
    Case(
        "session tag given as session_tags, any key case",
        S04,
        _YELLOW,
        "s3:GetObject",
        "arn:aws:s3:::sample-bucket-12345678/yellow/orders.json",
        ALLOWED,
        session_tags={"tenantid": "yellow"},
    ),
    Case(
        "session without TenantID",
        S04,
        _YELLOW,
        "s3:GetObject",
        "arn:aws:s3:::sample-bucket-12345678/yellow/orders.json",
        IMPLICIT,
    ),
    Case(
        "tenant1 home",
        S04,
        _TENANT1,
        "s3:GetObject",
        "arn:aws:s3:::sts-ti-demo-111122223333/tenant1_home/tenant.info-tenant1_home",
        ALLOWED,
    ),
    Case(
        "tenant2 home",
        S04,
        _TENANT1,
        "s3:GetObject",
        "arn:aws:s3:::sts-ti-demo-111122223333/tenant2_home/tenant.info-tenant2_home",
        IMPLICIT,
    ),
    Case(
        "tenant1 db user",
        S04,
        _TENANT1,
        "rds-db:connect",
        "arn:aws:rds-db:us-west-2:111122223333:dbuser:cluster-ABC/tenant1_dbuser",
        ALLOWED,
    ),
    Case(
        "tenant2 db user",
        S04,
        _TENANT1,
        "rds-db:connect",
        "arn:aws:rds-db:us-west-2:111122223333:dbuser:cluster-ABC/tenant2_dbuser",
        IMPLICIT,
    ),
    # 06: deny outside the corporate addresses, SCP and identity versions.
    Case(
        "from the NAT address",
        S06,
        _ENGINEER,
        "s3:ListAllMyBuckets",
        None,
        ALLOWED,
        context={"aws:SourceIp": "203.0.113.10"},
    ),
    Case(
        "from elsewhere, SCP version",
        S06,
        _ENGINEER,
        "s3:ListAllMyBuckets",
        None,
        EXPLICIT,
        ("scp",),
        context={"aws:SourceIp": "198.51.100.7"},
        blocking_policy="p-denyifnotcorporateipscp",
    ),
    Case(
        "via CloudFormation",
        S06,
        _ENGINEER,
        "s3:ListAllMyBuckets",
        None,
        ALLOWED,
        context={"aws:SourceIp": "52.94.1.1", "aws:ViaAWSService": "true"},
    ),
    Case(
        "service role exempt from the SCP",
        S06,
        "arn:aws:iam::111122223333:role/service-role/lambda-exec",
        "s3:ListAllMyBuckets",
        None,
        ALLOWED,
        context={"aws:SourceIp": "198.51.100.7"},
    ),
    Case(
        "IPv6 source",
        S06,
        _ENGINEER,
        "s3:ListAllMyBuckets",
        None,
        EXPLICIT,
        ("scp",),
        context={"aws:SourceIp": "2001:db8::1"},
    ),
    Case(
        "identity version, NAT address",
        S06,
        _LEGACY_ENGINEER,
        "s3:ListAllMyBuckets",
        None,
        ALLOWED,
        context={"aws:SourceIp": "203.0.113.11"},
    ),
    Case(
        "identity version, elsewhere",
        S06,
        _LEGACY_ENGINEER,
        "s3:ListAllMyBuckets",
        None,
        EXPLICIT,
        ("identity",),
        context={"aws:SourceIp": "198.51.100.7"},
        blocking_policy="arn:aws:iam::444455556666:policy/DenyIfNotCorporateIp",
    ),
    # 07: guardrails by OU.
    Case(
        "other region in Prod",
        S07,
        "arn:aws:iam::200000000001:role/app-admin",
        "ec2:RunInstances",
        "arn:aws:ec2:ap-south-1:200000000001:instance/i-0abc123",
        EXPLICIT,
        ("scp",),
        context={"aws:RequestedRegion": "ap-south-1"},
        blocking_policy="p-denyotherregions",
    ),
    Case(
        "cloud-admin-role is exempt",
        S07,
        "arn:aws:iam::200000000001:role/cloud-admin-role",
        "ec2:RunInstances",
        "arn:aws:ec2:ap-south-1:200000000001:instance/i-0abc123",
        ALLOWED,
        context={"aws:RequestedRegion": "ap-south-1"},
    ),
    Case(
        "Prod allow-list",
        S07,
        "arn:aws:iam::200000000001:role/app-admin",
        "dynamodb:PutItem",
        "arn:aws:dynamodb:us-east-1:200000000001:table/orders",
        IMPLICIT,
        ("scp",),
        context={"aws:RequestedRegion": "us-east-1"},
        blocking_policy="p-prodallowlist",
    ),
    Case(
        "SDLC is not on the allow-list",
        S07,
        "arn:aws:iam::200000000002:role/developer",
        "dynamodb:PutItem",
        "arn:aws:dynamodb:us-east-1:200000000002:table/orders",
        ALLOWED,
        context={"aws:RequestedRegion": "us-east-1"},
    ),
    Case(
        "storage gateway in Sandbox",
        S07,
        "arn:aws:iam::200000000003:role/sandbox-dev",
        "storagegateway:ListGateways",
        None,
        EXPLICIT,
        ("scp",),
        context={"aws:RequestedRegion": "us-east-1"},
        blocking_policy="p-denystoragegateway",
    ),
    Case(
        "management account",
        S07,
        "arn:aws:iam::100000000000:user/org-admin",
        "storagegateway:ListGateways",
        None,
        ALLOWED,
        context={"aws:RequestedRegion": "ap-south-1"},
    ),
    Case(
        "service-linked role in Prod",
        S07,
        "arn:aws:sts::200000000001:assumed-role/AWSServiceRoleForApplicationAutoScaling_DynamoDBTable/as",
        "dynamodb:UpdateTable",
        "arn:aws:dynamodb:us-east-1:200000000001:table/orders",
        ALLOWED,
        context={"aws:RequestedRegion": "us-east-1"},
    ),
    # 08: delegated administration within a boundary.
    Case(
        "create policy without tags",
        S08,
        _JOHN,
        "iam:CreatePolicy",
        "arn:aws:iam::123456789012:policy/TestPolicy",
        IMPLICIT,
        ("identity",),
    ),
    Case(
        "create own Developer- policy",
        S08,
        _JOHN,
        "iam:CreatePolicy",
        "arn:aws:iam::123456789012:policy/Developer-TestPolicy",
        ALLOWED,
        context={"aws:RequestTag/Owner": "JohnA"},
    ),
    Case(
        "create role without boundary",
        S08,
        _JOHN,
        "iam:CreateRole",
        "arn:aws:iam::123456789012:role/Developer-EC2",
        IMPLICIT,
        ("identity",),
        context={"aws:RequestTag/Owner": "JohnA"},
    ),
    Case(
        "create role with boundary",
        S08,
        _JOHN,
        "iam:CreateRole",
        "arn:aws:iam::123456789012:role/Developer-EC2",
        ALLOWED,
        context={"aws:RequestTag/Owner": "JohnA", "iam:PermissionsBoundary": _BOUNDARY},
    ),
    Case(
        "put object in us-east-1",
        S08,
        _DEV_EC2,
        "s3:PutObject",
        "arn:aws:s3:::Developer-logs/x",
        ALLOWED,
        context={"aws:RequestedRegion": "us-east-1"},
    ),
    Case(
        "put object in eu-west-1",
        S08,
        _DEV_EC2,
        "s3:PutObject",
        "arn:aws:s3:::Developer-logs/x",
        IMPLICIT,
        ("permissions_boundary",),
        context={"aws:RequestedRegion": "eu-west-1"},
    ),
    Case(
        "get object has no grant",
        S08,
        _DEV_EC2,
        "s3:GetObject",
        "arn:aws:s3:::Developer-logs/x",
        IMPLICIT,
        context={"aws:RequestedRegion": "us-east-1"},
    ),
    Case(
        "administrator access is still bounded",
        S08,
        _DEV_EC2_ADMIN,
        "s3:DeleteBucket",
        "arn:aws:s3:::Developer-logs",
        IMPLICIT,
        ("permissions_boundary",),
        context={"aws:RequestedRegion": "us-east-1"},
    ),
    Case(
        "own instance profile",
        S08,
        _JOHN,
        "iam:AddRoleToInstanceProfile",
        "arn:aws:iam::123456789012:instance-profile/Developer-EC2-InstanceProfile",
        ALLOWED,
    ),
    Case(
        "someone else's instance profile",
        S08,
        _JOHN,
        "iam:AddRoleToInstanceProfile",
        "arn:aws:iam::123456789012:instance-profile/EC2-access-Profile",
        IMPLICIT,
    ),
]


def test_every_example_is_covered_by_at_least_three_cases() -> None:
    assert sorted({S01, S03, S04, S06, S07, S08}) == EXAMPLES
    for name in EXAMPLES:
        assert sum(case.world == name for case in CASES) >= 3, name


@pytest.mark.parametrize("case", CASES, ids=[f"{c.world.split('-')[0]}::{c.name}" for c in CASES])
def test_example_decisions(case: Case) -> None:
    world = load_example(case.world)
    data = world.simulation_input(
        case.principal, case.action, case.resource, case.context, session_tags=case.session_tags
    )
    result = iamtwin.decision_to_json(iamtwin.simulate(data))
    assert result["decision"] == case.expect, result["message"]
    if case.expect == ALLOWED:
        assert result["blocked_by"] == []
        assert result["message"] is None
    else:
        assert isinstance(result["message"], str) and case.action in result["message"]
    if case.blocked_by is not None:
        assert tuple(result["blocked_by"]) == case.blocked_by
    if case.blocking_policy is not None:
        blocking = result["blocking_policies"]
        assert isinstance(blocking, list)
        assert any(str(policy_id).endswith(case.blocking_policy) for policy_id in blocking), blocking


def _example_commands(name: str) -> list[list[str]]:
    """The `iamtwin simulate` commands in an example's header comment, as argument lists."""
    text = resources.files("iamtwin").joinpath("examples", name).read_text(encoding="utf-8")
    header = [line[1:].strip() for line in text.splitlines() if line.startswith("#")]
    commands: list[list[str]] = []
    current = ""
    for line in header:
        if line.startswith("iamtwin simulate") or current:
            current += " " + line.rstrip("\\").strip()
            if not line.endswith("\\"):
                commands.append(shlex.split(current))
                current = ""
    return commands


@pytest.mark.parametrize("name", EXAMPLES)
def test_example_header_names_the_scenario_and_its_commands_run(name: str) -> None:
    text = resources.files("iamtwin").joinpath("examples", name).read_text(encoding="utf-8")
    number = name.removeprefix("scenario")[:2]
    assert text.startswith(f"# Scenario {number} ")
    commands = _example_commands(name)
    assert len(commands) >= 3
    world = load_example(name)
    for argv in commands:
        options: dict[str, str] = {}
        context: dict[str, str | list[str]] = {}
        for flag, value in zip(argv[2::2], argv[3::2], strict=True):
            if flag == "--context":
                key, _, item = value.partition("=")
                previous = context.get(key)
                context[key] = (
                    item if previous is None else [*([previous] if isinstance(previous, str) else previous), item]
                )
            else:
                options[flag] = value
        assert options["--world"] == name
        data = world.simulation_input(options["--principal"], options["--action"], options.get("--resource"), context)
        iamtwin.simulate(data)


def test_demo_tour_decisions() -> None:
    world = load_example()
    decisions = [
        iamtwin.decision_to_json(
            iamtwin.simulate(world.simulation_input(step.principal, step.action, step.resource, step.context))
        )["decision"]
        for step in TOUR
    ]
    assert decisions == [EXPLICIT, ALLOWED, IMPLICIT, EXPLICIT, ALLOWED, ALLOWED]


def test_demo_runs_and_names_the_blocking_policies() -> None:
    out = io.StringIO()
    run_demo(Console(file=out, width=200, color_system=None))
    text = out.getvalue()
    assert text.count("Decision:") == len(TOUR)
    assert "Blocked by: scp (DenyOtherRegions)" in text
    assert "Blocked by: scp (ProdAllowList)" in text
    assert "with an explicit deny in a service control policy" in text
