"""Condition blocks no request can satisfy, so their statement never applies.

Every operator of a Condition block must be true, and within one operator a key matches when any of
its values does
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-logic-multiple-context-keys-or-values.html).
Tests of one single-valued key can therefore contradict each other:

- `Null: {key: true}` (the key is absent) beside an operator that is false for an absent key
  (`StringEquals`, `NumericLessThan`, …; not `...IfExists` nor a negated operator)
  (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Null);
- a numeric or date range that is empty (`NumericGreaterThan 10` with `NumericLessThan 5`), or
  `...Equals` values all outside it;
- `StringEquals` (or `ArnEquals`) values that a `StringNotEquals` (`ArnNotEquals`) of the same key all excludes.

A Deny that never applies protects nothing it seems to (DENY_CONDITION_UNSATISFIABLE); an Allow
that never applies grants nothing (ALLOW_CONDITION_UNSATISFIABLE). Operators with a set qualifier or
`...IfExists`, and values holding policy variables or unresolved template values, are not judged.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from ...policy.operators import split_operator
from ...policy.source import child_path
from ..check import condition_entries, condition_values
from ..context import CheckContext
from ..findings import Finding, FindingType, iamtwin_code
from ..source import is_unresolved

LOGIC_PAGE = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-logic-multiple-context-keys-or-values.html"
DENY_CONDITION_UNSATISFIABLE = iamtwin_code(
    "DENY_CONDITION_UNSATISFIABLE", FindingType.SECURITY_WARNING, "Deny condition unsatisfiable", LOGIC_PAGE
)
ALLOW_CONDITION_UNSATISFIABLE = iamtwin_code(
    "ALLOW_CONDITION_UNSATISFIABLE", FindingType.WARNING, "Allow condition unsatisfiable", LOGIC_PAGE
)
CODES = (DENY_CONDITION_UNSATISFIABLE, ALLOW_CONDITION_UNSATISFIABLE)

_LOWER = {"GreaterThan": False, "GreaterThanEquals": True}
_UPPER = {"LessThan": False, "LessThanEquals": True}


@dataclass
class _KeyTests:
    """What a block's plain operators require of one key."""

    absent: bool = False  # `Null: true`
    needs_present: list[str] = field(default_factory=list)  # operators false for an absent key
    lower: tuple[float, bool] | None = None  # (bound, inclusive), the tightest
    upper: tuple[float, bool] | None = None
    equals: dict[str, set[float]] = field(default_factory=dict)  # family -> values (Numeric/Date Equals)
    strings_in: dict[str, set[str]] = field(default_factory=dict)  # "String"/"Arn" -> Equals values
    strings_out: dict[str, set[str]] = field(default_factory=dict)  # "String"/"Arn" -> NotEquals values


def _number(family: str, text: str) -> float | None:
    """A Numeric value, or a Date value as epoch seconds; None when it is neither."""
    try:
        if family == "Numeric":
            return float(text)
        if text.lstrip("-").isdigit():
            return float(text)
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).timestamp()
    except ValueError:
        return None


def _texts(values: object) -> list[str] | None:
    """The values as text, or None when there are none or one is a variable, unresolved or not a scalar."""
    out: list[str] = []
    for _path, value in condition_values(values, ""):
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            return None
        text = str(value)
        if "${" in text or is_unresolved(text):
            return None
        out.append(text)
    return out or None


def _record(tests: _KeyTests, base: str, texts: list[str]) -> None:
    """Add one plain operator's requirement on a key."""
    if base == "Null":
        if {t.lower() for t in texts} == {"true"}:
            tests.absent = True
        return
    negated = "Not" in base
    if not negated:
        tests.needs_present.append(base)
    for family in ("Numeric", "Date"):
        if not base.startswith(family):
            continue
        suffix = base[len(family) :]
        numbers = [n for t in texts if (n := _number(family, t)) is not None]
        if len(numbers) != len(texts) or not numbers:
            return
        if suffix in _LOWER:
            bound = (min(numbers), _LOWER[suffix])
            if tests.lower is None or bound[0] > tests.lower[0] or (bound[0] == tests.lower[0] and not bound[1]):
                tests.lower = bound
        elif suffix in _UPPER:
            bound = (max(numbers), _UPPER[suffix])
            if tests.upper is None or bound[0] < tests.upper[0] or (bound[0] == tests.upper[0] and not bound[1]):
                tests.upper = bound
        elif suffix == "Equals":
            previous = tests.equals.get(family)
            tests.equals[family] = set(numbers) if previous is None else previous & set(numbers)
        return
    for family in ("String", "Arn"):
        if base == f"{family}Equals":
            previous_in = tests.strings_in.get(family)
            tests.strings_in[family] = set(texts) if previous_in is None else previous_in & set(texts)
        elif base == f"{family}NotEquals":
            tests.strings_out.setdefault(family, set()).update(texts)


def _in_range(value: float, tests: _KeyTests) -> bool:
    low, high = tests.lower, tests.upper
    above = low is None or value > low[0] or (low[1] and value == low[0])
    below = high is None or value < high[0] or (high[1] and value == high[0])
    return above and below


def _contradiction(key: str, tests: _KeyTests) -> str | None:
    """Why no value (or absence) of the key satisfies every test, or None."""
    if tests.absent and tests.needs_present:
        return f"`Null` requires `{key}` to be absent, but `{tests.needs_present[0]}` is false when it is"
    low, high = tests.lower, tests.upper
    if low is not None and high is not None and (low[0] > high[0] or (low[0] == high[0] and not (low[1] and high[1]))):
        return f"no value of `{key}` is above {_show(low[0])} and below {_show(high[0])} as the operators require"
    for family, values in tests.equals.items():
        if not values:
            return f"no value of `{key}` equals a value of every `{family}Equals`"
        if not any(_in_range(v, tests) for v in values):
            return f"no value `{family}Equals` allows for `{key}` is within the range the other operators set"
    for family, texts in tests.strings_in.items():
        if not texts:
            return f"no value of `{key}` equals a value of every `{family}Equals`"
        if texts <= tests.strings_out.get(family, set()):
            return f"`{family}NotEquals` excludes every value `{family}Equals` allows for `{key}`"
    return None


def _show(number: float) -> str:
    return str(int(number)) if math.isfinite(number) and number == int(number) else str(number)


def run(ctx: CheckContext) -> Iterator[Finding]:
    """Report statements whose Condition block no request satisfies."""
    for statement in ctx.raw_statements:
        effect = statement.value.get("Effect")
        if effect not in ("Allow", "Deny"):
            continue
        by_key: dict[str, _KeyTests] = defaultdict(_KeyTests)
        names: dict[str, str] = {}
        seen: set[tuple[str, str]] = set()
        repeated: set[str] = set()  # a key written twice under one operator is DUPLICATE_KEYS_WITH_DIFFERENT_CASE
        for operator, key, _path, values in condition_entries(statement):
            split = split_operator(operator)
            texts = _texts(values)
            if split is None or texts is None or is_unresolved(key):
                continue
            qualifier, base, if_exists = split
            if qualifier is not None or if_exists:
                continue
            if (operator, key.lower()) in seen:
                repeated.add(key.lower())
            seen.add((operator, key.lower()))
            names.setdefault(key.lower(), key)
            _record(by_key[key.lower()], base, texts)
        for lowered, tests in by_key.items():
            if lowered in repeated:
                continue
            reason = _contradiction(names[lowered], tests)
            if reason is None:
                continue
            path = child_path(statement.path, "Condition")
            if effect == "Deny":
                yield ctx.finding(DENY_CONDITION_UNSATISFIABLE, f"{reason}: the Deny never applies", path)
            else:
                yield ctx.finding(ALLOW_CONDITION_UNSATISFIABLE, f"{reason}: the Allow never grants", path)
            break
