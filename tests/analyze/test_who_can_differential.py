"""Who-can's conditions, read back on concrete requests, agree with the simulator on random worlds.

For each generated world (a user's identity policy, an optional permissions boundary, a bucket
policy, an optional SCP, each statement drawn with conditions on request keys and on the user's
tags) and each request context over `aws:SourceIp`, `aws:SecureTransport`,
`aws:MultiFactorAuthPresent` and `aws:RequestedRegion` (present with one of a few values, or
absent), the answer's formula — some path's conditions all hold, and no guard's do — must equal
the simulator's decision. This checks the open/settled split, the monotone reading of AWS's
evaluation logic on which the paths and guards rest, and the paths and guards z3 drops as unusable:
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
"""

from __future__ import annotations

import itertools
import random
from datetime import UTC, datetime
from typing import Any

import pytest

from iamtwin.analyze.access_model import Access, SymbolicCondition
from iamtwin.analyze.access_world import AccessWorld
from iamtwin.analyze.who_can import who_can
from iamtwin.evaluate.conditions.evaluation import compile_condition
from iamtwin.evaluate.context import RequestContext
from iamtwin.policy.parse import parse_policy
from iamtwin.simulate import Simulator
from iamtwin.world.worldfile import load_world

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
ACCOUNT = "111111111111"
USER = f"arn:aws:iam::{ACCOUNT}:user/u"
BUCKET = "arn:aws:s3:::data"
OBJECT = f"{BUCKET}/k"
CONDITIONS: list[dict[str, Any] | None] = [
    None,
    None,
    {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}},
    {"NotIpAddress": {"aws:SourceIp": "10.1.0.0/16"}},
    {"Bool": {"aws:SecureTransport": "true"}},
    {"Bool": {"aws:SecureTransport": "false"}},
    {"BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}},
    {"Null": {"aws:MultiFactorAuthPresent": "true"}},
    {"StringEquals": {"aws:PrincipalTag/team": "blue"}},
    {"StringEquals": {"aws:PrincipalTag/team": "red"}},
    {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}, "Bool": {"aws:SecureTransport": "true"}},
    {"StringEquals": {"aws:RequestedRegion": "eu-west-2"}},
    {"StringNotEquals": {"aws:RequestedRegion": ["us-east-1", "eu-west-2"]}},
    {"StringEquals": {"aws:RequestedRegion": "sa-east-1"}},
]
CONTEXT_VALUES = {
    "aws:SourceIp": ["10.1.2.3", "10.9.9.9", "192.0.2.1"],
    "aws:SecureTransport": ["true", "false", None],
    "aws:MultiFactorAuthPresent": ["true", "false", None],
    "aws:RequestedRegion": ["us-east-1", "eu-west-2", "sa-east-1", None],
}


def _statement(rng: random.Random, *, principal: bool) -> dict[str, Any]:
    statement: dict[str, Any] = {
        "Effect": "Deny" if rng.random() < 0.3 else "Allow",
        "Action": rng.choice(["s3:GetObject", "s3:*", "s3:Get*"]),
        "Resource": rng.choice(["*", f"{BUCKET}/*", OBJECT]),
    }
    if principal:
        statement["Principal"] = rng.choice([{"AWS": USER}, {"AWS": ACCOUNT}, "*"])
    condition = rng.choice(CONDITIONS)
    if condition is not None:
        statement["Condition"] = condition
    return statement


def _document(rng: random.Random, count: int, *, principal: bool = False) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": [_statement(rng, principal=principal) for _ in range(count)]}


def _world(seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    user: dict[str, Any] = {"name": "u", "tags": {"team": "blue"}}
    if rng.random() < 0.8:
        user["inline_policies"] = {"Own": _document(rng, rng.randint(1, 3))}
    policies = []
    if rng.random() < 0.4:
        policies.append({"name": "Boundary", "document": _document(rng, rng.randint(1, 2))})
        user["permissions_boundary"] = "Boundary"
    resource: dict[str, Any] = {"arn": BUCKET}
    if rng.random() < 0.7:
        resource["policy"] = _document(rng, rng.randint(1, 3), principal=True)
    world: dict[str, Any] = {
        "accounts": [{"id": ACCOUNT, "users": [user], "policies": policies, "resources": [resource]}]
    }
    if rng.random() < 0.5:
        # An SCP beside FullAWSAccess on the member account's OU: its Denies and conditions apply too.
        world["organization"] = {
            "management_account": "999999999999",
            "policies": {"Guard": {"type": "scp", "document": _document(rng, rng.randint(1, 2))}},
            "root": {"ous": [{"name": "Members", "scps": ["FullAWSAccess", "Guard"], "accounts": [ACCOUNT]}]},
        }
    return world


def _holds(condition: SymbolicCondition, context: RequestContext) -> bool:
    statement = {"Effect": "Allow", "Action": "*", "Resource": "*"}
    statement["Condition"] = {condition.operator: {condition.key: list(condition.values)}}  # type: ignore[assignment]
    model = parse_policy({"Version": "2012-10-17", "Statement": [statement]}).statements[0].conditions[0]
    return compile_condition(model, True).holds(context)


def _formula(access: Access | None, context: RequestContext) -> bool:
    if access is None:
        return False
    some_path = any(all(_holds(c, context) for c in path.conditions) for path in access.paths)
    return some_path and not any(all(_holds(c, context) for c in g.conditions) for g in access.unless)


def _contexts() -> list[dict[str, str]]:
    out = []
    for values in itertools.product(*CONTEXT_VALUES.values()):
        out.append({k: v for k, v in zip(CONTEXT_VALUES, values, strict=True) if v is not None})
    return out


@pytest.mark.parametrize("seed", range(60))
def test_formula_agrees_with_the_simulator(seed: int) -> None:
    """The user's answer, evaluated on every context, is the simulator's decision on it."""
    data = _world(seed)
    world_file = load_world(data)
    answer = who_can(AccessWorld(world_file.world, now=NOW), "s3:GetObject", OBJECT)
    access = next((a for a in answer.accesses if a.principal.arn == USER), None)
    for given in _contexts():
        inputs = world_file.simulation_input(USER, "s3:GetObject", OBJECT, given)
        expected = Simulator(inputs, now=NOW).decide(inputs["request"]).allowed
        assert _formula(access, RequestContext.from_mapping(given)) == expected, (seed, given, access)
