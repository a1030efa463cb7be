"""A condition as a z3 formula over the request's key variables, with the engine's rules.

The rules are those of evaluate/conditions/evaluation.py: an absent key (or an empty list) gives
the "missing" outcome (ForAllValues true; IfExists true; ForAnyValue false; negated operators
true; positive ones false); otherwise a positive operator needs some value to match some policy
value, a negated one needs no value to; ForAllValues needs every value to satisfy the operator,
ForAnyValue one. Null looks only at presence. A policy value of the wrong type makes the
condition never hold; a policy variable without a single value drops its policy value.
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable

import z3  # type: ignore[import-untyped]  # z3-solver ships no type information

from ...evaluate.conditions.boolean import parse_bool
from ...evaluate.conditions.date import parse_instant
from ...evaluate.conditions.ip import parse_network
from ...evaluate.conditions.numeric import parse_number
from ...evaluate.errors import ConditionValueError
from ...policy.arn import compile_arn_condition_pattern
from ...policy.model import Condition, SetQualifier
from ...policy.patterns import LITERAL_QUESTION, LITERAL_STAR
from ...policy.variables import Literal, Template, parse_template
from .patterns import Dialect, match_text
from .request import IP_BITS, Family, IpValue, SymbolicRequest, Value
from .templates import match_template

FAMILIES: dict[str, Family] = {
    **{
        name: Family.STRING
        for name in (
            "StringEquals",
            "StringNotEquals",
            "StringEqualsIgnoreCase",
            "StringNotEqualsIgnoreCase",
            "StringLike",
            "StringNotLike",
            "ArnEquals",
            "ArnLike",
            "ArnNotEquals",
            "ArnNotLike",
        )
    },
    **{
        name: Family.NUMERIC
        for name in (
            "NumericEquals",
            "NumericNotEquals",
            "NumericLessThan",
            "NumericLessThanEquals",
            "NumericGreaterThan",
            "NumericGreaterThanEquals",
        )
    },
    **{
        name: Family.DATE
        for name in (
            "DateEquals",
            "DateNotEquals",
            "DateLessThan",
            "DateLessThanEquals",
            "DateGreaterThan",
            "DateGreaterThanEquals",
        )
    },
    "Bool": Family.BOOL,
    "BinaryEquals": Family.BINARY,
    "IpAddress": Family.IP,
    "NotIpAddress": Family.IP,
}
NEGATED = frozenset(
    {
        "StringNotEquals",
        "StringNotEqualsIgnoreCase",
        "StringNotLike",
        "ArnNotEquals",
        "ArnNotLike",
        "NumericNotEquals",
        "DateNotEquals",
        "NotIpAddress",
    }
)
_VARIABLES = frozenset(n for n, f in FAMILIES.items() if f is Family.STRING)
_ARN_SHAPE = z3.Concat(
    z3.Re("arn:"),
    z3.Plus(z3.Intersect(z3.AllChar(z3.ReSort(z3.StringSort())), z3.Complement(z3.Re(":")))),
    z3.Re(":"),
    z3.Plus(z3.Intersect(z3.AllChar(z3.ReSort(z3.StringSort())), z3.Complement(z3.Re(":")))),
    z3.Loop(
        z3.Concat(z3.Re(":"), z3.Star(z3.Intersect(z3.AllChar(z3.ReSort(z3.StringSort())), z3.Complement(z3.Re(":"))))),
        2,
        2,
    ),
    z3.Re(":"),
    z3.Star(z3.AllChar(z3.ReSort(z3.StringSort()))),
)

Match = Callable[[Value], z3.BoolRef]


def _comparison(base: str, bound: z3.ArithRef) -> Callable[[z3.ArithRef], z3.BoolRef]:
    suffix = base.removeprefix("Numeric").removeprefix("Date")
    table: dict[str, Callable[[z3.ArithRef], z3.BoolRef]] = {
        "Equals": lambda v: v == bound,
        "NotEquals": lambda v: v == bound,  # the positive sense; negation is applied to the set logic
        "LessThan": lambda v: v < bound,
        "LessThanEquals": lambda v: v <= bound,
        "GreaterThan": lambda v: v > bound,
        "GreaterThanEquals": lambda v: v >= bound,
    }
    return table[suffix]


def _static_match(base: str, text: str) -> Match:
    """The positive-sense test of one constant policy value; raises ConditionValueError if it has the wrong type."""
    family = FAMILIES[base]
    if family is Family.STRING:
        if base.startswith("Arn"):
            if compile_arn_condition_pattern(text) is None:
                raise ConditionValueError(f"`{text}` is not an ARN", code="INVALID_ARN")
            return lambda v: match_text(_seq(v), text, Dialect.ARN_CONDITION)
        ignore_case = "IgnoreCase" in base
        dialect = Dialect.GLOB
        if base in ("StringLike", "StringNotLike"):
            return lambda v: match_text(_seq(v), text, dialect)
        literal = _as_literal(text)  # `*` is an ordinary character here
        return lambda v: match_text(_seq(v), literal, dialect, ignore_case=ignore_case)
    if family in (Family.NUMERIC, Family.DATE):
        number = parse_number(text) if family is Family.NUMERIC else parse_instant(text)
        compare = _comparison(base, z3.RealVal(str(number)))
        return lambda v: compare(_arith(v))
    if family is Family.BOOL:
        flag = parse_bool(text)
        return lambda v: _bool(v) == flag
    if family is Family.BINARY:
        try:
            raw = base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            raise ConditionValueError(f"`{text}` is not base64", code="INVALID_BASE64") from None
        decoded = raw.decode("latin-1")
        return lambda v: _seq(v) == z3.StringVal(decoded)
    version, network, mask = parse_network(text)
    net, msk = z3.BitVecVal(network, IP_BITS), z3.BitVecVal(mask, IP_BITS)
    want_v6 = version == 6

    def in_network(v: Value) -> z3.BoolRef:
        assert isinstance(v, IpValue)
        return z3.And(v.v6 == want_v6, v.address & msk == net)

    return in_network


def _seq(v: Value) -> z3.SeqRef:
    assert isinstance(v, z3.SeqRef)
    return v


def _arith(v: Value) -> z3.ArithRef:
    assert isinstance(v, z3.ArithRef)
    return v


def _bool(v: Value) -> z3.BoolRef:
    assert isinstance(v, z3.BoolRef)
    return v


def _missing(qualifier: SetQualifier | None, if_exists: bool, negated: bool) -> bool:
    """The outcome for an absent key, as evaluation._missing_outcome decides it."""
    if qualifier is SetQualifier.FOR_ALL_VALUES:
        return True
    if if_exists:
        return True
    if qualifier is SetQualifier.FOR_ANY_VALUE:
        return False
    return negated


def encode_condition(condition: Condition, request: SymbolicRequest, substitute_variables: bool) -> z3.BoolRef:
    """The condition as a formula over the request."""
    key = request.key(condition.key)
    if condition.base == "Null":
        wanted = {v.lower() for v in condition.values}
        if not wanted <= {"true", "false"}:
            return z3.BoolVal(False)
        return z3.If(key.present, z3.BoolVal("false" in wanted), z3.BoolVal("true" in wanted))
    base = condition.base
    family = FAMILIES[base]
    negated = base in NEGATED
    matches: list[Match] = []
    templates: list[Template] = []
    for text in condition.values:
        template = parse_template(text) if substitute_variables and base in _VARIABLES else None
        if template is not None and not template.plain:
            templates.append(template)
            continue
        try:
            matches.append(_static_match(base, text))
        except ConditionValueError:
            return z3.BoolVal(False)
    values = key.family_values(family)

    def hit(value: Value) -> z3.BoolRef:
        terms = [m(value) for m in matches]
        terms.extend(_template_hit(base, template, value, request) for template in templates)
        return z3.Or(*terms) if terms else z3.BoolVal(False)

    satisfied = [z3.Not(hit(v)) if negated else hit(v) for v in values]
    used = [i < key.length for i in range(len(values))]
    if condition.qualifier is SetQualifier.FOR_ALL_VALUES or (condition.qualifier is None and negated):
        body = z3.And(*[z3.Implies(u, s) for u, s in zip(used, satisfied, strict=True)])
    else:
        body = z3.Or(*[z3.And(u, s) for u, s in zip(used, satisfied, strict=True)])
    if base.startswith("Arn"):
        # A context value that is not an ARN makes the whole condition false (INVALID_VALUE).
        valid = [z3.Implies(u, z3.InRe(_seq(v), _ARN_SHAPE)) for u, v in zip(used, values, strict=True)]
        body = z3.And(body, *valid)
    missing = _missing(condition.qualifier, condition.if_exists, negated)
    return z3.If(key.present, body, z3.BoolVal(missing))


def _template_hit(base: str, template: Template, value: Value, request: SymbolicRequest) -> z3.BoolRef:
    """The value matches a policy value with variables (which must each have one value or a default)."""
    if base.startswith("Arn"):
        dialect = Dialect.ARN_CONDITION
    elif base in ("StringLike", "StringNotLike"):
        dialect = Dialect.GLOB
    else:
        dialect = Dialect.GLOB
        template = _literal_template(template)
    return match_template(_seq(value), template, dialect, request, ignore_case="IgnoreCase" in base)


def _literal_template(template: Template) -> Template:
    """The template with its `*` and `?` made ordinary characters (StringEquals has no wildcards)."""
    segments = tuple(Literal(_as_literal(s.text)) if isinstance(s, Literal) else s for s in template.segments)
    return Template(segments)


def _as_literal(text: str) -> str:
    """The text with `*` and `?` marked as ordinary characters."""
    return text.replace("*", LITERAL_STAR).replace("?", LITERAL_QUESTION)
