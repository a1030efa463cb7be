"""Decision output: the contract's JSON shape and the text explanation."""

from __future__ import annotations

import json

from rich.console import Console

from iamtwin.cli.render import render_decision_text, statement_label
from iamtwin.evaluate.context import RequestContext
from iamtwin.evaluate.decision import (
    ConditionExplanation,
    ConditionReason,
    Decision,
    EvaluationError,
    GrantKind,
    LevelAnalysis,
    Outcome,
    PolicyType,
    PolicyTypeAnalysis,
    StatementRef,
)
from iamtwin.evaluate.principal import parse_principal
from iamtwin.evaluate.request import Request
from iamtwin.policy.model import Effect
from iamtwin.simulate.output import decision_to_json

USER = "arn:aws:iam::111122223333:user/alice"
OBJECT = "arn:aws:s3:::bucket/key"
SCP_ARN = "arn:aws:organizations::100000000000:policy/o-abc/service_control_policy/p-123"

SCP_ALL = StatementRef(PolicyType.SCP, "FullAWSAccess", 0, None, Effect.ALLOW, level=0)
SCP_DENY = StatementRef(PolicyType.SCP, SCP_ARN, 1, "DenyS3", Effect.DENY, level=1)
ID_ALLOW = StatementRef(PolicyType.IDENTITY, "ReadS3", 0, "Read", Effect.ALLOW)
TAGGED = StatementRef(PolicyType.IDENTITY, "ReadS3", 2, "[bold]Tagged", Effect.ALLOW)


def _request() -> Request:
    context = RequestContext.from_mapping({"aws:PrincipalTag/team": "blue"})
    return Request(parse_principal(USER), "s3:GetObject", OBJECT, "444455556666", context)


def _explicit_deny() -> Decision:
    scp = PolicyTypeAnalysis(
        PolicyType.SCP, Outcome.EXPLICIT_DENY, ("FullAWSAccess", SCP_ARN),
        allows=(SCP_ALL,), denies=(SCP_DENY,),
        levels=(
            LevelAnalysis(0, ("FullAWSAccess",), Outcome.ALLOWED, (SCP_ALL,), ()),
            LevelAnalysis(1, (SCP_ARN,), Outcome.EXPLICIT_DENY, (), (SCP_DENY,)),
        ),
    )
    identity = PolicyTypeAnalysis(PolicyType.IDENTITY, Outcome.ALLOWED, ("ReadS3",), allows=(ID_ALLOW,))
    resource = PolicyTypeAnalysis(
        PolicyType.RESOURCE, Outcome.IMPLICIT_DENY, ("BucketPolicy",), grant_kinds=(GrantKind.ACCOUNT,)
    )
    explanation = ConditionExplanation(
        TAGGED, "StringEquals", "aws:PrincipalTag/team", ("red",), ("blue",), False,
        ConditionReason.NOT_MATCHED,
    )
    missing = ConditionExplanation(
        TAGGED, "Bool", "aws:MultiFactorAuthPresent", ("true",), None, False, ConditionReason.KEY_MISSING
    )
    error = EvaluationError(
        PolicyType.IDENTITY, "ReadS3", 3, "INVALID_CONDITION_VALUE",
        "`abc` is not a number", "Statement[3].Condition.NumericLessThan",
    )
    return Decision(
        _request(), Outcome.EXPLICIT_DENY, (PolicyType.SCP,), (SCP_ARN,),
        (SCP_ALL, SCP_DENY, ID_ALLOW),
        {PolicyType.SCP: scp, PolicyType.RESOURCE: resource, PolicyType.IDENTITY: identity},
        explanations=(explanation, missing),
        missing_context_keys=frozenset({"aws:MultiFactorAuthPresent", "aws:SourceIp"}),
        errors=(error,),
    )


def test_json_shape() -> None:
    data = decision_to_json(_explicit_deny())
    json.dumps(data)  # JSON-ready
    assert list(data) == [
        "decision", "blocked_by", "blocking_policies", "matched", "message",
        "analyses", "explanations", "missing_context_keys", "errors",
    ]
    assert data["decision"] == "ExplicitDeny"
    assert data["blocked_by"] == ["scp"]
    assert data["blocking_policies"] == [SCP_ARN]
    assert data["matched"] == [
        {"policy_type": "scp", "policy_id": "FullAWSAccess", "statement_index": 0, "sid": None,
         "effect": "Allow", "level": 0},
        {"policy_type": "scp", "policy_id": SCP_ARN, "statement_index": 1, "sid": "DenyS3",
         "effect": "Deny", "level": 1},
        {"policy_type": "identity", "policy_id": "ReadS3", "statement_index": 0, "sid": "Read",
         "effect": "Allow"},
    ]
    assert data["message"] == (
        f"User: {USER} is not authorized to perform: s3:GetObject on resource: {OBJECT} "
        f"with an explicit deny in a service control policy: {SCP_ARN}"
    )
    analyses = data["analyses"]
    assert isinstance(analyses, dict)
    assert set(analyses) == {"scp", "resource", "identity"}
    assert analyses["identity"] == {
        "outcome": "Allowed", "policies": ["ReadS3"],
        "allows": [ID_ALLOW.to_dict()], "denies": [],
    }
    assert analyses["resource"]["grant_kinds"] == ["account"]
    assert [lv["outcome"] for lv in analyses["scp"]["levels"]] == ["Allowed", "ExplicitDeny"]
    explanations = data["explanations"]
    assert isinstance(explanations, list)
    assert explanations[0]["key"] == "aws:PrincipalTag/team"
    assert explanations[1]["context_values"] is None
    assert data["missing_context_keys"] == ["aws:MultiFactorAuthPresent", "aws:SourceIp"]
    assert data["errors"] == [
        {"policy_type": "identity", "policy_id": "ReadS3", "statement_index": 3,
         "code": "INVALID_CONDITION_VALUE", "message": "`abc` is not a number",
         "path": "Statement[3].Condition.NumericLessThan"}
    ]


def test_json_of_an_allowed_decision() -> None:
    identity = PolicyTypeAnalysis(PolicyType.IDENTITY, Outcome.ALLOWED, ("ReadS3",), allows=(ID_ALLOW,))
    decision = Decision(_request(), Outcome.ALLOWED, (), (), (ID_ALLOW,), {PolicyType.IDENTITY: identity})
    data = decision_to_json(decision)
    assert data["decision"] == "Allowed"
    assert data["blocked_by"] == [] and data["blocking_policies"] == []
    assert data["message"] is None
    assert data["explanations"] == [] and data["missing_context_keys"] == [] and data["errors"] == []


def _render(decision: Decision) -> str:
    console = Console(record=True, width=120)
    render_decision_text(decision, console)
    return console.export_text()


def test_text_contains_the_key_facts() -> None:
    text = _render(_explicit_deny())
    assert "Decision: ExplicitDeny" in text
    for fact in (USER, "s3:GetObject", OBJECT, "111122223333", "444455556666", "cross-account"):
        assert fact in text
    assert "with an explicit deny in a service control policy" in text
    # per policy type: outcome and matched statements as policy-id[index] Sid
    assert "identity-based policy" in text and "ReadS3[0] Read" in text
    assert "granted to: account" in text
    assert "FullAWSAccess[0]" in text
    assert "DenyS3" in text
    # the level table
    assert "service control policy levels" in text
    # the failed conditions, user text printed as-is (no markup interpretation)
    assert "ReadS3[2] [bold]Tagged" in text
    for fact in ("StringEquals", "aws:PrincipalTag/team", "policy: red  context: blue  reason: not_matched",
                 "context: (missing)  reason: key_missing"):
        assert fact in text
    assert "aws:SourceIp" in text
    assert "INVALID_CONDITION_VALUE" in text and "Statement[3].Condition.NumericLessThan" in text


def test_text_of_an_allowed_decision_without_resource() -> None:
    request = Request(parse_principal("*"), "s3:ListAllMyBuckets", None, None, RequestContext())
    decision = Decision(request, Outcome.ALLOWED, (), (), (), {})
    text = _render(decision)
    assert "Decision: Allowed" in text
    assert "anonymous" in text and "(none)" in text
    assert "not authorized" not in text


def test_outcome_is_coloured_in_a_terminal() -> None:
    console = Console(record=True, width=120, force_terminal=True, color_system="standard")
    render_decision_text(_explicit_deny(), console)
    html = console.export_html(inline_styles=True)
    assert "ExplicitDeny" in html and "color: #800000" in html  # red


def test_statement_label() -> None:
    assert statement_label(ID_ALLOW) == "ReadS3[0] Read"
    assert statement_label(SCP_ALL) == "FullAWSAccess[0]"
