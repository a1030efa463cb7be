"""Table-driven tests of every check: each YAML file under cases/ lists policies and their exact findings.

A case gives the policy (an object, or `policy_text` when positions or JSON syntax matter), its
`policy_type`, the AWS page the rule follows (`doc`), and `expect`: every finding the validator
must report as `{code, path}` (plus `line`/`column` when given) — no more, no fewer. A case
with `near_miss_of: CODE` (or a list) is a policy close to triggering CODE that must not. Policies
are deployed in account 111122223333 unless `account_id` says otherwise; `allow_external` lists
`--allow-external-principals` entries; `zone` and `org_id` set the zone of trust;
`resource_service` names the service whose resource holds a resource policy.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from iamtwin.policy.source import read_json
from iamtwin.validate import PolicySource, PolicyType, ValidateOptions, all_codes, check_policy

CASES = Path(__file__).parent / "cases"
# The account the cases' policies are deployed in; principals of other accounts are external.
ACCOUNT = "111122223333"
# Codes about inputs rather than policies, tested in test_inputs.py.
INPUT_CODES = {
    "JSON_SYNTAX_ERROR",
    "FILE_NOT_READABLE",
    "TEMPLATE_SYNTAX_ERROR",
    "UNRECOGNIZED_INPUT",
    "INVALID_POLICY_VALUE",
    "WORLD_NOT_READABLE",
}


def _load() -> list[tuple[str, dict[str, Any]]]:
    found: list[tuple[str, dict[str, Any]]] = []
    for path in sorted(CASES.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for case in data["cases"]:
            found.append((f"{path.stem}::{case['name']}", case))
    return found


ALL = _load()


def _source(case: dict[str, Any]) -> PolicySource:
    text = case.get("policy_text")
    if text is None:
        text = json.dumps(case["policy"], indent=2)
    parsed = read_json(text)
    duplicates = tuple(p.location.path for p in parsed.duplicates)
    return PolicySource(
        "policy.json",
        parsed.value,
        PolicyType(case.get("policy_type", "identity")),
        parsed.positions,
        text=text,
        duplicate_keys=duplicates,
        size_quota=case.get("size_quota"),
        resource_service=case.get("resource_service", ""),
    )


def _near(case: dict[str, Any]) -> list[str]:
    """The codes a case is a near miss of (`near_miss_of` is one code or a list)."""
    value = case.get("near_miss_of", [])
    return [value] if isinstance(value, str) else list(value)


@pytest.mark.parametrize(("name", "case"), ALL, ids=[name for name, _ in ALL])
def test_case(name: str, case: dict[str, Any]) -> None:
    """The policy yields exactly the expected findings (code and JSON path, and position when given)."""
    assert case.get("doc", "").startswith("https://"), f"{name} names no AWS page"
    options = ValidateOptions(
        account_id=str(case.get("account_id", ACCOUNT)),
        allowed_external_principals=frozenset(case.get("allow_external", [])),
        zone=str(case.get("zone", "account")),
        org_id=str(case.get("org_id", "")),
    )
    findings = check_policy(_source(case), options)
    got = sorted((f.code, f.location.path) for f in findings)
    want = sorted((e["code"], e.get("path", "")) for e in case.get("expect", []))
    assert got == want, [f"{f.code} {f.location.path}: {f.message}" for f in findings]
    for expected in case.get("expect", []):
        if "line" in expected:
            match = [f for f in findings if f.code == expected["code"] and f.location.path == expected.get("path", "")]
            assert (match[0].location.line, match[0].location.column) == (expected["line"], expected["column"])


def test_every_code_has_a_trigger_and_a_near_miss() -> None:
    """Each issue code is triggered by some case and has a near-miss case that does not trigger it."""
    triggered = {e["code"] for _, case in ALL for e in case.get("expect", [])}
    near = {code for _, case in ALL for code in _near(case)}
    for _, case in ALL:
        assert not set(_near(case)) & {e["code"] for e in case.get("expect", [])}
    codes = {c.code for c in all_codes()} - INPUT_CODES
    assert sorted(codes - triggered) == []
    assert sorted(codes - near) == []
