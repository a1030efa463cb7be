"""Unit tests of the condition operators and of condition evaluation.

Pages followed (each test names the section it checks):
OPS   https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
MULTI https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
VARS  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iamtwin.evaluate.conditions import OPERATORS, ValueCode, compile_condition, get_operator
from iamtwin.evaluate.conditions.date import parse_instant
from iamtwin.evaluate.conditions.evaluation import CompiledCondition
from iamtwin.evaluate.conditions.ip import parse_address, parse_network
from iamtwin.evaluate.conditions.numeric import parse_number
from iamtwin.evaluate.context import ContextValue, RequestContext
from iamtwin.evaluate.decision import ConditionReason
from iamtwin.evaluate.errors import ConditionValueError
from iamtwin.policy.model import Condition, SetQualifier
from iamtwin.policy.operators import BASE_OPERATORS, split_operator

R = ConditionReason


def cond(operator: str, key: str, *values: str) -> Condition:
    """A Condition model as the parser would build it."""
    split = split_operator(operator)
    assert split is not None
    qualifier, base, if_exists = split
    return Condition(operator, base, qualifier, if_exists, key, values, f"Statement[0].Condition.{operator}.{key}")


def compiled(operator: str, key: str, *values: str, variables: bool = True) -> CompiledCondition:
    """A compiled condition."""
    return compile_condition(cond(operator, key, *values), variables)


def ctx(**pairs: str | list[str]) -> RequestContext:
    """A request context; `__` in a name stands for `:` (aws__SourceIp is aws:SourceIp)."""
    return RequestContext.from_mapping({k.replace("__", ":"): v for k, v in pairs.items()})


# --- the registry -----------------------------------------------------------------------------


def test_registry_covers_exactly_the_grammar() -> None:
    """Every operator the grammar accepts has an implementation and no other (OPS)."""
    assert set(OPERATORS) == set(BASE_OPERATORS)
    for name in BASE_OPERATORS:
        assert get_operator(name).name == name


@pytest.mark.parametrize("name", BASE_OPERATORS)
def test_operator_flags(name: str) -> None:
    """Negation, wildcards and variable support per family as the OPS page lists them."""
    op = get_operator(name)
    assert op.negated == ("Not" in name)
    assert op.uses_wildcards == (name.endswith("Like") or name.startswith("Arn"))
    no_variables = ("Numeric", "Date", "Binary", "IpAddress", "NotIpAddress", "Null")
    assert op.supports_variables == (not name.startswith(no_variables))


def test_arn_equals_is_arn_like() -> None:
    """OPS#Conditions_ARN: "The ArnEquals and ArnLike condition operators behave identically"."""
    assert type(get_operator("ArnEquals")) is type(get_operator("ArnLike"))
    assert type(get_operator("ArnNotEquals")) is type(get_operator("ArnNotLike"))


# --- parsing values ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [("10", Decimal(10)), ("-3", Decimal(-3)), ("+2.50", Decimal("2.5")), (".5", Decimal("0.5")), ("7.", Decimal(7))],
)
def test_numbers(text: str, value: Decimal) -> None:
    """OPS#Conditions_Numeric: integers and decimals."""
    assert parse_number(text) == value


@pytest.mark.parametrize("text", ["", " 1", "1 ", "1e3", "NaN", "Infinity", "0x10", "1,000", "--1", "."])
def test_not_numbers(text: str) -> None:
    """OPS#Conditions_Numeric: anything else is INVALID_NUMBER, never coerced."""
    with pytest.raises(ConditionValueError) as info:
        parse_number(text)
    assert info.value.code == ValueCode.INVALID_NUMBER


@pytest.mark.parametrize(
    ("text", "epoch"),
    [
        ("1970-01-01", 0),
        ("1970-01", 0),
        ("1970-01-01T00:00Z", 0),
        ("2024-01-01T00:00:00Z", 1704067200),
        ("2024-01-01T02:00:00+02:00", 1704067200),
        ("2023-12-31T19:00:00-05:00", 1704067200),
        ("1704067200", 1704067200),
        ("2024-01-01T00:00:00.000Z", 1704067200),
    ],
)
def test_dates(text: str, epoch: int) -> None:
    """OPS#Conditions_Date: the W3C profile of ISO 8601 (https://www.w3.org/TR/NOTE-datetime) or epoch."""
    assert parse_instant(text) == epoch


@pytest.mark.parametrize(
    "text",
    [
        "",
        "2024",
        "2024-1-01",
        "2024-13-01",
        "2024-02-30",
        "2024-01-01T00:00:00",
        "2024-01-01 00:00:00Z",
        "2024-01-01T24:00:00Z",
        "2024-01-01T00:60:00Z",
        "2024-01-01T00:00:00+24:00",
        "2024-01-01T00:00:00.Z",
        "2024-01-01t00:00:00z",
        "-5",
        "next tuesday",
    ],
)
def test_not_dates(text: str) -> None:
    """OPS#Conditions_Date: anything outside the W3C profile and epoch seconds is INVALID_DATE.

    `2024` alone is read as epoch seconds, so it is a date; the list above checks other forms.
    """
    if text == "2024":
        assert parse_instant(text) == 2024
        return
    with pytest.raises(ConditionValueError) as info:
        parse_instant(text)
    assert info.value.code == ValueCode.INVALID_DATE


def test_fraction_is_exact() -> None:
    """OPS#Conditions_Date: fractional seconds compare exactly (no float rounding)."""
    assert parse_instant("2024-01-01T00:00:00.1Z") < parse_instant("2024-01-01T00:00:00.10000000000000001Z")


@pytest.mark.parametrize(
    ("text", "network"),
    [
        ("203.0.113.0/24", (4, 0xCB007100, 0xFFFFFF00)),
        ("203.0.113.77/24", (4, 0xCB007100, 0xFFFFFF00)),
        ("203.0.113.77", (4, 0xCB00714D, 0xFFFFFFFF)),
        ("0.0.0.0/0", (4, 0, 0)),
        ("2001:DB8::/32", (6, 0x20010DB8 << 96, ((1 << 32) - 1) << 96)),
    ],
)
def test_networks(text: str, network: tuple[int, int, int]) -> None:
    """OPS#Conditions_IPAddress: CIDR or bare address (/32), host bits accepted."""
    assert parse_network(text) == network


@pytest.mark.parametrize("text", ["", "300.1.1.1", "10.0.0.0/33", "2001:db8::/129", "10.0.0.0/-1", "localhost"])
def test_not_networks(text: str) -> None:
    """OPS#Conditions_IPAddress: anything else is INVALID_IP."""
    with pytest.raises(ConditionValueError) as info:
        parse_network(text)
    assert info.value.code == ValueCode.INVALID_IP


def test_address_is_not_a_range() -> None:
    """OPS#Conditions_IPAddress: the request's aws:SourceIp is one address."""
    assert parse_address("::1") == (6, 1)
    with pytest.raises(ConditionValueError):
        parse_address("10.0.0.0/8")


@pytest.mark.parametrize(
    ("name", "text", "code"),
    [
        ("Bool", "yes", ValueCode.INVALID_BOOL),
        ("BinaryEquals", "not base64!", ValueCode.INVALID_BASE64),
        ("ArnLike", "arn:aws:s3", ValueCode.INVALID_ARN),
        ("Null", "maybe", ValueCode.INVALID_NULL_VALUE),
        ("DateEquals", "soon", ValueCode.INVALID_DATE),
    ],
)
def test_policy_value_codes(name: str, text: str, code: ValueCode) -> None:
    """OPS: each family's wrong-type value has a stable code and a house-style message."""
    with pytest.raises(ConditionValueError) as info:
        get_operator(name).parse_policy_value(text)
    assert info.value.code == code
    assert info.value.message[0] == "`" and not info.value.message.endswith(".")


# --- missing keys, qualifiers and IfExists ------------------------------------------------------

MISSING_TABLE = [
    # operator, expected matched, expected reason
    ("StringEquals", False, R.KEY_MISSING),
    ("StringNotEquals", True, R.KEY_MISSING_NEGATED),
    ("StringEqualsIfExists", True, R.KEY_MISSING_IF_EXISTS),
    ("StringNotEqualsIfExists", True, R.KEY_MISSING_IF_EXISTS),
    ("ForAllValues:StringEquals", True, R.EMPTY_SET_FOR_ALL_VALUES),
    ("ForAllValues:StringNotEquals", True, R.EMPTY_SET_FOR_ALL_VALUES),
    ("ForAllValues:StringEqualsIfExists", True, R.EMPTY_SET_FOR_ALL_VALUES),
    ("ForAnyValue:StringEquals", False, R.EMPTY_SET_FOR_ANY_VALUE),
    ("ForAnyValue:StringNotEquals", False, R.EMPTY_SET_FOR_ANY_VALUE),
    ("ForAnyValue:StringEqualsIfExists", True, R.KEY_MISSING_IF_EXISTS),
    ("NumericLessThan", False, R.KEY_MISSING),
    ("NotIpAddress", True, R.KEY_MISSING_NEGATED),
    ("ArnNotLike", True, R.KEY_MISSING_NEGATED),
    ("DateGreaterThanIfExists", True, R.KEY_MISSING_IF_EXISTS),
]


@pytest.mark.parametrize(("operator", "matched", "reason"), MISSING_TABLE)
def test_missing_key(operator: str, matched: bool, reason: ConditionReason) -> None:
    """OPS "Important" box and #Conditions_IfExists; MULTI on ForAllValues/ForAnyValue with no key."""
    value = "10" if "Numeric" in operator else "2024-01-01" if "Date" in operator else "x"
    if "Ip" in operator:
        value = "10.0.0.0/8"
    if "Arn" in operator:
        value = "arn:aws:s3:::b"
    result = compiled(operator, "example:Key", value).evaluate(ctx(other="v"))
    assert (result.matched, result.reason, result.context_values, result.error) == (matched, reason, None, None)


@pytest.mark.parametrize(("operator", "matched", "reason"), MISSING_TABLE[:10])
def test_empty_list_counts_as_missing(operator: str, matched: bool, reason: ConditionReason) -> None:
    """MULTI: an empty set behaves as an absent key (ForAllValues true, ForAnyValue false)."""
    result = compiled(operator, "aws:TagKeys", "x").evaluate(RequestContext([ContextValue("aws:TagKeys", (), True)]))
    assert (result.matched, result.reason, result.context_values) == (matched, reason, ())


def test_key_lookup_ignores_case_values_do_not() -> None:
    """OPS: condition keys are case-insensitive; StringEquals values are case-sensitive."""
    condition = compiled("StringEquals", "AWS:PrincipalTag/TEAM", "Blue")
    assert condition.evaluate(ctx(**{"aws__principaltag/team": "Blue"})).matched
    assert not condition.evaluate(ctx(**{"aws__principaltag/team": "blue"})).matched


def test_operator_name_case_is_not_significant() -> None:
    """The grammar matches operator names without regard to case; the canonical base is used."""
    assert compiled("stringequalsifexists", "k", "v").evaluate(ctx()).reason is R.KEY_MISSING_IF_EXISTS


@pytest.mark.parametrize(
    ("operator", "values", "matched"),
    [
        ("StringEquals", ["a", "z"], True),  # OR over context values
        ("StringNotEquals", ["a", "z"], False),  # NOR: one pair matches
        ("StringNotEquals", ["y", "z"], True),
        ("ForAllValues:StringEquals", ["a", "b"], True),
        ("ForAllValues:StringEquals", ["a", "z"], False),
        ("ForAllValues:StringNotEquals", ["y", "z"], True),
        ("ForAllValues:StringNotEquals", ["a", "z"], False),
        ("ForAnyValue:StringEquals", ["a", "z"], True),
        ("ForAnyValue:StringEquals", ["y", "z"], False),
        ("ForAnyValue:StringNotEquals", ["a", "z"], True),
        ("ForAnyValue:StringNotEquals", ["a", "b"], False),
    ],
)
def test_set_logic(operator: str, values: list[str], matched: bool) -> None:
    """MULTI: ForAllValues = every context value, ForAnyValue = at least one; negated = matches none."""
    result = compiled(operator, "aws:TagKeys", "a", "b").evaluate(ctx(aws__TagKeys=values))
    assert result.matched is matched
    assert result.reason is (R.MATCHED if matched else R.NOT_MATCHED)
    assert result.context_values == tuple(values)


def test_null_ignores_qualifier_and_if_exists() -> None:
    """OPS#Conditions_Null: Null tests presence only; IfExists cannot change it."""
    for operator in ("Null", "ForAnyValue:Null", "NullIfExists"):
        assert compiled(operator, "aws:TokenIssueTime", "true").evaluate(ctx()).matched
        assert not compiled(operator, "aws:TokenIssueTime", "true").evaluate(ctx(aws__TokenIssueTime="t")).matched


def test_null_accepts_both_values() -> None:
    """OPS#Conditions_Null: values are OR-ed, so [true, false] holds either way."""
    condition = compiled("Null", "aws:TokenIssueTime", "true", "false")
    assert condition.evaluate(ctx()).matched
    assert condition.evaluate(ctx(aws__TokenIssueTime="t")).matched


# --- bad values ---------------------------------------------------------------------------------


def test_bad_policy_value_is_kept_not_raised() -> None:
    """A bad policy value is reported on every evaluation, with its code and the condition's path."""
    condition = compiled("IpAddress", "aws:SourceIp", "10.0.0.0/8", "nope")
    assert condition.policy_error is not None
    for request in (ctx(), ctx(aws__SourceIp="10.1.2.3")):
        result = condition.evaluate(request)
        assert (result.matched, result.reason) == (False, R.INVALID_VALUE)
        assert result.error is condition.policy_error
        assert result.error.code == ValueCode.INVALID_IP
        assert result.error.location is not None
        assert result.error.location.path == "Statement[0].Condition.IpAddress.aws:SourceIp"
        assert not condition.holds(request)


def test_bad_context_value_is_an_error_not_a_coercion() -> None:
    """`aws:SourceIp` = `not-an-ip` is INVALID_VALUE with the error, for positive and negated operators."""
    for operator in ("IpAddress", "NotIpAddress", "IpAddressIfExists", "ForAllValues:NotIpAddress"):
        result = compiled(operator, "aws:SourceIp", "10.0.0.0/8").evaluate(ctx(aws__SourceIp="not-an-ip"))
        assert (result.matched, result.reason, result.context_values) == (False, R.INVALID_VALUE, ("not-an-ip",))
        assert result.error is not None and result.error.code == ValueCode.INVALID_IP
        assert "aws:SourceIp" in result.error.message


def test_bad_value_anywhere_in_a_multivalued_key() -> None:
    """Every context value is parsed, so a bad one is seen even after a matching one."""
    result = compiled("ForAnyValue:NumericEquals", "k", "1").evaluate(ctx(k=["1", "one"]))
    assert result.reason is R.INVALID_VALUE


@settings(max_examples=300, deadline=None)
@given(
    name=st.sampled_from(BASE_OPERATORS),
    qualifier=st.sampled_from(["", "ForAllValues:", "ForAnyValue:"]),
    if_exists=st.booleans(),
    policy=st.lists(st.text(max_size=12), min_size=1, max_size=3),
    request=st.one_of(st.none(), st.text(max_size=12), st.lists(st.text(max_size=12), max_size=3)),
)
def test_evaluate_never_raises(
    name: str, qualifier: str, if_exists: bool, policy: list[str], request: str | list[str] | None
) -> None:
    """Whatever the values, evaluate() returns a result; an error always comes with INVALID_VALUE."""
    operator = qualifier + name + ("IfExists" if if_exists else "")
    condition = compiled(operator, "k", *policy)
    context = ctx() if request is None else ctx(k=request)
    result = condition.evaluate(context)
    assert (result.error is not None) == (result.reason is R.INVALID_VALUE)
    if result.error is not None:
        assert not result.matched
    assert condition.holds(context) is result.matched


# --- policy variables ----------------------------------------------------------------------------


def test_unresolved_variable_matches_nothing() -> None:
    """VARS "Policy variables with no value": StringEquals/StringLike do not match."""
    for operator in ("StringEquals", "StringLike", "ForAnyValue:StringLike", "ForAllValues:StringEquals"):
        result = compiled(operator, "s3:prefix", "${aws:username}").evaluate(ctx(s3__prefix="alice"))
        assert (result.matched, result.reason) == (False, R.VARIABLE_UNRESOLVED)


def test_unresolved_variable_negated_operators_match() -> None:
    """VARS: "Inverted condition operators like StringNotEquals or StringNotLike do match against a null value"."""
    for operator in ("StringNotEquals", "StringNotLike", "ArnNotLike", "ForAllValues:StringNotEquals"):
        value = "arn:aws:s3:::${aws:username}" if "Arn" in operator else "${aws:username}"
        request = ctx(k="arn:aws:s3:::alice" if "Arn" in operator else "alice")
        result = compiled(operator, "k", value).evaluate(request)
        assert (result.matched, result.reason) == (True, R.VARIABLE_UNRESOLVED)


def test_multivalued_variable_does_not_render() -> None:
    """VARS: a multivalued key cannot be a variable; the value matches nothing."""
    result = compiled("StringEquals", "k", "${aws:TagKeys}").evaluate(ctx(k="a", aws__TagKeys=["a"]))
    assert (result.matched, result.reason) == (False, R.VARIABLE_UNRESOLVED)


def test_variables_literal_when_not_substituted() -> None:
    """VARS: variables are replaced only in Version 2012-10-17; in 2008-10-17 they are text."""
    condition = compiled("StringEquals", "k", "${aws:username}", variables=False)
    assert condition.templates == ()
    assert condition.evaluate(ctx(k="${aws:username}", aws__username="x")).matched


def test_rendered_values_are_parsed_once() -> None:
    """Compile once: a rendered policy value is parsed on first use and reused after."""
    condition = compiled("StringLike", "s3:prefix", "home/${aws:username}/*")
    for _ in range(3):
        assert condition.evaluate(ctx(s3__prefix="home/alice/x", aws__username="alice")).matched
    assert condition.evaluate(ctx(s3__prefix="home/bob/x", aws__username="bob")).matched
    assert len(condition._rendered) == 2


def test_rendered_bad_value_is_an_error() -> None:
    """A variable rendering to a value of the wrong type is INVALID_VALUE (Bool supports variables)."""
    result = compiled("Bool", "aws:SecureTransport", "${aws:PrincipalTag/tls}").evaluate(
        ctx(aws__SecureTransport="true", **{"aws__PrincipalTag/tls": "sometimes"})
    )
    assert (result.reason, result.error and result.error.code) == (R.INVALID_VALUE, ValueCode.INVALID_BOOL)


# --- results -----------------------------------------------------------------------------------


def test_result_is_frozen() -> None:
    """Results are values."""
    result = compiled("StringEquals", "k", "v").evaluate(ctx(k="v"))
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.matched = False  # type: ignore[misc]
    assert result.context_values == ("v",)


def test_qualifier_kept_on_the_model() -> None:
    """The compiled condition keeps the condition as written for explanations."""
    condition = compiled("ForAnyValue:StringLikeIfExists", "aws:TagKeys", "a*")
    assert condition.condition.qualifier is SetQualifier.FOR_ANY_VALUE
    assert condition.condition.if_exists
    assert condition.key_lower == "aws:tagkeys"


@settings(max_examples=200, deadline=None)
@given(
    account=st.sampled_from(["123456789012", "111122223333", "*", "1234567890?2"]),
    name=st.text(alphabet="ab/*?:", max_size=8),
    arn_account=st.sampled_from(["123456789012", "111122223333"]),
    arn_name=st.text(alphabet="ab/:", max_size=8),
)
def test_arn_equals_and_arn_like_agree(account: str, name: str, arn_account: str, arn_name: str) -> None:
    """OPS#Conditions_ARN: ArnEquals and ArnLike give the same answer on any pattern and ARN."""
    pattern = f"arn:aws:sqs:us-east-1:{account}:{name}"
    request = ctx(aws__SourceArn=f"arn:aws:sqs:us-east-1:{arn_account}:{arn_name}")
    equals = compiled("ArnEquals", "aws:SourceArn", pattern).evaluate(request)
    like = compiled("ArnLike", "aws:SourceArn", pattern).evaluate(request)
    assert (equals.matched, equals.reason) == (like.matched, like.reason)
