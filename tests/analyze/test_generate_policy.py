"""`iamtwin generate-policy`: exactly the allowed calls of a user or role in a window (generate_policy_cases.yaml).

Access Analyzer generates a policy from a user's or role's CloudTrail activity over a window:
https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-policy-generation.html (its request,
a user or role ARN and a start and end time: https://docs.aws.amazon.com/access-analyzer/latest/APIReference/API_StartPolicyGeneration.html).
A role's activity is its sessions' (`sessionContext.sessionIssuer`):
https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html.
An action without a resource type takes `*`:
https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from iamtwin.analyze.generate_policy import policy_document
from iamtwin.analyze.usage import Call
from iamtwin.cli.app import app
from iamtwin.world.stored import World

from .least_privilege_trail import store_world_and_trail

runner = CliRunner()
CASES = yaml.safe_load(Path(__file__).with_name("generate_policy_cases.yaml").read_text())["cases"]
DEMO_ROLE = "arn:aws:iam::111122223333:role/DemoRole1"


@pytest.fixture
def stored(world: World, db_url: str) -> str:
    """The database URL of the world with both trails stored."""
    store_world_and_trail(world)
    return db_url


def _args(case: dict[str, Any]) -> list[str]:
    args = ["--principal", case["principal"]]
    for option in ("since", "until"):
        if option in case:
            args += [f"--{option}", case[option]]
    return args


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_generate_policy_case(stored: str, case: dict[str, Any]) -> None:
    """Each case of generate_policy_cases.yaml: the statements, or the error code."""
    out = runner.invoke(app, ["generate-policy", "--db", stored, "--format", "json", *_args(case)])
    if "error" in case:
        assert out.exit_code == 2, out.output
        assert case["error"] in out.output
        return
    assert out.exit_code == 0, out.output
    report = json.loads(out.stdout)
    expected = [
        {"Sid": s["Sid"], "Effect": "Allow", "Action": s["Action"], "Resource": s["Resource"]}
        for s in case["statements"]
    ]
    assert report["policy"] == {"Version": "2012-10-17", "Statement": expected}
    assert (report["allowedCalls"], report["deniedCallsLeftOut"]) == (case["allowed_calls"], case["denied_calls"])
    assert report["unknownActions"] == case.get("unknown_actions", [])
    assert report["valid"] is True
    assert not [f for f in report["findings"] if f["findingType"] == "ERROR"]


def test_text_output_is_the_policy_and_passes_the_validator(stored: str, tmp_path: Path) -> None:
    """stdout is the policy alone (the summary is on stderr); written with -o, `iamtwin validate` finds no ERROR."""
    written = tmp_path / "policy.json"
    out = runner.invoke(app, ["generate-policy", "--db", stored, "--principal", DEMO_ROLE, "-o", str(written)])
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout) == json.loads(written.read_text())
    assert "3 statement(s) from 3 allowed call(s)" in out.stderr
    checked = runner.invoke(
        app, ["validate", str(written), "--policy-type", "identity", "--account-id", "111122223333", "--format", "json"]
    )
    assert checked.exit_code == 0, checked.output
    report = json.loads(checked.stdout)
    findings = report["BlockingFindings"] + report["NonBlockingFindings"]
    assert not [f for f in findings if f["findingType"] == "ERROR"]


def test_same_trail_same_text(stored: str) -> None:
    """The output is sorted: two runs give the same bytes."""
    first = runner.invoke(app, ["generate-policy", "--db", stored, "--principal", DEMO_ROLE])
    second = runner.invoke(app, ["generate-policy", "--db", stored, "--principal", DEMO_ROLE])
    assert first.exit_code == second.exit_code == 0
    assert first.stdout == second.stdout


def test_grouping_does_not_depend_on_call_order() -> None:
    """The same calls in any order give the same document (no database: the grouping alone)."""
    moment = datetime(2026, 11, 20, tzinfo=UTC)
    calls = [
        Call("1", moment, "s3:GetObject", ("arn:aws:s3:::b/x",), True, True),
        Call("2", moment, "s3:GetObjectTagging", ("arn:aws:s3:::b/x",), True, True),
        Call("3", moment, "s3:GetObject", ("arn:aws:s3:::b/y",), True, True),
        Call("4", moment, "s3:PutObject", ("arn:aws:s3:::b/z",), False, True),
    ]
    document = policy_document(calls)
    assert document == policy_document(list(reversed(calls)))
    assert [(s["Action"], s["Resource"]) for s in document["Statement"]] == [
        (["s3:GetObject"], ["arn:aws:s3:::b/y"]),
        (["s3:GetObject", "s3:GetObjectTagging"], ["arn:aws:s3:::b/x"]),
    ]
