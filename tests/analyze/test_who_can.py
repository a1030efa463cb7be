"""Who-can over the case table `who_can_cases.yaml`: who is listed, with which verdict, conditions and notes.

Each case names the AWS page its behaviour follows, among them:
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html
https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html
https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from iamtwin.analyze.access_model import Access, AccessQueryError, Verdict
from iamtwin.analyze.access_world import AccessWorld
from iamtwin.analyze.conditions_text import access_text, note_text, principal_text
from iamtwin.analyze.who_can import who_can
from iamtwin.world.worldfile import load_world

HERE = Path(__file__).parent
EXAMPLES = HERE.parents[1] / "src" / "iamtwin" / "examples"
TABLE = yaml.safe_load((HERE / "who_can_cases.yaml").read_text(encoding="utf-8"))
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


@cache
def access_world(name: str) -> AccessWorld:
    """The world a case names, built once per test session."""
    if name.startswith("file:"):
        model = load_world(EXAMPLES / name.removeprefix("file:")).world
    else:
        model = load_world(TABLE["worlds"][name]).world
    return AccessWorld(model, now=NOW)


def _conditions(conditions: Any) -> list[dict[str, Any]]:
    return [{"operator": c.operator, "key": c.key, "values": list(c.values)} for c in conditions]


def _check(found: Access, want: dict[str, Any]) -> None:
    assert found.principal.kind.value == want["kind"]
    assert found.verdict.value == want["verdict"]
    if "paths" in want:
        assert [_conditions(p.conditions) for p in found.paths] == want["paths"]
    if "unless" in want:
        assert [_conditions(g.conditions) for g in found.unless] == want["unless"]
    if "notes" in want:
        assert [n.code.value for n in found.notes] == want["notes"]
    if "text" in want:
        assert access_text(found) == want["text"]


@pytest.mark.parametrize("case", TABLE["cases"], ids=[c["name"] for c in TABLE["cases"]])
def test_who_can_case(case: dict[str, Any]) -> None:
    """The case's principals are listed as expected and its absent ones are not (see the case's `doc`)."""
    answer = who_can(access_world(case["world"]), case["action"], case["resource"])
    listed = {a.principal.arn: a for a in answer.accesses}
    for want in case.get("allowed", []):
        assert want["arn"] in listed, f"{want['arn']} not listed; listed: {sorted(listed)}"
        _check(listed[want["arn"]], want)
    for arn in case.get("absent", []):
        assert arn not in listed
    assert all(a.verdict is not Verdict.DENIED for a in answer.accesses)
    # Every answer renders (text is derived from the data, never stored in it).
    for access in answer.accesses:
        assert principal_text(access.principal)
        assert all(note_text(n, access.action) for n in access.notes)


def test_index_narrows_and_agrees_with_deciding_everyone() -> None:
    """The index decides fewer principals than the world holds and lists exactly the same answer.

    Only identity-based Allows add access that the resource policy does not name the principal for;
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
    """
    world = access_world("estate")
    for action, resource in [
        ("s3:GetObject", "arn:aws:s3:::reports/q1.csv"),
        ("s3:ListBucket", "arn:aws:s3:::reports"),
        ("ec2:DescribeInstances", "*"),
    ]:
        fast = who_can(world, action, resource)
        slow = who_can(world, action, resource, use_index=False)
        assert fast.accesses == slow.accesses
        assert fast.considered <= slow.considered
    assert who_can(world, "ec2:DescribeInstances", "*").considered < world.index.figures.principals


def test_scenario01_condition_note_names_the_statement() -> None:
    """Scenario 01: the note says which statement's condition restricts nothing, and on which key.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
    """
    answer = who_can(
        access_world("file:scenario01-orchestrator.yaml"),
        "lambda:InvokeFunction",
        "arn:aws:lambda:us-east-1:111111111111:function:untagged",
    )
    orchestrator = next(a for a in answer.accesses if a.principal.arn.endswith(":role/Orchestrator"))
    note = orchestrator.notes[0]
    assert note.keys == ("aws:TagKeys",)
    assert note.operator == "ForAllValues:StringEqualsIfExists"
    assert note.statement is not None and note.statement.sid == "InvokeTaggedFunctions"
    assert [r.sid for r in orchestrator.matched] == ["InvokeTaggedFunctions"]


@pytest.mark.parametrize(
    ("action", "resource", "code"),
    [
        ("lambda:InvokeFunctio", "arn:aws:lambda:us-east-1:111111111111:function:x", "UNKNOWN_ACTION"),
        ("lambda:Invoke*", "arn:aws:lambda:us-east-1:111111111111:function:x", "INVALID_ACTION"),
        ("lambda:InvokeFunction", "function-x", "INVALID_RESOURCE"),
    ],
)
def test_bad_questions_have_codes(action: str, resource: str, code: str) -> None:
    """A malformed or unknown action, or a resource that is not an ARN, is a coded error."""
    with pytest.raises(AccessQueryError) as caught:
        who_can(access_world("estate"), action, resource)
    assert caught.value.code == code


def _simulated(world_name: str, principal: str, action: str, resource: str, context: dict[str, Any]) -> bool:
    """The simulator's decision for one concrete request of the case world."""
    from iamtwin.simulate import Simulator

    data = load_world(TABLE["worlds"][world_name]).simulation_input(principal, action, resource, context)
    return Simulator(data, now=NOW).decide(data["request"]).allowed


ESTATE_QUESTIONS = [
    ("s3:GetObject", "arn:aws:s3:::reports/q1.csv"),
    ("s3:GetObject", "arn:aws:s3:::reports/secret/keys.txt"),
    ("s3:GetObject", "arn:aws:s3:::public-site/index.html"),
    ("s3:ListBucket", "arn:aws:s3:::reports"),
]


@pytest.mark.parametrize(("action", "resource"), ESTATE_QUESTIONS)
def test_unconditional_answers_agree_with_the_simulator(action: str, resource: str) -> None:
    """Every user and role of the estate: listed as allowed iff the simulator allows a request with no keys.

    Conditional answers are checked below with requests on each side of their conditions.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
    """
    world = access_world("estate")
    listed = {a.principal.arn: a for a in who_can(world, action, resource).accesses}
    for principal in world.index.principals:
        found = listed.get(principal.arn)
        if found is not None and found.verdict is Verdict.CONDITIONAL:
            continue
        allowed = _simulated("estate", principal.arn, action, resource, {})
        assert allowed == (found is not None), principal.arn


@pytest.mark.parametrize(
    ("principal", "holds", "fails"),
    [
        ("arn:aws:iam::111111111111:user/dave", {"aws:SourceIp": "203.0.113.9"}, {"aws:SourceIp": "198.51.100.1"}),
        (
            "arn:aws:iam::111111111111:user/erin",
            {"aws:MultiFactorAuthPresent": "true"},
            {"aws:MultiFactorAuthPresent": "false"},
        ),
        (
            "arn:aws:iam::666666666666:user/judy",
            {"aws:RequestedRegion": "eu-west-2"},
            {"aws:RequestedRegion": "sa-east-1"},
        ),
    ],
)
def test_conditional_answers_agree_with_the_simulator(
    principal: str, holds: dict[str, Any], fails: dict[str, Any]
) -> None:
    """A request meeting the rendered conditions is allowed by the simulator; one that does not is denied.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
    """
    action, resource = "s3:GetObject", "arn:aws:s3:::reports/q1.csv"
    listed = {a.principal.arn: a for a in who_can(access_world("estate"), action, resource).accesses}
    assert listed[principal].verdict is Verdict.CONDITIONAL
    assert _simulated("estate", principal, action, resource, holds)
    assert not _simulated("estate", principal, action, resource, fails)
