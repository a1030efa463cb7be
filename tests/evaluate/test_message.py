"""The access-denied message.

Wording: https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html
("with an explicit deny in a <type> policy", "because no <type> policy allows the <action> action").
The policy ARN after a colon:
https://aws.amazon.com/blogs/security/enhanced-access-denied-error-messages-with-policy-arns/
"""

from __future__ import annotations

import pytest

from iamtwin.evaluate.context import RequestContext
from iamtwin.evaluate.decision import Decision, Outcome, PolicyType, PolicyTypeAnalysis, StatementRef
from iamtwin.evaluate.message import denial_message, policy_type_phrase
from iamtwin.evaluate.principal import parse_principal
from iamtwin.evaluate.request import Request
from iamtwin.policy.model import Effect

USER = "arn:aws:iam::111122223333:user/alice"
OBJECT = "arn:aws:s3:::bucket/key"
SCP_ARN = "arn:aws:organizations::100000000000:policy/o-abc/service_control_policy/p-123"


def _decision(
    outcome: Outcome,
    blocked_by: tuple[PolicyType, ...] = (),
    *,
    principal: str = USER,
    action: str = "s3:GetObject",
    resource: str | None = OBJECT,
    blocking_policies: tuple[str, ...] = (),
    matched: tuple[StatementRef, ...] = (),
) -> Decision:
    request = Request(parse_principal(principal), action, resource, None, RequestContext())
    analyses = {t: PolicyTypeAnalysis(t, outcome, ()) for t in blocked_by}
    return Decision(request, outcome, blocked_by, blocking_policies, matched, analyses)


def _deny(policy_type: PolicyType, policy_id: str, index: int = 0) -> StatementRef:
    return StatementRef(policy_type, policy_id, index, "Deny", Effect.DENY)


IMPLICIT = {
    PolicyType.IDENTITY: "because no identity-based policy allows the s3:GetObject action",
    PolicyType.RESOURCE: "because no resource-based policy allows the s3:GetObject action",
    PolicyType.PERMISSIONS_BOUNDARY: "because no permissions boundary allows the s3:GetObject action",
    PolicyType.SESSION: "because no session policy allows the s3:GetObject action",
    PolicyType.SCP: "because no service control policy allows the s3:GetObject action",
    PolicyType.RCP: "because no resource control policy allows the s3:GetObject action",
    PolicyType.VPC_ENDPOINT: "because no VPC endpoint policy allows the s3:GetObject action",
}

EXPLICIT = {
    PolicyType.IDENTITY: "with an explicit deny in an identity-based policy",
    PolicyType.RESOURCE: "with an explicit deny in a resource-based policy",
    PolicyType.PERMISSIONS_BOUNDARY: "with an explicit deny in a permissions boundary",
    PolicyType.SESSION: "with an explicit deny in a session policy",
    PolicyType.SCP: "with an explicit deny in a service control policy",
    PolicyType.RCP: "with an explicit deny in a resource control policy",
    PolicyType.VPC_ENDPOINT: "with an explicit deny in a VPC endpoint policy",
}

HEAD = f"User: {USER} is not authorized to perform: s3:GetObject on resource: {OBJECT} "


def test_allowed_has_no_message() -> None:
    assert denial_message(_decision(Outcome.ALLOWED)) is None


@pytest.mark.parametrize("policy_type", list(PolicyType))
def test_implicit_deny_names_the_policy_type(policy_type: PolicyType) -> None:
    message = denial_message(_decision(Outcome.IMPLICIT_DENY, (policy_type,)))
    assert message == HEAD + IMPLICIT[policy_type]


@pytest.mark.parametrize("policy_type", list(PolicyType))
def test_explicit_deny_names_the_policy_type(policy_type: PolicyType) -> None:
    decision = _decision(
        Outcome.EXPLICIT_DENY, (policy_type,),
        blocking_policies=("deny-policy",), matched=(_deny(policy_type, "deny-policy"),),
    )
    assert denial_message(decision) == HEAD + EXPLICIT[policy_type]


def test_explicit_deny_appends_the_policy_arn() -> None:
    decision = _decision(
        Outcome.EXPLICIT_DENY, (PolicyType.SCP,),
        action="lambda:CreateFunction", resource=None,
        blocking_policies=(SCP_ARN,), matched=(_deny(PolicyType.SCP, SCP_ARN, 2),),
    )
    assert denial_message(decision) == (
        f"User: {USER} is not authorized to perform: lambda:CreateFunction "
        f"with an explicit deny in a service control policy: {SCP_ARN}"
    )


def test_the_arn_is_that_of_the_named_policy_type() -> None:
    boundary = "arn:aws:iam::111122223333:policy/Boundary"
    decision = _decision(
        Outcome.EXPLICIT_DENY, (PolicyType.SCP, PolicyType.PERMISSIONS_BOUNDARY),
        blocking_policies=(boundary, SCP_ARN),
        matched=(_deny(PolicyType.SCP, SCP_ARN), _deny(PolicyType.PERMISSIONS_BOUNDARY, boundary)),
    )
    assert denial_message(decision) == HEAD + EXPLICIT[PolicyType.SCP] + f": {SCP_ARN}"


def test_implicit_deny_never_appends_a_policy() -> None:
    decision = _decision(Outcome.IMPLICIT_DENY, (PolicyType.SCP,), blocking_policies=(SCP_ARN,))
    assert denial_message(decision) == HEAD + IMPLICIT[PolicyType.SCP]


def test_policy_id_that_is_not_an_arn_is_left_out() -> None:
    decision = _decision(
        Outcome.EXPLICIT_DENY, (PolicyType.IDENTITY,),
        blocking_policies=("inline-deny",), matched=(_deny(PolicyType.IDENTITY, "inline-deny"),),
    )
    assert denial_message(decision) == HEAD + EXPLICIT[PolicyType.IDENTITY]


def test_no_resource_omits_on_resource() -> None:
    decision = _decision(Outcome.IMPLICIT_DENY, (PolicyType.IDENTITY,), action="s3:ListAllMyBuckets",
                         resource=None)
    assert denial_message(decision) == (
        f"User: {USER} is not authorized to perform: s3:ListAllMyBuckets "
        "because no identity-based policy allows the s3:ListAllMyBuckets action"
    )


def test_anonymous_principal() -> None:
    message = denial_message(_decision(Outcome.IMPLICIT_DENY, (PolicyType.RESOURCE,), principal="*"))
    assert message == (
        f"User: anonymous is not authorized to perform: s3:GetObject on resource: {OBJECT} "
        + IMPLICIT[PolicyType.RESOURCE]
    )


def test_service_principal_is_named_by_its_service() -> None:
    message = denial_message(
        _decision(Outcome.IMPLICIT_DENY, (PolicyType.RESOURCE,), principal="lambda.amazonaws.com")
    )
    assert message is not None
    assert message.startswith("User: lambda.amazonaws.com is not authorized to perform: s3:GetObject")


@pytest.mark.parametrize(
    "principal",
    [
        "arn:aws:sts::111122223333:assumed-role/Dev/alice-session",
        "arn:aws:iam::111122223333:role/Dev",
        "arn:aws:sts::111122223333:federated-user/bob",
        "arn:aws:iam::111122223333:root",
    ],
)
def test_principal_arn_as_given(principal: str) -> None:
    message = denial_message(_decision(Outcome.IMPLICIT_DENY, (PolicyType.IDENTITY,), principal=principal))
    assert message is not None
    assert message.startswith(f"User: {principal} is not authorized")


def test_phrases() -> None:
    assert {t: policy_type_phrase(t) for t in PolicyType} == {
        PolicyType.IDENTITY: "identity-based policy",
        PolicyType.RESOURCE: "resource-based policy",
        PolicyType.PERMISSIONS_BOUNDARY: "permissions boundary",
        PolicyType.SESSION: "session policy",
        PolicyType.SCP: "service control policy",
        PolicyType.RCP: "resource control policy",
        PolicyType.VPC_ENDPOINT: "VPC endpoint policy",
    }


def test_inline_policy_ids_are_not_named_as_arns() -> None:
    """AWS names only managed policy ARNs; an inline policy id `<owner>#<name>` is left out.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html
    """
    import iamtwin

    decision = iamtwin.simulate(
        {
            "request": {"principal": "arn:aws:iam::111122223333:user/bob", "action": "s3:GetObject"},
            "identity_policies": [
                {
                    "id": "arn:aws:iam::111122223333:user/bob#DenyAll",
                    "document": {"Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}]},
                }
            ],
        }
    )
    assert denial_message(decision) == (
        "User: arn:aws:iam::111122223333:user/bob is not authorized to perform: s3:GetObject"
        " with an explicit deny in an identity-based policy"
    )
