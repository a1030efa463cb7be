"""`iamtwin unused-access`: unused roles and unused permissions from the trail (unused_cases.yaml).

Access Analyzer's unused access findings (unused roles; for active users and roles, unused services and
actions): https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-findings.html; the window
(unusedAccessAge, 1 to 365 days): https://docs.aws.amazon.com/access-analyzer/latest/APIReference/API_UnusedAccessConfiguration.html;
entities are analyzed when they existed for the whole window:
https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-create-unused.html; last accessed data counts
every authenticated attempt and reads permissions policies alone:
https://docs.aws.amazon.com/IAM/latest/APIReference/API_GenerateServiceLastAccessedDetails.html.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from iamtwin.analyze.unused import granted_actions
from iamtwin.cli.app import app
from iamtwin.world.stored import World

from .least_privilege_trail import store_world_and_trail

runner = CliRunner()
CASES = yaml.safe_load(Path(__file__).with_name("unused_cases.yaml").read_text())["cases"]


@pytest.fixture
def stored(world: World, db_url: str) -> str:
    """The database URL of the world with both trails stored."""
    store_world_and_trail(world)
    return db_url


def _check_service(found: dict[str, Any], expected: dict[str, Any]) -> None:
    for key in ("serviceNamespace", "usedInWindow", "lastAccessed", "grantedActions"):
        if key in expected:
            assert found[key] == expected[key], (found["serviceNamespace"], key)
    if "unused" in expected:
        assert found["unusedActions"] == expected["unused"]
    for action in expected.get("includes", []):
        assert action in found["unusedActions"]
    names = {a["action"] for a in found["unusedActions"]}
    assert not names & set(expected.get("excludes", []))


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_unused_access_case(stored: str, case: dict[str, Any]) -> None:
    """Each case of unused_cases.yaml: unused roles, entities not analyzed, and each principal's unused permissions."""
    args = ["unused-access", "--db", stored, "--format", "json", "--days", str(case["days"])]
    if "account" in case:
        args += ["--account", case["account"]]
    out = runner.invoke(app, args)
    if "error" in case:
        assert out.exit_code == 2, out.output
        assert case["error"] in out.output
        return
    assert out.exit_code == 0, out.output
    report = json.loads(out.stdout)
    assert report["unusedAccessAge"] == case["days"]
    assert report["unusedRoles"] == case["unused_roles"]
    assert report["notAnalyzed"] == case["not_analyzed"]
    principals = [p["principal"] for p in report["unusedPermissions"]]
    if "principals_with_findings" in case:
        assert principals == case["principals_with_findings"]
    if "permissions" in case:
        assert principals == [p["principal"] for p in case["permissions"]]
        for found, expected in zip(report["unusedPermissions"], case["permissions"], strict=True):
            assert found["lastAccessed"] == expected["lastAccessed"]
            assert [s["serviceNamespace"] for s in found["services"]] == [
                s["serviceNamespace"] for s in expected["services"]
            ]
            for service, wanted in zip(found["services"], expected["services"], strict=True):
                _check_service(service, wanted)


def test_text_report(stored: str) -> None:
    """The text report names the unused roles, the unused services and actions, and what was not analyzed."""
    out = runner.invoke(app, ["unused-access", "--db", stored, "--days", "10"])
    assert out.exit_code == 0, out.output
    for text in ("role/Auditor", "role/Legacy", "cloudtrail:DeleteTrail", "the whole service", "created-in-window"):
        assert text in out.stdout


def test_not_action_grants_every_other_action() -> None:
    """An Allow with NotAction grants every catalogued action it does not name; a conditional Deny takes none away."""
    granted = granted_actions(
        [
            (
                "everything-but-iam",
                {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}]},
            ),
            (
                "deny-if",
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Deny",
                            "Action": "s3:*",
                            "Resource": "*",
                            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                        }
                    ],
                },
            ),
        ]
    )
    assert "iam" not in granted
    assert "s3:GetObject" in granted["s3"] and "ec2:RunInstances" in granted["ec2"]
