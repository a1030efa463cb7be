"""Fuzzing the parser: on any JSON value, any text and any bytes it returns a PolicyDocument or
raises PolicySyntaxError, and nothing else.

Generated values lean toward policy shapes (element names, operators, principal types, effects)
so that the grammar checks deep inside statements are reached, not only the top-level ones.
Grammar: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iamtwin.policy.errors import PolicySyntaxError
from iamtwin.policy.model import PolicyDocument
from iamtwin.policy.parse import PRINCIPAL_KEYS, STATEMENT_ELEMENTS, TOP_ELEMENTS, parse_policy
from iamtwin.policy.problems import PROBLEM_CODES

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# Generating whole policies is slower than checking them; fewer examples keep the suite quick.
GRAMMAR_FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

ELEMENT_NAMES = [
    *TOP_ELEMENTS,
    *STATEMENT_ELEMENTS,
    *PRINCIPAL_KEYS,
    "StringEquals",
    "ForAllValues:StringLike",
    "ForAnyValue:ArnLikeIfExists",
    "NullIfExists",
    "Null",
    "Bool",
    "NumericLessThan",
    "aws:SourceIp",
    "aws:username",
    "AWS:UserName",
]
STRING_VALUES = ["Allow", "Deny", "*", "2012-10-17", "2008-10-17", "s3:GetObject", "arn:aws:s3:::b/*", "true"]

keys = st.sampled_from(ELEMENT_NAMES) | st.text(max_size=6)
scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from(STRING_VALUES)
    | st.text(max_size=10)
)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=5),
    max_leaves=30,
)

strings = st.sampled_from(STRING_VALUES) | st.text(max_size=8)
string_or_list = strings | st.lists(strings, max_size=3)
condition_values = st.sampled_from(["a", "10", "true"]) | st.booleans() | st.integers()
valid_statements = st.fixed_dictionaries(
    {"Effect": st.sampled_from(["Allow", "Deny"]), "Action": string_or_list},
    optional={
        "Sid": st.text(alphabet="abcXYZ019", min_size=1, max_size=6),
        "Resource": string_or_list,
        "Principal": st.just("*")
        | st.dictionaries(st.sampled_from(["AWS", "Service", "Federated", "CanonicalUser"]), string_or_list),
        "Condition": st.dictionaries(
            st.sampled_from(["StringEquals", "ForAnyValue:StringLike", "NumericLessThanIfExists", "Bool"]),
            st.dictionaries(
                st.sampled_from(["aws:SourceIp", "aws:username", "s3:prefix"]),
                condition_values | st.lists(condition_values, min_size=1, max_size=3),
            ),
        ),
    },
)
valid_policies = st.fixed_dictionaries(
    {"Statement": valid_statements | st.lists(valid_statements, min_size=1, max_size=3)},
    optional={"Version": st.sampled_from(["2012-10-17", "2008-10-17"]), "Id": st.text(max_size=5)},
)


def _loose(strategy: st.SearchStrategy[object]) -> st.SearchStrategy[object]:
    """Mostly the grammatical value, sometimes any JSON value in its place."""
    return st.one_of(strategy, strategy, json_values)


operators = st.sampled_from(["StringEquals", "stringlike", "ForAllValues:StringEquals", "NullIfExists", "Nope"])
condition_keys = st.sampled_from(["aws:SourceIp", "aws:sourceip", "AWS:SourceIP", "s3:prefix"])
loose_statements = st.fixed_dictionaries(
    {},
    optional={
        "Sid": _loose(st.sampled_from(["A", "B"])),
        "Effect": _loose(st.sampled_from(["Allow", "Deny", "allow"])),
        "Action": _loose(string_or_list),
        "NotAction": _loose(string_or_list),
        "Resource": _loose(string_or_list),
        "NotResource": _loose(string_or_list),
        "Principal": _loose(st.just("*") | st.dictionaries(keys, _loose(string_or_list), max_size=3)),
        "NotPrincipal": _loose(st.just("*") | st.dictionaries(keys, _loose(string_or_list), max_size=3)),
        "Condition": _loose(
            st.dictionaries(
                operators,
                _loose(st.dictionaries(condition_keys, _loose(condition_values | st.lists(condition_values)))),
                max_size=3,
            )
        ),
        "Extra": json_values,
    },
)
loose_policies = st.fixed_dictionaries(
    {"Statement": _loose(loose_statements | st.lists(_loose(loose_statements), max_size=4))},
    optional={"Version": _loose(st.sampled_from(["2012-10-17", "2008-10-17"])), "Id": json_values},
)


def _outcome(source: str | bytes | Mapping[str, object]) -> PolicyDocument | PolicySyntaxError:
    """Parse; any exception other than PolicySyntaxError fails the test by propagating."""
    try:
        return parse_policy(source)
    except PolicySyntaxError as error:
        assert error.problems
        for problem in error.problems:
            assert problem.code in PROBLEM_CODES
        return error


def _signature(outcome: PolicyDocument | PolicySyntaxError) -> list[tuple[str, str]]:
    if isinstance(outcome, PolicyDocument):
        return []
    return sorted((p.code, p.location.path) for p in outcome.problems)


def _check_value(value: object) -> None:
    text = json.dumps(value)
    from_text = _outcome(text)
    if isinstance(from_text, PolicySyntaxError):
        assert all(p.location.line is not None for p in from_text.problems)
    if isinstance(value, dict):
        # Text and mapping agree on the problems, path by path.
        assert _signature(_outcome(value)) == _signature(from_text)


@FUZZ
@given(json_values)
def test_any_json_value(value: object) -> None:
    """Any JSON value, as a mapping or as text, gives a document or the typed error."""
    _check_value(value)


@GRAMMAR_FUZZ
@given(loose_policies)
def test_policy_shaped_value(value: object) -> None:
    """A policy-shaped value with arbitrary parts, as a mapping or as text, gives a document or the typed error."""
    _check_value(value)


@FUZZ
@given(st.text())
def test_any_text(text: str) -> None:
    """Any text gives a document or the typed error."""
    _outcome(text)


@FUZZ
@given(st.binary())
def test_any_bytes(data: bytes) -> None:
    """Any bytes give a document or the typed error."""
    _outcome(data)


@GRAMMAR_FUZZ
@given(valid_policies, st.data())
def test_damaged_policy_text(policy: dict[str, object], data: st.DataObject) -> None:
    """A valid policy's text with one character removed, replaced or inserted never crashes."""
    text = json.dumps(policy, indent=data.draw(st.sampled_from([None, 2])))
    at = data.draw(st.integers(0, len(text)))
    char = data.draw(st.sampled_from(list('{}[]",: \\\nu0')) | st.characters())
    edit = data.draw(st.sampled_from(["remove", "replace", "insert"]))
    if edit == "remove":
        damaged = text[:at] + text[at + 1 :]
    elif edit == "replace":
        damaged = text[:at] + char + text[at + 1 :]
    else:
        damaged = text[:at] + char + text[at:]
    outcome = _outcome(damaged)
    if isinstance(outcome, PolicySyntaxError):
        assert all(p.location.line is not None for p in outcome.problems)


@GRAMMAR_FUZZ
@given(valid_policies)
def test_valid_policies_parse(policy: dict[str, object]) -> None:
    """Policies generated from the grammar parse, from a mapping and from text, to equal models."""
    statements = policy["Statement"]
    sids = [s["Sid"] for s in statements if "Sid" in s] if isinstance(statements, list) else []
    if len(sids) != len(set(sids)):
        return
    from_mapping = parse_policy(policy)
    assert from_mapping == parse_policy(json.dumps(policy))
    assert len(from_mapping.statements) == (len(statements) if isinstance(statements, list) else 1)
