"""SimulatePrincipalPolicy and SimulateCustomPolicy through boto3, parsed by botocore as from AWS.

https://docs.aws.amazon.com/IAM/latest/APIReference/API_SimulatePrincipalPolicy.html: one
EvaluationResult per action, EvalDecision allowed / explicitDeny / implicitDeny, MatchedStatements
naming the policy and where its statement is, MissingContextValues, and the boundary's verdict.
"""

from __future__ import annotations

import json

from .conftest import RunningServer

ACCOUNT = "123456789012"


def _doc(*statements: dict[str, object]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def test_simulate_principal_policy_for_a_stored_role(server: RunningServer) -> None:
    """A role's inline allow and a deny with a condition: decisions, matched statements, missing keys."""
    iam = server.client("iam")
    trust = _doc({"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"})
    iam.create_role(RoleName="app", AssumeRolePolicyDocument=trust)
    iam.put_role_policy(
        RoleName="app",
        PolicyName="Data",
        PolicyDocument=_doc(
            {"Sid": "Read", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
            {
                "Sid": "NoDelete",
                "Effect": "Deny",
                "Action": "s3:DeleteObject",
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:PrincipalTag/team": "blue"}},
            },
        ),
    )
    results = iam.simulate_principal_policy(
        PolicySourceArn=f"arn:aws:iam::{ACCOUNT}:role/app",
        ActionNames=["s3:GetObject", "s3:PutObject"],
        ResourceArns=["arn:aws:s3:::bucket/key"],
    )["EvaluationResults"]
    by_action = {r["EvalActionName"]: r for r in results}
    assert by_action["s3:GetObject"]["EvalDecision"] == "allowed"
    assert by_action["s3:GetObject"]["EvalResourceName"] == "arn:aws:s3:::bucket/key"
    matched = by_action["s3:GetObject"]["MatchedStatements"]
    assert [(m["SourcePolicyId"], m["SourcePolicyType"]) for m in matched] == [("Data", "role")]
    assert matched[0]["StartPosition"]["Line"] >= 1 and "EndPosition" in matched[0]
    assert by_action["s3:PutObject"]["EvalDecision"] == "implicitDeny"


def test_simulate_custom_policy_with_a_boundary_and_several_resources(server: RunningServer) -> None:
    """Given policies only; a boundary that does not allow gives implicitDeny and says so; per-resource results."""
    iam = server.client("iam")
    allow_all = _doc({"Effect": "Allow", "Action": "s3:*", "Resource": "*"})
    boundary = _doc({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::public/*"})
    results = iam.simulate_custom_policy(
        PolicyInputList=[allow_all],
        PermissionsBoundaryPolicyInputList=[boundary],
        ActionNames=["s3:GetObject"],
        ResourceArns=["arn:aws:s3:::public/a", "arn:aws:s3:::private/a"],
    )["EvaluationResults"]
    result = results[0]
    assert result["EvalDecision"] == "implicitDeny"
    assert result["PermissionsBoundaryDecisionDetail"] == {"AllowedByPermissionsBoundary": False}
    per_resource = {r["EvalResourceName"]: r["EvalResourceDecision"] for r in result["ResourceSpecificResults"]}
    assert per_resource == {"arn:aws:s3:::public/a": "allowed", "arn:aws:s3:::private/a": "implicitDeny"}


def test_context_keys_of_custom_and_stored_policies(server: RunningServer) -> None:
    """GetContextKeysFor*Policy lists the keys conditions and policy variables reference, each once.

    https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetContextKeysForCustomPolicy.html
    """
    iam = server.client("iam")
    policy = _doc(
        {
            "Effect": "Allow",
            "Action": "s3:GetObject",
            "Resource": "arn:aws:s3:::b/${aws:username}/*",
            "Condition": {"IpAddress": {"aws:SourceIp": "192.0.2.0/24"}, "Bool": {"aws:SecureTransport": "true"}},
        },
    )
    keys = iam.get_context_keys_for_custom_policy(PolicyInputList=[policy])["ContextKeyNames"]
    assert keys == ["aws:SecureTransport", "aws:SourceIp", "aws:username"]
    iam.create_user(UserName="carol")
    iam.put_user_policy(
        UserName="carol",
        PolicyName="p",
        PolicyDocument=_doc(
            {
                "Effect": "Allow",
                "Action": "s3:*",
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:PrincipalTag/team": "blue"}},
            }
        ),
    )
    stored = iam.get_context_keys_for_principal_policy(
        PolicySourceArn=f"arn:aws:iam::{ACCOUNT}:user/carol", PolicyInputList=[policy]
    )["ContextKeyNames"]
    assert stored == ["aws:PrincipalTag/team", "aws:SecureTransport", "aws:SourceIp", "aws:username"]
