"""External access findings over a world, table-driven from external_access_cases.yaml.

Each case cites the AWS page its behaviour follows; Access Analyzer's findings:
https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-findings.html, the Finding shape:
https://docs.aws.amazon.com/access-analyzer/latest/APIReference/API_Finding.html.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from iamtwin.analyze.external_access import (
    AnalyzerError,
    ExternalAccessFinding,
    Zone,
    analyze_external_access,
)
from iamtwin.world.model import World
from iamtwin.world.worldfile import load_world

CASES = Path(__file__).with_name("external_access_cases.yaml")
OWNER = "111111111111"


def world_with(roles: list[Any], resources: list[Any]) -> World:
    """Account 111111111111 holding the roles and resources, in organization o-exampleorg1 with 222222222222."""
    data = {
        "organization": {
            "id": "o-exampleorg1",
            "management_account": OWNER,
            "root": {"id": "r-ex01", "accounts": [OWNER, "222222222222"]},
        },
        "accounts": [
            {"id": OWNER, "roles": roles, "resources": resources},
            {"id": "222222222222"},
            {"id": "333333333333"},
        ],
    }
    return load_world(_versioned(data)).world


def _versioned(value: Any) -> Any:
    """Give every policy document the 2012-10-17 version, so the cases need not repeat it."""
    if isinstance(value, dict):
        out = {k: _versioned(v) for k, v in value.items()}
        if "Statement" in out and "Version" not in out:
            out = {"Version": "2012-10-17", **out}
        return out
    if isinstance(value, list):
        return [_versioned(v) for v in value]
    return value


def _cases() -> list[Any]:
    cases = yaml.safe_load(CASES.read_text(encoding="utf-8"))
    return [pytest.param(case, id=case["name"]) for case in cases]


def _shape(finding: ExternalAccessFinding, expected: dict[str, Any]) -> dict[str, Any]:
    """The finding's fields the expectation names, in the expectation's terms."""
    out: dict[str, Any] = {
        "resource": finding.resource,
        "principal": finding.principal_map(),
        "condition": finding.condition_map(),
        "is_public": finding.is_public,
        "access_levels": [level.value for level in finding.access_levels],
    }
    if "resource_type" in expected:
        out["resource_type"] = finding.resource_type
    if "actions" in expected:
        out["actions"] = list(finding.actions)
    if "actions_include" in expected:
        out["actions_include"] = [a for a in expected["actions_include"] if a in finding.actions]
    if "actions_exclude" in expected:
        out["actions_exclude"] = [a for a in expected["actions_exclude"] if a not in finding.actions]
    if "statements" in expected:
        out["statements"] = [s.sid for s in finding.statements]
    return out


@pytest.mark.parametrize("case", _cases())
def test_external_access_case(case: dict[str, Any]) -> None:
    """The case's world gives exactly the expected findings in its zone."""
    world = world_with(case.get("roles", []), case.get("resources", []))
    report = analyze_external_access(world, Zone(case["zone"].upper()))
    assert report.problems == ()
    expected = case["findings"]
    assert [_shape(f, e) for f, e in zip(report.findings, expected, strict=False)] == expected
    assert len(report.findings) == len(expected)
    for finding in report.findings:
        assert finding.resource_owner_account == OWNER
        assert finding.zone.value == case["zone"].upper()


def test_the_organization_zone_needs_an_organization() -> None:
    """An organization analyzer can only be created in an organization:
    https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-create-external.html
    """
    world = load_world({"accounts": [{"id": OWNER}]}).world
    with pytest.raises(AnalyzerError) as raised:
        analyze_external_access(world, Zone.ORGANIZATION)
    assert raised.value.code == "NO_ORGANIZATION"


def test_resources_outside_the_organization_are_not_analyzed_at_organization_zone() -> None:
    """An organization analyzer covers the resources of its member accounts only:
    https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-findings.html
    """
    public = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "sqs:*"}]}
    data = {
        "organization": {"id": "o-exampleorg1", "management_account": OWNER, "root": {"accounts": [OWNER]}},
        "accounts": [
            {"id": OWNER},
            {"id": "333333333333", "resources": [{"arn": "arn:aws:sqs:us-east-1:333333333333:q", "policy": public}]},
        ],
    }
    world = load_world(data).world
    assert analyze_external_access(world, Zone.ORGANIZATION).findings == ()
    assert [f.resource_owner_account for f in analyze_external_access(world, Zone.ACCOUNT).findings] == [
        "333333333333"
    ]
