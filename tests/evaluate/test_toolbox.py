"""The IAM Toolbox GetRequestAuthorizationDetails shape.

Member names and enum values: botocore service model iam-toolbox 2018-05-10
(https://docs.aws.amazon.com/iam-toolbox/latest/APIReference/API_GetRequestAuthorizationDetails.html).
"""

from __future__ import annotations

from iamtwin.evaluate.context import RequestContext
from iamtwin.evaluate.decision import (
    Decision,
    LevelAnalysis,
    Outcome,
    PolicyType,
    PolicyTypeAnalysis,
    StatementRef,
)
from iamtwin.evaluate.principal import parse_principal
from iamtwin.evaluate.request import Request
from iamtwin.evaluate.toolbox import authorization_details, policy_uri, toolbox_evaluation
from iamtwin.policy.model import Effect

SESSION = "arn:aws:sts::111122223333:assumed-role/Dev/alice"
ROLE = "arn:aws:iam::111122223333:role/Dev"
OBJECT = "arn:aws:s3:::bucket/key"
MANAGED = "arn:aws:iam::111122223333:policy/ReadS3"
ROOT_TARGET = "arn:aws:organizations::100000000000:root/o-abc/r-1234"
OU_TARGET = "arn:aws:organizations::100000000000:ou/o-abc/ou-1234-abcd"

ALLOW_READ = StatementRef(PolicyType.IDENTITY, MANAGED, 0, "Read", Effect.ALLOW)
ALLOW_NO_SID = StatementRef(PolicyType.IDENTITY, "inline-1", 3, None, Effect.ALLOW)
SCP_ALL = StatementRef(PolicyType.SCP, "FullAWSAccess", 0, None, Effect.ALLOW, level=0)
SCP_DENY = StatementRef(PolicyType.SCP, "DenyS3", 1, "NoS3", Effect.DENY, level=1)


def _matched(uri: str, sid: str, effect: str = "ALLOW") -> dict[str, object]:
    return {"uri": uri, "matchedStatements": [{"sid": sid, "evaluatedEffect": effect}]}


def _request(resource: str | None = OBJECT) -> Request:
    context = RequestContext.from_mapping(
        {"aws:PrincipalArn": ROLE, "aws:ResourceTag/team": "red", "aws:TagKeys": ["a", "b"]}
    )
    return Request(parse_principal(SESSION), "s3:GetObject", resource, "111122223333", context)


def _scp(outcome: Outcome, level1: Outcome, denies: tuple[StatementRef, ...]) -> PolicyTypeAnalysis:
    return PolicyTypeAnalysis(
        PolicyType.SCP, outcome, ("FullAWSAccess", "DenyS3"),
        allows=(SCP_ALL,), denies=denies,
        levels=(
            LevelAnalysis(0, ("FullAWSAccess",), Outcome.ALLOWED, (SCP_ALL,), ()),
            LevelAnalysis(1, ("DenyS3",), level1, (), denies),
        ),
    )


def _denied_by_scp() -> Decision:
    identity = PolicyTypeAnalysis(
        PolicyType.IDENTITY, Outcome.ALLOWED, (MANAGED, "inline-1"), allows=(ALLOW_READ, ALLOW_NO_SID)
    )
    boundary = PolicyTypeAnalysis(PolicyType.PERMISSIONS_BOUNDARY, Outcome.IMPLICIT_DENY, ("Boundary",))
    return Decision(
        _request(), Outcome.EXPLICIT_DENY, (PolicyType.SCP,), ("DenyS3",),
        (SCP_ALL, SCP_DENY, ALLOW_READ, ALLOW_NO_SID),
        {
            PolicyType.SCP: _scp(Outcome.EXPLICIT_DENY, Outcome.EXPLICIT_DENY, (SCP_DENY,)),
            PolicyType.IDENTITY: identity,
            PolicyType.PERMISSIONS_BOUNDARY: boundary,
        },
    )


def test_output_members() -> None:
    details = authorization_details(_denied_by_scp())
    assert set(details) == {"requestContext", "evaluations", "policies"}
    evaluations = details["evaluations"]
    assert isinstance(evaluations, list) and len(evaluations) == 1
    assert set(evaluations[0]) == {
        "action", "resource", "context", "evaluatedEffect", "matchedPolicies", "checks",
    }


def test_context_split_between_request_and_evaluation() -> None:
    details = authorization_details(_denied_by_scp())
    assert details["requestContext"] == {"aws:PrincipalArn": ROLE, "aws:TagKeys": ["a", "b"]}
    evaluation = details["evaluations"][0]  # type: ignore[index]
    assert evaluation["context"] == {"aws:ResourceTag/team": "red"}
    assert evaluation["action"] == "s3:GetObject"
    assert evaluation["resource"] == OBJECT
    assert evaluation["evaluatedEffect"] == "EXPLICIT_DENY"


def test_toolbox_evaluation_carries_the_whole_context() -> None:
    evaluation = toolbox_evaluation(_denied_by_scp())
    assert evaluation["context"] == {
        "aws:PrincipalArn": ROLE, "aws:ResourceTag/team": "red", "aws:TagKeys": ["a", "b"],
    }


def test_matched_policies_group_statements_and_generate_missing_sids() -> None:
    evaluation = toolbox_evaluation(_denied_by_scp(), policy_uris={"inline-1": "inline:Dev/inline-1"})
    assert evaluation["matchedPolicies"] == [
        _matched("FullAWSAccess", "Statement[0]"),
        _matched("DenyS3", "NoS3", "DENY"),
        _matched(MANAGED, "Read"),
        _matched("inline:Dev/inline-1", "Statement[3]"),
    ]


def test_checks_per_level_then_per_policy_type() -> None:
    evaluation = toolbox_evaluation(_denied_by_scp(), level_targets=[ROOT_TARGET, OU_TARGET])
    assert evaluation["checks"] == [
        {
            "checkType": "SERVICE_CONTROL_POLICY",
            "evaluatedEffect": "ALLOW",
            "relevantPolicyTypes": ["SERVICE_CONTROL_POLICY"],
            "targetArn": ROOT_TARGET,
            "matchedPolicies": [_matched("FullAWSAccess", "Statement[0]")],
        },
        {
            "checkType": "SERVICE_CONTROL_POLICY",
            "evaluatedEffect": "EXPLICIT_DENY",
            "relevantPolicyTypes": ["SERVICE_CONTROL_POLICY"],
            "targetArn": OU_TARGET,
            "matchedPolicies": [_matched("DenyS3", "NoS3", "DENY")],
        },
        {
            "checkType": "PRINCIPAL",
            "evaluatedEffect": "ALLOW",
            "relevantPolicyTypes": ["IDENTITY_BASED_POLICY"],
            "matchedPolicies": [_matched(MANAGED, "Read"), _matched("inline-1", "Statement[3]")],
        },
        {
            # the boundary had no allow and one was needed: the request was denied anyway
            "checkType": "PERMISSIONS_BOUNDARY",
            "evaluatedEffect": "IMPLICIT_DENY",
            "relevantPolicyTypes": ["PERMISSIONS_BOUNDARY"],
            "matchedPolicies": [],
        },
    ]


def test_policies_list_types_inline_and_attachments() -> None:
    details = authorization_details(_denied_by_scp(), level_targets=[ROOT_TARGET, OU_TARGET])
    assert details["policies"] == [
        {"type": "SERVICE_CONTROL_POLICY", "inline": False, "uri": "FullAWSAccess",
         "attachedTo": [{"arn": ROOT_TARGET}]},
        {"type": "SERVICE_CONTROL_POLICY", "inline": False, "uri": "DenyS3",
         "attachedTo": [{"arn": OU_TARGET}]},
        {"type": "IDENTITY_BASED_POLICY", "inline": False, "uri": MANAGED, "attachedTo": [{"arn": ROLE}]},
        {"type": "IDENTITY_BASED_POLICY", "inline": True, "uri": "inline-1", "attachedTo": [{"arn": ROLE}]},
        {"type": "PERMISSIONS_BOUNDARY", "inline": True, "uri": "Boundary", "attachedTo": [{"arn": ROLE}]},
    ]


def test_allowed_decision_marks_unneeded_types_no_impact() -> None:
    """A user-named resource-policy grant allows although the identity policy has no allow."""
    grant = StatementRef(PolicyType.RESOURCE, "BucketPolicy", 0, "Share", Effect.ALLOW)
    decision = Decision(
        _request(), Outcome.ALLOWED, (), (), (grant,),
        {
            PolicyType.RESOURCE: PolicyTypeAnalysis(PolicyType.RESOURCE, Outcome.ALLOWED, ("BucketPolicy",),
                                                    allows=(grant,)),
            PolicyType.IDENTITY: PolicyTypeAnalysis(PolicyType.IDENTITY, Outcome.IMPLICIT_DENY, ()),
        },
    )
    details = authorization_details(decision)
    evaluation = details["evaluations"][0]  # type: ignore[index]
    assert evaluation["evaluatedEffect"] == "ALLOW"
    effects = [(c["checkType"], c["evaluatedEffect"]) for c in evaluation["checks"]]
    assert effects == [("RESOURCE", "ALLOW"), ("PRINCIPAL", "NO_IMPACT")]
    assert details["policies"] == [
        {"type": "RESOURCE_BASED_POLICY", "inline": True, "uri": "BucketPolicy",
         "attachedTo": [{"arn": OBJECT}]}
    ]


def test_implicit_deny_without_resource() -> None:
    decision = Decision(
        _request(resource=None), Outcome.IMPLICIT_DENY, (PolicyType.IDENTITY,), (), (),
        {
            PolicyType.IDENTITY: PolicyTypeAnalysis(PolicyType.IDENTITY, Outcome.IMPLICIT_DENY, ("p",)),
            PolicyType.SCP: PolicyTypeAnalysis(
                PolicyType.SCP, Outcome.ALLOWED, (), exempt_reason="management_account"
            ),
        },
    )
    evaluation = toolbox_evaluation(decision)
    assert evaluation["resource"] == ""
    assert evaluation["evaluatedEffect"] == "IMPLICIT_DENY"
    assert evaluation["matchedPolicies"] == []
    # an exempt policy type is no requirement of this request
    assert [(c["checkType"], c["evaluatedEffect"]) for c in evaluation["checks"]] == [  # type: ignore[index]
        ("PRINCIPAL", "IMPLICIT_DENY")
    ]


def test_policy_uri_defaults_to_the_id() -> None:
    assert policy_uri("p") == "p"
    assert policy_uri("p", {"p": "urn:x"}) == "urn:x"
