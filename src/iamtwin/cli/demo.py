"""`iamtwin demo`: a short guided tour of SCP guardrails over the scenario 07 example organization."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources

from rich.console import Console
from rich.markup import escape

from ..simulate import simulate
from ..simulate.output import decision_to_json
from ..world.worldfile import WorldFile, load_world_text

EXAMPLE = "scenario07-org-guardrails.yaml"

_STYLE = {"Allowed": "bold green", "ExplicitDeny": "bold red", "ImplicitDeny": "bold yellow"}


@dataclass(frozen=True, slots=True)
class TourStep:
    """One question of the tour: who does what, on which resource, with which context."""

    question: str
    principal: str
    action: str
    resource: str | None
    context: dict[str, str]
    why: str


TOUR: tuple[TourStep, ...] = (
    TourStep(
        "An administrator in the Prod account starts an EC2 instance in Mumbai (ap-south-1).",
        "arn:aws:iam::200000000001:role/app-admin",
        "ec2:RunInstances",
        "arn:aws:ec2:ap-south-1:200000000001:instance/i-0abc1234",
        {"aws:RequestedRegion": "ap-south-1"},
        "DenyOtherRegions on the Workloads OU denies every region but us-east-1 and eu-west-2.",
    ),
    TourStep(
        "The cloud-admin-role in the same account does the same.",
        "arn:aws:iam::200000000001:role/cloud-admin-role",
        "ec2:RunInstances",
        "arn:aws:ec2:ap-south-1:200000000001:instance/i-0abc1234",
        {"aws:RequestedRegion": "ap-south-1"},
        "DenyOtherRegions exempts this role through `ArnNotLike aws:PrincipalArn`.",
    ),
    TourStep(
        "The Prod administrator writes an item to a DynamoDB table in us-east-1.",
        "arn:aws:iam::200000000001:role/app-admin",
        "dynamodb:PutItem",
        "arn:aws:dynamodb:us-east-1:200000000001:table/orders",
        {"aws:RequestedRegion": "us-east-1"},
        "Prod's allow-list SCP names only ec2, s3, lambda and logs, so the Prod level has no allow.",
    ),
    TourStep(
        "A developer in the Sandbox account lists its Storage Gateways.",
        "arn:aws:iam::200000000003:role/sandbox-dev",
        "storagegateway:ListGateways",
        None,
        {"aws:RequestedRegion": "us-east-1"},
        "DenyStorageGateway is attached to the Sandbox OU.",
    ),
    TourStep(
        "An administrator of the management account starts an instance in ap-south-1.",
        "arn:aws:iam::100000000000:user/org-admin",
        "ec2:RunInstances",
        "arn:aws:ec2:ap-south-1:100000000000:instance/i-0def5678",
        {"aws:RequestedRegion": "ap-south-1"},
        "The management account sits at the root, outside Workloads, and SCPs never limit its principals.",
    ),
    TourStep(
        "A service-linked role in Prod resizes a DynamoDB table, a service outside the allow-list.",
        "arn:aws:sts::200000000001:assumed-role/AWSServiceRoleForApplicationAutoScaling_DynamoDBTable/autoscaling",
        "dynamodb:UpdateTable",
        "arn:aws:dynamodb:us-east-1:200000000001:table/orders",
        {"aws:RequestedRegion": "us-east-1"},
        "SCPs never limit service-linked roles.",
    ),
)


def load_example(name: str = EXAMPLE) -> WorldFile:
    """Load one of the example worlds shipped with iamtwin."""
    text = resources.files("iamtwin").joinpath("examples", name).read_text(encoding="utf-8")
    return load_world_text(text, origin=name)


def _policy_names(world: WorldFile) -> dict[str, str]:
    org = world.world.organization
    if org is None:
        return {}
    return {policy.arn: name for name, policy in org.policies.items()}


def run_demo(console: Console) -> None:
    """Walk through a few requests against the example organization and explain each decision."""
    world = load_example()
    names = _policy_names(world)
    console.rule("[bold]iamtwin demo: guardrails across an organization[/]")
    console.print(
        f"World: [cyan]{EXAMPLE}[/] (management account 100000000000; OUs Workloads → Prod, SDLC; "
        "Sandbox; Security). Each step asks iamtwin whether AWS would allow a request.\n"
    )
    for number, step in enumerate(TOUR, start=1):
        data = world.simulation_input(step.principal, step.action, step.resource, step.context)
        result = decision_to_json(simulate(data))
        decision = str(result["decision"])
        console.print(f"[bold]{number}. {escape(step.question)}[/]")
        target = f" on {step.resource}" if step.resource else ""
        console.print(f"   [dim]{escape(step.principal)} → {escape(step.action)}{escape(target)}[/]")
        console.print(f"   Decision: [{_STYLE.get(decision, 'bold')}]{decision}[/]")
        blocked = [str(kind) for kind in _as_list(result.get("blocked_by"))]
        if blocked:
            policies = [names.get(str(pid), str(pid)) for pid in _as_list(result.get("blocking_policies"))]
            detail = f" ({', '.join(policies)})" if policies else ""
            console.print(f"   Blocked by: {escape(', '.join(blocked))}{escape(detail)}")
        if result.get("message"):
            console.print(f"   AWS would say: [italic]{escape(str(result['message']))}[/]")
        console.print(f"   Why: {escape(step.why)}\n")
    console.print(
        "Try your own: [cyan]iamtwin simulate --world <file> --principal ARN --action A --resource ARN "
        "--context key=value[/]"
    )


def _as_list(value: object) -> list[object]:
    return list(value) if isinstance(value, list | tuple) else []
