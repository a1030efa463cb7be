"""Table-driven tests of the custom checks: each YAML file under cases/ lists policies and the exact verdict.

A case names its `check` by file (no_new_access, access_not_granted, no_public_access, or a
`check:` key), the AWS page the rule follows (`doc`), the policies, and `expect`: PASS or FAIL,
with `statements`, the indices of the statements the reasons must name (exactly those). Every
witness of a FAIL is checked too: the action the reason names must be one the statement's
Action/NotAction covers, and for identity policies the engine (`iamtwin.simulate`) must decide
the witness request as the check claims: allowed by the new policy (or the checked one), denied
by the existing one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

import iamtwin
from iamtwin.policy.parse import parse_policy
from iamtwin.policy.patterns import compile_glob
from iamtwin.validate import PolicyType
from iamtwin.validate.symbolic import (
    CheckResult,
    Verdict,
    check_access_not_granted,
    check_no_new_access,
    check_no_public_access,
)
from iamtwin.validate.symbolic.actions import UNLISTED_ACTION

CASES = Path(__file__).parent / "cases"


def _load() -> list[tuple[str, dict[str, Any]]]:
    found: list[tuple[str, dict[str, Any]]] = []
    for path in sorted(CASES.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for case in data["cases"]:
            case.setdefault("check", path.stem)
            found.append((f"{path.stem}::{case['name']}", case))
    return found


ALL = _load()


def _run(case: dict[str, Any]) -> tuple[CheckResult, dict[str, Any]]:
    kind = PolicyType(case.get("policy_type", "identity"))
    check = case["check"]
    if check == "no_public_access":
        return check_no_public_access(parse_policy(case["policy"]), case["resource_type"]), case["policy"]
    if check == "access_not_granted":
        policy = case["policy"]
        return check_access_not_granted(
            parse_policy(policy), case.get("actions", []), case.get("resources", []), kind
        ), policy
    new = case["new"]
    return check_no_new_access(parse_policy(case["existing"]), parse_policy(new), kind), new


@pytest.mark.parametrize("case", [c for _, c in ALL], ids=[i for i, _ in ALL])
def test_case(case: dict[str, Any]) -> None:
    """The verdict and the statements named as reasons are exactly the case's."""
    assert case.get("doc", "").startswith("https://docs.aws.amazon.com/"), "every case cites the AWS page it follows"
    result, policy = _run(case)
    assert result.verdict is Verdict(case["expect"]), result.to_dict()
    named = sorted(r.statement_index for r in result.reasons)
    assert named == sorted(case.get("statements", [])), result.to_dict()
    statements = policy["Statement"] if isinstance(policy["Statement"], list) else [policy["Statement"]]
    for reason in result.reasons:
        assert reason.witness is not None and not reason.undecided
        _assert_action_covered(statements[reason.statement_index], reason.witness.action)


def _assert_action_covered(statement: dict[str, Any], action: str) -> None:
    """The witness's action is one the statement's Action (or NotAction) element covers."""
    if UNLISTED_ACTION in action:
        return  # a representative of actions no pattern names literally
    element = statement.get("Action", statement.get("NotAction"))
    patterns = [element] if isinstance(element, str) else element
    hit = any(compile_glob(p.lower()).fullmatch(action.lower()) for p in patterns)
    assert hit == ("Action" in statement), (action, statement)


def test_cases_cover_both_outcomes_of_every_check() -> None:
    """Each check has passing and failing cases."""
    seen = {(c["check"], c["expect"]) for _, c in ALL}
    for check in ("no_new_access", "access_not_granted", "no_public_access"):
        assert {(check, "PASS"), (check, "FAIL")} <= seen


IDENTITY_FAILS = [(i, c) for i, c in ALL if c["expect"] == "FAIL" and c.get("policy_type", "identity") == "identity"]


@pytest.mark.parametrize("case", [c for _, c in IDENTITY_FAILS], ids=[i for i, _ in IDENTITY_FAILS])
def test_witness_is_decided_alike_by_the_engine(case: dict[str, Any]) -> None:
    """The witness of each reason is a request the engine allows (new policy) and denies (existing policy)."""
    result, policy = _run(case)
    expectations = [(policy, True)] + ([(case["existing"], False)] if "existing" in case else [])
    for reason in result.reasons:
        witness = reason.witness
        assert witness is not None
        if UNLISTED_ACTION in witness.action:
            continue  # a representative, not an action the engine knows
        context = {k: v if len(v) > 1 else v[0] for k, v in witness.context.items()}
        request = {
            "principal": "arn:aws:iam::111122223333:user/alice",
            "action": witness.action,
            "resource": witness.resource or "*",
            "context": context,
        }
        for document, allowed in expectations:
            data = {"request": request, "identity_policies": [{"id": "checked", "document": document}]}
            assert iamtwin.simulate(data).allowed is allowed, (witness, document)
