"""`iamtwin simulate` and `iamtwin demo` as a user runs them: real files, real exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from iamtwin.cli.app import app

runner = CliRunner()

ACCOUNT = "111122223333"
ALICE = f"arn:aws:iam::{ACCOUNT}:user/alice"
POLICIES = {
    "identity_policies": [
        {
            "id": f"arn:aws:iam::{ACCOUNT}:policy/ReadReports",
            "document": {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::reports/*"}],
            },
        }
    ],
    "scps": [
        [
            {
                "id": "arn:aws:organizations::100000000000:policy/o-abc/service_control_policy/p-123",
                "document": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {"Effect": "Allow", "Action": "*", "Resource": "*"},
                        {"Effect": "Deny", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::reports/secret/*"},
                    ],
                },
            }
        ]
    ],
}


def _write(tmp_path: Path, name: str, data: object) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _request(resource: str) -> dict[str, object]:
    return {"principal": ALICE, "action": "s3:GetObject", "resource": resource}


def test_json_output_names_the_scp_that_denies(tmp_path: Path) -> None:
    """An explicit deny in an SCP is reported with the SCP's ARN, in AWS's wording.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html
    """
    path = _write(tmp_path, "in.json", {**POLICIES, "request": _request("arn:aws:s3:::reports/secret/a")})
    result = runner.invoke(app, ["simulate", "--input", str(path), "--format", "json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["decision"] == "ExplicitDeny"
    assert out["blocked_by"] == ["scp"]
    assert out["message"] == (
        f"User: {ALICE} is not authorized to perform: s3:GetObject on resource: arn:aws:s3:::reports/secret/a"
        " with an explicit deny in a service control policy:"
        " arn:aws:organizations::100000000000:policy/o-abc/service_control_policy/p-123"
    )


def test_text_output_explains_the_decision(tmp_path: Path) -> None:
    """The text form states the outcome, the message and the policy types."""
    path = _write(tmp_path, "in.json", {**POLICIES, "request": _request("arn:aws:s3:::other/x")})
    result = runner.invoke(app, ["simulate", "--input", str(path)])
    assert result.exit_code == 0, result.output
    assert "ImplicitDeny" in result.stdout
    assert "because no identity-based policy allows the s3:GetObject action" in " ".join(result.stdout.split())


def test_requests_stream_answers_one_line_per_request(tmp_path: Path) -> None:
    """`--requests FILE.jsonl --format jsonl` decides each line against policies compiled once."""
    policies = _write(tmp_path, "policies.json", POLICIES)
    lines = [_request("arn:aws:s3:::reports/q1.csv"), _request("arn:aws:s3:::reports/secret/k"), _request("*")]
    requests = tmp_path / "requests.jsonl"
    requests.write_text("\n".join(json.dumps(r) for r in lines) + "\n", encoding="utf-8")
    result = runner.invoke(
        app, ["simulate", "--input", str(policies), "--requests", str(requests), "--format", "jsonl"]
    )
    assert result.exit_code == 0, result.output
    decisions = [json.loads(line)["decision"] for line in result.stdout.splitlines()]
    assert decisions == ["Allowed", "ExplicitDeny", "ImplicitDeny"]


def test_fail_on_deny_sets_exit_code(tmp_path: Path) -> None:
    """CI can fail a job on a denied request."""
    path = _write(tmp_path, "in.json", {**POLICIES, "request": _request("arn:aws:s3:::other/x")})
    result = runner.invoke(app, ["simulate", "--input", str(path), "--fail-on-deny", "--format", "json"])
    assert result.exit_code == 1


@pytest.mark.parametrize(
    ("data", "code"),
    [
        ({"request": {"principal": "bob", "action": "s3:GetObject"}}, "INVALID_PRINCIPAL"),
        ({"request": {"principal": ALICE, "action": "GetObject"}}, "INVALID_ACTION"),
        ({"request": {"principal": ALICE, "action": "s3:GetObject"}, "identity_policy": []}, "UNKNOWN_INPUT_KEY"),
        (
            {
                "request": {"principal": ALICE, "action": "s3:GetObject"},
                "identity_policies": [{"id": "p", "document": {"Statement": [{"Effect": "Allow"}]}}],
            },
            "MISSING_ACTION",
        ),
    ],
)
def test_bad_input_is_a_clear_error_not_a_traceback(tmp_path: Path, data: object, code: str) -> None:
    """Bad input exits 2 with a stable code and where it is, never a traceback."""
    path = _write(tmp_path, "in.json", data)
    result = runner.invoke(app, ["simulate", "--input", str(path)])
    assert result.exit_code == 2
    assert code in result.stderr
    assert "Traceback" not in result.output


def test_policy_text_errors_carry_line_and_column(tmp_path: Path) -> None:
    """A policy given as JSON text is located by line and column."""
    data = {
        "request": {"principal": ALICE, "action": "s3:GetObject"},
        "identity_policies": [{"id": "p", "document": '{"Statement": [\n  {"Effect": "Alow", "Action": "*"}]}'}],
    }
    path = _write(tmp_path, "in.json", data)
    result = runner.invoke(app, ["simulate", "--input", str(path)])
    assert result.exit_code == 2
    assert "INVALID_EFFECT" in result.stderr
    assert "line 2" in result.stderr


def test_invalid_json_file_is_located(tmp_path: Path) -> None:
    """A file that is not JSON is reported with its line and column."""
    path = tmp_path / "in.json"
    path.write_text('{"request": \n  {"principal": }', encoding="utf-8")
    result = runner.invoke(app, ["simulate", "--input", str(path)])
    assert result.exit_code == 2
    assert "JSON_SYNTAX_ERROR" in result.stderr
    assert "line 2" in result.stderr


def test_world_file_question(tmp_path: Path) -> None:
    """`--world` builds the input from a world file and answers a question about it (scenario 07)."""
    from importlib.resources import files

    world = files("iamtwin") / "examples" / "scenario07-org-guardrails.yaml"
    result = runner.invoke(
        app,
        [
            "simulate",
            "--world",
            str(world),
            "--principal",
            "arn:aws:iam::200000000003:role/sandbox-dev",
            "--action",
            "storagegateway:ListGateways",
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["decision"] == "ExplicitDeny"
    assert out["blocked_by"] == ["scp"]


def test_demo_runs() -> None:
    """The README's first command works and shows decisions with AWS's messages."""
    result = runner.invoke(app, ["demo"])
    assert result.exit_code == 0, result.output
    assert "ExplicitDeny" in result.stdout
    assert "is not authorized to perform" in " ".join(result.stdout.split())


def test_version() -> None:
    """`iamtwin version` prints the version."""
    result = runner.invoke(app, ["version"])
    assert result.exit_code == 0
    assert result.stdout.startswith("iamtwin ")
