"""The fast paths of the decision loop give exactly what the general code gives.

Each fast path has a general counterpart that stays the reference:
- a condition's specialised `check` (conditions/check.py) and `CompiledCondition.evaluate`;
- a statement's combined Resource predicate and matching each pattern with `arn_matches`;
- `read_derived_request` (one pass) and `read_request` + `build_request`;
- `make_decision` / `make_request` and the dataclass constructors.
The per-route memo of combinations is checked on the benchmark cases (tests/test_benchmark_cases.py).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iamtwin.errors import IamtwinError
from iamtwin.evaluate.compiled import CompiledPolicy
from iamtwin.evaluate.conditions import compile_condition
from iamtwin.evaluate.context import RequestContext
from iamtwin.evaluate.decision import Decision, Outcome, PolicyType, make_decision
from iamtwin.evaluate.derive import build_request
from iamtwin.evaluate.principal import parse_principal
from iamtwin.evaluate.request import Request, make_request
from iamtwin.policy.arn import arn_matches
from iamtwin.policy.model import Condition
from iamtwin.policy.operators import BASE_OPERATORS, split_operator
from iamtwin.policy.parse import parse_policy
from iamtwin.policy.variables import parse_template
from iamtwin.simulate.input import read_request
from iamtwin.simulate.reading import read_derived_request

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)

# Values of every operator family, valid and not, so that generated conditions do match sometimes.
VALUES = [
    "a", "b", "A", "a*", "*", "?", "", "${aws:username}", "${aws:PrincipalTag/team}", "x${aws:username}*",
    "1", "2.5", "-3", "10", "2024-01-01T00:00:00Z", "2026-03-01T12:00:00Z", "1700000000", "2024-13-01",
    "10.0.0.0/8", "10.1.2.3", "2001:db8::/32", "2001:db8::1", "not-an-ip", "true", "false", "TRUE", "maybe",
    "arn:aws:iam::111122223333:user/*", "arn:aws:iam::111122223333:user/alice", "arn:aws:s3:::b/*", "notarn",
    "YQ==", "Yg==", "!!",
]  # fmt: skip
value = st.sampled_from(VALUES)


def _context(key_value: Any, username: Any, team: Any) -> RequestContext:
    data: dict[str, Any] = {}
    for key, supplied in (("k", key_value), ("aws:username", username), ("aws:PrincipalTag/team", team)):
        if supplied is not None:
            data[key] = supplied
    return RequestContext.from_mapping(data)


@settings(max_examples=1500, deadline=None)
@given(
    name=st.sampled_from(BASE_OPERATORS),
    qualifier=st.sampled_from(["", "ForAllValues:", "ForAnyValue:"]),
    if_exists=st.booleans(),
    policy=st.lists(value, min_size=1, max_size=3),
    request=st.one_of(st.none(), value, st.lists(value, max_size=3)),
    username=st.one_of(st.none(), value, st.lists(value, max_size=2)),
    team=st.one_of(st.none(), value),
    substitute=st.booleans(),
)
def test_specialised_check_is_holds(
    name: str,
    qualifier: str,
    if_exists: bool,
    policy: list[str],
    request: Any,
    username: Any,
    team: Any,
    substitute: bool,
) -> None:
    """`check` answers what `evaluate(...).matched` answers, on every operator and context shape."""
    operator = qualifier + name + ("IfExists" if if_exists and name != "Null" else "")
    split = split_operator(operator)
    assert split is not None
    model = Condition(operator, split[1], split[0], split[2], "k", tuple(policy), "Statement[0].Condition")
    condition = compile_condition(model, substitute)
    context = _context(request, username, team)
    expected = condition.evaluate(context).matched
    assert condition.check(context.get_value, context) is expected
    assert condition.holds(context) is expected


RESOURCES = [
    "*", "arn:aws:s3:::bucket", "arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/alice/*", "arn:aws:s3:::b?cket/x",
    "arn:aws:s3:::bucket/${aws:username}/*", "arn:aws:s3:::${aws:PrincipalTag/team}-*/${aws:username}",
    "arn:aws:s3:::bucket/${*}", "arn:aws:ec2:*:111122223333:instance/*", "arn:aws:iam::*:user/alice", "notarn*",
    "arn:aws:s3:::bucket/${aws:username, 'nobody'}",
]  # fmt: skip
REQUESTED = [
    "arn:aws:s3:::bucket", "arn:aws:s3:::bucket/alice/x", "arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/nobody",
    "arn:aws:s3:::data-x/alice", "arn:aws:ec2:eu-west-1:111122223333:instance/i-1", "arn:aws:iam::1:user/alice",
    "arn:aws:s3:::bicket/x", "*",
]  # fmt: skip


def _reference_covers(patterns: list[str], negate: bool, substitute: bool, resource: str, ctx: RequestContext) -> bool:
    """Resource matching pattern by pattern, as the engine did before the predicates were combined."""
    if "*" in patterns:
        return not negate

    def one(pattern: str) -> bool:
        if substitute and "${" in pattern:
            template = parse_template(pattern)
            if not template.plain:
                rendered = template.render(ctx.single, for_pattern=True)
                return rendered is not None and arn_matches(rendered, resource)
        return arn_matches(pattern, resource)

    return any(one(p) for p in patterns) != negate


@settings(max_examples=800, deadline=None)
@given(
    patterns=st.lists(st.sampled_from(RESOURCES), min_size=1, max_size=4),
    negate=st.booleans(),
    version=st.sampled_from(["2012-10-17", "2008-10-17"]),
    resource=st.sampled_from(REQUESTED),
    username=st.one_of(st.none(), st.sampled_from(["alice", "a*", "nobody"]), st.just(["alice", "bob"])),
    team=st.one_of(st.none(), st.sampled_from(["data", "d?ta"])),
)
def test_resource_predicate_is_pattern_by_pattern(
    patterns: list[str], negate: bool, version: str, resource: str, username: Any, team: Any
) -> None:
    """A statement's one Resource/NotResource predicate agrees with matching each pattern on its own."""
    element = "NotResource" if negate else "Resource"
    document = {"Version": version, "Statement": [{"Effect": "Allow", "Action": "s3:*", element: patterns}]}
    statement = CompiledPolicy(PolicyType.IDENTITY, "p", parse_policy(document)).statements[0]
    context = _context(None, username, team)
    substitute = version == "2012-10-17"
    for _ in range(2):  # the second time through the kept matchers
        expected = _reference_covers(patterns, negate, substitute, resource, context)
        assert statement.covers_resource(resource, context) is expected


PRINCIPALS = [
    "arn:aws:iam::111122223333:user/alice", "arn:aws:sts::111122223333:assumed-role/Admin/s", "*",
    "arn:aws:iam::111122223333:role/Admin", "lambda.amazonaws.com", "not a principal", 7,
]  # fmt: skip
CONTEXT_KEYS = ["aws:SourceIp", "AWS:SOURCEIP", "aws:PrincipalArn", "aws:username", "aws:PrincipalTag/team", "k", 3]
CONTEXT_VALUES = st.one_of(
    st.sampled_from(["10.1.2.3", "arn:aws:iam::111122223333:role/path/Admin", "alice", ""]),
    st.sampled_from([True, False, 5, 2.5, None]),
    st.lists(st.sampled_from(["a", "b", 1, True, 2.5, None]), max_size=3),
    st.just({"nested": "x"}),
)
TAGS = st.one_of(
    st.none(),
    st.just({}),
    st.dictionaries(st.sampled_from(["team", "env", "Team"]), st.sampled_from(["data", "web"]), max_size=2),
    st.sampled_from([{"team": 5}, {5: "team"}, ["team"], "team", "", 5, 0]),
)


@st.composite
def request_objects(draw: st.DrawFn) -> Any:
    """Request objects of the usual shape and every way away from it."""
    data: dict[Any, Any] = {
        "principal": draw(st.sampled_from(PRINCIPALS)),
        "action": draw(st.sampled_from(["s3:GetObject", "S3:getobject", "s3:*", "bad", 1])),
    }
    if draw(st.booleans()):
        data["resource"] = draw(st.sampled_from(["arn:aws:s3:::b/k", "arn:aws:ec2:eu-west-1:444455556666:i/x", "", 3]))
    if draw(st.booleans()):
        data["resource_account"] = draw(st.sampled_from(["111122223333", "444455556666", "1234", None, 111122223333]))
    if draw(st.booleans()):
        data["context"] = draw(
            st.one_of(st.dictionaries(st.sampled_from(CONTEXT_KEYS), CONTEXT_VALUES, max_size=4), st.just([]))
        )
    for key in ("principal_tags", "resource_tags"):
        if draw(st.booleans()):
            data[key] = draw(TAGS)
    if draw(st.integers(0, 9)) == 0:
        data["unknown"] = 1
    return data if draw(st.integers(0, 19)) else [data]


def _general(data: Any) -> Request:
    r = read_request(data)
    return build_request(
        r.principal, r.action, r.resource, r.resource_account, r.context, r.principal_tags, r.resource_tags, NOW
    )


def _outcome(read: Any, data: Any) -> Any:
    try:
        request = read(data)
    except IamtwinError as error:
        return ("error", type(error), error.code, error.message, error.location)
    except (AttributeError, TypeError) as error:
        return ("raised", type(error), str(error))
    entries = [(key, tuple(entry)) for key, entry in request.context.entries.items()]
    fields = (request.principal, request.action, request.resource, request.resource_account)
    return (fields, request.action_lower, request.service, entries, type(request))


@settings(max_examples=1500, deadline=None)
@given(data=request_objects())
def test_one_pass_reading_is_read_then_build(data: Any) -> None:
    """Same Request (context keys in the same order) or the same error, whatever the request object."""
    assert _outcome(lambda d: read_derived_request(d, NOW), data) == _outcome(_general, data)


def test_made_values_are_the_dataclasses() -> None:
    """`make_request` and `make_decision` give ordinary, equal Request and Decision values."""
    principal = parse_principal("arn:aws:iam::111122223333:user/alice")
    context = RequestContext.from_mapping({"aws:SourceIp": "10.1.2.3"})
    made = make_request(principal, "s3:GetObject", "arn:aws:s3:::b/k", None, context, "s3:getobject", "s3")
    built = Request(principal, "s3:GetObject", "arn:aws:s3:::b/k", None, context)
    assert type(made) is Request and made == built and repr(made) == repr(built)
    fields = (made, Outcome.ALLOWED, (PolicyType.SCP,), ("p",), (), {}, (), frozenset(), ())
    decision = make_decision(*fields)
    assert type(decision) is Decision and decision == Decision(*fields) and repr(decision) == repr(Decision(*fields))
    with pytest.raises(AttributeError):
        decision.outcome = Outcome.IMPLICIT_DENY  # type: ignore[misc]


def test_interned_entries_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    """The interner starts afresh at its limit, and the entries it gives stay right across the reset."""
    from iamtwin.evaluate import context

    monkeypatch.setattr(context, "_INTERNED_LIMIT", 3)
    interner = context.EntryInterner("aws:PrincipalTag/")
    for round_ in range(3):
        for value in ("a", "b", "c", "d"):
            entries: dict[str, context.ContextValue] = {}
            interner.add_to(entries, {"Team": value, "env": str(round_)})
            assert entries == {
                "aws:principaltag/team": context.ContextValue("aws:PrincipalTag/Team", (value,), False),
                "aws:principaltag/env": context.ContextValue("aws:PrincipalTag/env", (str(round_),), False),
            }
            assert interner.count <= 3
    entries = {}
    interner.add_to(entries, {"n": 5})  # type: ignore[dict-item]  # not a string pair: made, not kept
    assert entries == {"aws:principaltag/n": context.ContextValue("aws:PrincipalTag/n", (5,), False)}  # type: ignore[arg-type]
