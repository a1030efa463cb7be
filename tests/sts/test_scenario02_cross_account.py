"""Scenario 02: a workflow in one account runs a workflow in another, through AssumeRole with ExternalId.

AWS behaviour checked (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_common-scenarios_third-party.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html):
the trust policy's `sts:ExternalId` condition guards against the confused deputy, and a cross-account
AssumeRole needs both the trust policy and the caller's identity policy.
"""

from __future__ import annotations

import pytest

from iamtwin.sts.denied import StsAccessDenied
from iamtwin.sts.service import Sts
from iamtwin.world.stored import World

SM = "arn:aws:states:us-east-1:111111111111:stateMachine:SecretCacheConsumerWfw"
TRUSTED = "arn:aws:iam::111111111111:role/TrustedAccountRl"
TRUSTING = "arn:aws:iam::222222222222:role/TrustingAccountRl"
FUNCTION = "arn:aws:lambda:us-east-1:222222222222:function:CacheSecret"


def _allow(action: str | list[str], resource: str | list[str]) -> dict[str, object]:
    return {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": action, "Resource": resource}]}


def _trust(principal: dict[str, str], condition: dict[str, object] | None = None) -> dict[str, object]:
    statement: dict[str, object] = {"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}
    if condition:
        statement["Condition"] = condition
    return {"Version": "2012-10-17", "Statement": [statement]}


@pytest.fixture
def estate(world: World) -> World:
    """The two accounts of scenario 02, built through IAM's write calls."""
    with world.changes() as iam:
        iam.create_account("111111111111")
        iam.create_account("222222222222")
        iam.create_role("111111111111", "TrustedAccountRl", _trust({"Service": "states.amazonaws.com"}))
        iam.put_inline_policy("role", "111111111111", "TrustedAccountRl", "assume", _allow("sts:AssumeRole", TRUSTING))
        iam.put_inline_policy(
            "role",
            "111111111111",
            "TrustedAccountRl",
            "params",
            _allow(
                ["ssm:GetParameter", "ssm:GetParameters", "ssm:DescribeParameters", "ssm:GetParameterHistory"],
                "arn:aws:ssm:us-east-1:111111111111:parameter/secret-cache-config",
            ),
        )
        iam.create_role("111111111111", "NoAssumeRl", _trust({"Service": "states.amazonaws.com"}))
        iam.create_role(
            "222222222222",
            "TrustingAccountRl",
            _trust({"AWS": TRUSTED}, {"StringEquals": {"sts:ExternalId": SM}}),
        )
        iam.put_inline_policy(
            "role",
            "222222222222",
            "TrustingAccountRl",
            "run",
            _allow("states:StartSyncExecution", "arn:aws:states:us-east-1:222222222222:stateMachine:SecretCacheWfw"),
        )
        iam.create_role("222222222222", "SecretCacheWfwRl", _trust({"Service": "states.amazonaws.com"}))
        iam.put_inline_policy(
            "role",
            "222222222222",
            "SecretCacheWfwRl",
            "work",
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": "secretsmanager:GetSecretValue",
                        "Resource": "arn:aws:secretsmanager:us-east-1:222222222222:secret:*",
                    },
                    {
                        "Effect": "Allow",
                        "Action": "dynamodb:GetItem",
                        "Resource": "arn:aws:dynamodb:us-east-1:222222222222:table/SecretCache",
                    },
                    {"Effect": "Allow", "Action": "lambda:InvokeFunction", "Resource": [FUNCTION, FUNCTION + ":*"]},
                ],
            },
        )
    return world


def _workflow_session(sts: Sts) -> str:
    return sts.assume_role("states.amazonaws.com", TRUSTED, "consumer-wf").credentials.access_key_id


def test_right_external_id_issues_a_session_named_as_aws_names_it(estate: World) -> None:
    """Expected 1: credentials, and the assumed-role ARN `arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`."""
    sts = Sts(estate)
    result = sts.assume_role(_workflow_session(sts), TRUSTING, "secret-cache", external_id=SM)
    assert result.arn == "arn:aws:sts::222222222222:assumed-role/TrustingAccountRl/secret-cache"
    assert result.assumed_role_id.startswith("AROA") and result.assumed_role_id.endswith(":secret-cache")
    assert result.credentials.access_key_id.startswith("ASIA")
    identity = sts.get_caller_identity(result.credentials.access_key_id)
    assert (identity.account, identity.arn, identity.user_id) == ("222222222222", result.arn, result.assumed_role_id)


@pytest.mark.parametrize("external_id", [None, "arn:aws:states:us-east-1:111111111111:stateMachine:Other"])
def test_missing_or_wrong_external_id_is_denied_by_the_trust_condition(estate: World, external_id: str | None) -> None:
    """Expected 2: AccessDenied, and the explanation names the trust policy's sts:ExternalId condition."""
    sts = Sts(estate)
    with pytest.raises(StsAccessDenied) as caught:
        sts.assume_role(_workflow_session(sts), TRUSTING, "secret-cache", external_id=external_id)
    assert caught.value.code == "AccessDenied"
    failed = [e for e in caught.value.decision.explanations if not e.result]
    assert [(e.key, e.statement.policy_id) for e in failed] == [("sts:ExternalId", TRUSTING)]


def test_cross_account_needs_the_callers_identity_policy_too(estate: World) -> None:
    """Expected 3: a role whose identity policy does not allow sts:AssumeRole cannot, even with the ExternalId."""
    sts = Sts(estate)
    with estate.changes() as iam:  # the trust policy now names NoAssumeRl as well
        iam.update_assume_role_policy(
            "222222222222",
            "TrustingAccountRl",
            _trust({"AWS": "arn:aws:iam::111111111111:role/NoAssumeRl"}, {"StringEquals": {"sts:ExternalId": SM}}),
        )
    caller = sts.assume_role("states.amazonaws.com", "arn:aws:iam::111111111111:role/NoAssumeRl", "wf")
    with pytest.raises(StsAccessDenied) as caught:
        sts.assume_role(caller.credentials.access_key_id, TRUSTING, "secret-cache", external_id=SM)
    assert [t.value for t in caught.value.decision.blocked_by] == ["identity"]


def test_the_trusting_session_runs_only_its_state_machine(estate: World) -> None:
    """Expected 4: StartSyncExecution on SecretCacheWfw allowed; any other state machine implicitly denied."""
    sts = Sts(estate)
    key = sts.assume_role(_workflow_session(sts), TRUSTING, "secret-cache", external_id=SM).credentials.access_key_id
    base = "arn:aws:states:us-east-1:222222222222:stateMachine:"
    assert estate.authorize(key, "states:StartSyncExecution", base + "SecretCacheWfw").outcome.value == "Allowed"
    assert estate.authorize(key, "states:StartSyncExecution", base + "Other").outcome.value == "ImplicitDeny"


def test_function_versions_are_covered_by_the_version_pattern(estate: World) -> None:
    """Expected 5: InvokeFunction on a version (`:7`) allowed; another function implicitly denied."""
    role = "arn:aws:iam::222222222222:role/SecretCacheWfwRl"
    assert estate.authorize(role, "lambda:InvokeFunction", FUNCTION + ":7").outcome.value == "Allowed"
    other = "arn:aws:lambda:us-east-1:222222222222:function:Other"
    assert estate.authorize(role, "lambda:InvokeFunction", other).outcome.value == "ImplicitDeny"


@pytest.mark.parametrize(("identity_allows", "expected"), [(True, "Allowed"), (False, "ImplicitDeny")])
def test_resource_policy_path_needs_both_sides_across_accounts(
    estate: World, identity_allows: bool, expected: str
) -> None:
    """Expected 6: a function policy naming TrustedAccountRl allows only if its identity policy allows too."""
    with estate.changes() as iam:
        iam.put_resource(
            FUNCTION,
            policy={
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"AWS": TRUSTED},
                        "Action": "lambda:InvokeFunction",
                        "Resource": FUNCTION,
                    }
                ],
            },
        )
        if identity_allows:
            iam.put_inline_policy(
                "role", "111111111111", "TrustedAccountRl", "invoke", _allow("lambda:InvokeFunction", FUNCTION)
            )
    assert estate.authorize(TRUSTED, "lambda:InvokeFunction", FUNCTION).outcome.value == expected
