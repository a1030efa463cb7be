"""Inputs recognised by content: policy files, CloudFormation templates (intrinsics resolved) and Terraform plans.

CloudFormation: https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference.html
and https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/pseudo-parameter-reference.html;
Terraform plans: https://developer.hashicorp.com/terraform/internals/json-format.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from iamtwin.cli.app import app
from iamtwin.validate import PolicyType, ValidateOptions, validate
from iamtwin.validate.inputs.detect import infer_policy_type, load_paths
from iamtwin.validate.source import PolicySource

OPTIONS = ValidateOptions(region="eu-west-2", account_id="123456789012")


def _write(tmp_path: Path, name: str, data: object) -> str:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data, indent=2), encoding="utf-8")
    return str(path)


def _policy(statement: dict[str, object]) -> dict[str, object]:
    return {"Version": "2012-10-17", "Statement": [statement]}


def _template(resources: dict[str, object], **extra: object) -> dict[str, object]:
    return {"AWSTemplateFormatVersion": "2010-09-09", **extra, "Resources": resources}


def _managed(resource: object, action: object = "s3:GetObject") -> dict[str, object]:
    statement = {"Effect": "Allow", "Action": action, "Resource": resource}
    return {"Type": "AWS::IAM::ManagedPolicy", "Properties": {"PolicyDocument": _policy(statement)}}


def _sources(path: str, options: ValidateOptions = OPTIONS) -> list[PolicySource]:
    found = list(load_paths([path], options, None))
    assert all(isinstance(item, PolicySource) for item in found), found
    return [item for item in found if isinstance(item, PolicySource)]


def test_intrinsics_resolve_to_arns(tmp_path: Path) -> None:
    """Join, Select, Split, FindInMap, If, Sub, Ref to parameters and pseudo parameters, GetAtt Arn."""
    resource = [
        {
            "Fn::Join": [
                ":",
                ["arn", {"Ref": "AWS::Partition"}, "sqs", {"Ref": "AWS::Region"}, {"Ref": "AWS::AccountId"}, "q"],
            ]
        },
        {"Fn::Select": [1, {"Fn::Split": [",", "a,arn:aws:s3:::picked/*"]}]},
        {"Fn::FindInMap": ["Buckets", {"Ref": "Env"}, "Arn"]},
        {"Fn::If": ["IsProd", "arn:aws:s3:::prod/*", {"Ref": "AWS::NoValue"}]},
        {"Fn::Sub": ["arn:aws:s3:::${B}/*", {"B": {"Ref": "Env"}}]},
        {"Fn::GetAtt": ["Table", "Arn"]},
    ]
    template = _template(
        {
            "Table": {"Type": "AWS::DynamoDB::Table", "Properties": {"TableName": "orders"}},
            "Policy": _managed(resource, ["sqs:SendMessage", "s3:GetObject", "dynamodb:GetItem"]),
        },
        Parameters={"Env": {"Type": "String", "Default": "dev"}},
        Mappings={"Buckets": {"dev": {"Arn": "arn:aws:s3:::dev-bucket/*"}}},
    )
    (source,) = _sources(_write(tmp_path, "t.json", template))
    assert source.value["Statement"][0]["Resource"] == [  # type: ignore[index,call-overload]
        "arn:aws:sqs:eu-west-2:123456789012:q",
        "arn:aws:s3:::picked/*",
        "arn:aws:s3:::dev-bucket/*",
        "arn:aws:s3:::prod/*",
        "arn:aws:s3:::dev/*",
        "arn:aws:dynamodb:eu-west-2:123456789012:table/orders",
    ]
    assert validate([str(tmp_path / "t.json")], OPTIONS).findings == ()


def test_parameters_override_defaults_and_reach_checks(tmp_path: Path) -> None:
    """A parameter without a default is a placeholder (no finding); `--parameters` gives it a value that is checked."""
    template = _template(
        {"Policy": _managed({"Fn::Sub": "arn:aws:s3::${Owner}:b/*"})}, Parameters={"Owner": {"Type": "String"}}
    )
    path = _write(tmp_path, "t.json", template)
    assert validate([path], OPTIONS).findings == ()
    options = ValidateOptions(account_id="123456789012", parameters=(("Owner", "123456789012"),))
    codes = [(f.code, f.resource, f.location.path) for f in validate([path], options).findings]
    assert codes == [("ARN_ACCOUNT_NOT_ALLOWED", "Policy", "Statement[0].Resource")]


def test_policy_given_as_a_json_string(tmp_path: Path) -> None:
    """IAM properties accept the document as a JSON string; a broken one is a JSON_SYNTAX_ERROR at the property."""
    good = json.dumps(_policy({"Effect": "Allow", "Action": "s3:GetObjekt", "Resource": "*"}))
    template = _template(
        {
            "Good": {"Type": "AWS::IAM::ManagedPolicy", "Properties": {"PolicyDocument": good}},
            "Bad": {"Type": "AWS::IAM::ManagedPolicy", "Properties": {"PolicyDocument": '{"Version": '}},
            "Odd": {"Type": "AWS::IAM::ManagedPolicy", "Properties": {"PolicyDocument": 42}},
        }
    )
    report = validate([_write(tmp_path, "t.json", template)], OPTIONS)
    found = sorted((f.code, f.resource, f.location.line) for f in report.findings)
    assert found == [
        ("INVALID_ACTION", "Good", 7),
        ("INVALID_POLICY_VALUE", "Odd", 19),
        ("JSON_SYNTAX_ERROR", "Bad", 13),
    ]


def test_policy_types_from_the_template(tmp_path: Path) -> None:
    """Trust policies, SCPs, bucket policies and permission sets are checked as their policy type."""
    template = _template(
        {
            "Role": {
                "Type": "AWS::IAM::Role",
                "Properties": {
                    "AssumeRolePolicyDocument": _policy(
                        {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
                    )
                },
            },
            "Scp": {
                "Type": "AWS::Organizations::Policy",
                "Properties": {
                    "Name": "DenyStorageGateway",
                    "Type": "SERVICE_CONTROL_POLICY",
                    "Content": _policy({"Effect": "Deny", "Action": "storagegateway:*", "Resource": "*"}),
                },
            },
            "Bucket": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "logs"}},
            "BucketPolicy": {
                "Type": "AWS::S3::BucketPolicy",
                "Properties": {
                    "Bucket": {"Ref": "Bucket"},
                    "PolicyDocument": _policy(
                        {
                            "Effect": "Allow",
                            "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
                            "Action": "s3:GetObject",
                            "Resource": {"Fn::Sub": "${Bucket.Arn}/*"},
                        }
                    ),
                },
            },
            "PermissionSet": {
                "Type": "AWS::SSO::PermissionSet",
                "Properties": {
                    "InlinePolicy": _policy({"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "*"})
                },
            },
        }
    )
    sources = _sources(_write(tmp_path, "t.json", template))
    kinds = sorted((s.resource, s.policy, s.policy_type.value) for s in sources)
    assert kinds == [
        ("Bucket", "BucketPolicy", "resource"),
        ("PermissionSet", "InlinePolicy", "identity"),
        ("Role", "TrustPolicy", "trust"),
        ("Scp", "DenyStorageGateway", "scp"),
    ]
    assert validate([str(tmp_path / "t.json")], OPTIONS).findings == ()


def test_excluded_resource_types_are_skipped(tmp_path: Path) -> None:
    """`--exclude-resource-types` leaves the policies of those types out."""
    path = _write(tmp_path, "t.json", _template({"Policy": _managed("*", "s3:GetObjekt")}))
    assert [f.code for f in validate([path], OPTIONS).findings] == ["INVALID_ACTION"]
    options = ValidateOptions(excluded_resource_types=frozenset({"AWS::IAM::ManagedPolicy"}))
    assert validate([path], options).findings == ()


def test_terraform_modules_inline_policies_and_scps(tmp_path: Path) -> None:
    """Policies in child modules, in a role's inline_policy blocks and in aws_organizations_policy content."""
    bad = json.dumps(_policy({"Effect": "Allow", "Action": "s3:GetObjekt", "Resource": "*"}))
    scp = json.dumps(_policy({"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*"}))
    trust = json.dumps(
        _policy({"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"})
    )
    role = {
        "address": "module.app.aws_iam_role.fn",
        "mode": "managed",
        "type": "aws_iam_role",
        "values": {"assume_role_policy": trust, "inline_policy": [{"name": "reader", "policy": bad}]},
    }
    org = {
        "address": "aws_organizations_policy.deny",
        "type": "aws_organizations_policy",
        "values": {"name": "deny", "content": scp},
    }
    data = {
        "address": "data.aws_iam_policy_document.x",
        "mode": "data",
        "type": "aws_iam_policy",
        "values": {"policy": bad},
    }
    plan = {
        "format_version": "1.2",
        "planned_values": {"root_module": {"resources": [org, data], "child_modules": [{"resources": [role]}]}},
    }
    report = validate([_write(tmp_path, "plan.json", plan)], OPTIONS)
    found = sorted((f.code, f.resource, f.policy) for f in report.findings)
    assert found == [
        ("INVALID_ACTION", "module.app.aws_iam_role.fn", "reader"),
        ("SCP_SYNTAX_ERROR_PRINCIPAL", "aws_organizations_policy.deny", "deny"),
    ]
    assert report.policies == 3


@pytest.mark.parametrize(
    ("statement", "kind"),
    [
        ({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}, PolicyType.IDENTITY),
        (
            {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"},
            PolicyType.TRUST,
        ),
        (
            {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"},
            PolicyType.RESOURCE,
        ),
    ],
)
def test_plain_policy_type_is_inferred(statement: dict[str, object], kind: PolicyType) -> None:
    """No principal: identity; principals that only assume roles: trust; other principals: resource."""
    assert infer_policy_type(_policy(statement)) is kind


def test_policy_type_flag_overrides_inference(tmp_path: Path) -> None:
    """`--policy-type scp` checks a plain file as an SCP."""
    path = _write(tmp_path, "p.json", _policy({"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*"}))
    (source,) = list(load_paths([path], OPTIONS, PolicyType.SCP))
    assert isinstance(source, PolicySource) and source.policy_type is PolicyType.SCP


def test_stdin(tmp_path: Path) -> None:
    """`-` reads one document from standard input."""
    text = json.dumps(_policy({"Effect": "Allow", "Action": "s3:GetObjekt", "Resource": "*"}))
    result = CliRunner().invoke(app, ["validate", "-", "--format", "json"], input=text)
    assert result.exit_code == 2
    (finding,) = json.loads(result.output)["BlockingFindings"]
    assert finding["code"] == "INVALID_ACTION" and finding["details"]["location"]["file"] == "<stdin>"


def test_large_template_is_read(tmp_path: Path) -> None:
    """A template of more than 10 MB (2,000 policies) is read and checked without error."""
    padding = "x" * 5000
    resources = {
        f"P{i}": {
            "Type": "AWS::IAM::ManagedPolicy",
            "Properties": {
                "Description": padding,
                "PolicyDocument": _policy({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}),
            },
        }
        for i in range(2100)
    }
    path = _write(tmp_path, "big.json", _template(resources))
    assert Path(path).stat().st_size > 10 * 1024 * 1024
    report = validate([path], OPTIONS)
    assert report.policies == 2100 and report.findings == ()


def test_yaml_scalars_keep_their_text(tmp_path: Path) -> None:
    """An unquoted `Version: 2012-10-17` is a YAML date; CloudFormation keeps the text, and so do we."""
    template = """\
Resources:
  P:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Version: 2012-10-17
        Statement:
          - Effect: Allow
            Action: s3:GetObject
            Resource: "*"
            Condition:
              NumericLessThan: {aws:MultiFactorAuthAge: 3600}
              Bool: {aws:SecureTransport: true}
"""
    (source,) = _sources(_write(tmp_path, "t.yaml", template))
    assert source.value["Version"] == "2012-10-17"  # type: ignore[index]
    assert validate([str(tmp_path / "t.yaml")], OPTIONS).findings == ()


def test_lambda_permissions_become_resource_policy_statements(tmp_path: Path) -> None:
    """A Lambda permission is checked as the statement Lambda adds to the function's policy.

    https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-lambda-permission.html
    """
    template = """\
Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      FunctionName: report
  FromBucket:
    Type: AWS::Lambda::Permission
    Properties:
      Action: lambda:InvokeFunction
      FunctionName: !Ref Fn
      Principal: s3.amazonaws.com
  FromOther:
    Type: AWS::Lambda::Permission
    Properties:
      Action: lambda:InvokeFunctions
      FunctionName: !GetAtt Fn.Arn
      Principal: "444455556666"
  FromRule:
    Type: AWS::Lambda::Permission
    Properties:
      Action: lambda:InvokeFunction
      FunctionName: report
      Principal: events.amazonaws.com
      SourceArn: arn:aws:events:eu-west-2:123456789012:rule/nightly
"""
    path = _write(tmp_path, "t.yaml", template)
    sources = _sources(path)
    assert [s.value["Statement"][0]["Resource"] for s in sources] == [  # type: ignore[index]
        "arn:aws:lambda:eu-west-2:123456789012:function:report"
    ] * 3
    found = sorted((f.code, f.resource, f.location.line, f.location.column) for f in validate([path], OPTIONS).findings)
    assert found == [
        ("EXTERNAL_PRINCIPAL", "Fn", 17, 18),
        ("INVALID_ACTION", "Fn", 15, 15),
        ("MISSING_SOURCE_CONDITION_FOR_SERVICE_PRINCIPAL", "Fn", 11, 18),
    ]
