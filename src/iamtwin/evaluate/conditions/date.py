"""Date operators: instants compared exactly, written as ISO 8601 (the W3C profile) or epoch seconds.

AWS asks for "one of the W3C implementations of the ISO 8601 date formats or ... epoch (UNIX)
time". The W3C profile (https://www.w3.org/TR/NOTE-datetime) has: `YYYY-MM`, `YYYY-MM-DD`, and
`YYYY-MM-DDThh:mm`, `...:ss`, `...:ss.s` each with a required zone designator (`Z` or `+hh:mm`).
A date without a time is midnight UTC. A value of digits only is epoch seconds (optionally with a
fraction), so the W3C year-only form `YYYY` is read as epoch seconds: AWS's own
`aws:EpochTime` values are plain digits. Policy variables are not supported here.
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Date
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from functools import lru_cache

from ..errors import ConditionValueError
from .operator import ConditionOperator, Hit, ValueCode, reflected_comparison, value_error

_EPOCH = re.compile(r"\d+(?:\.\d+)?")
_ISO = re.compile(
    r"(\d{4})-(\d{2})(?:-(\d{2})"
    r"(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(Z|[+-]\d{2}:\d{2}))?)?"
)
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_DAY = 86400


@lru_cache(maxsize=4096)
def parse_instant(text: str) -> Decimal:
    """Seconds since the epoch (exact) of an ISO 8601 / epoch value; raise INVALID_DATE otherwise."""
    if _EPOCH.fullmatch(text) is not None:
        return Decimal(text)
    m = _ISO.fullmatch(text)
    if m is None:
        raise _bad(text)
    year, month, day, hour, minute, second, fraction, zone = m.groups()
    if day is None:
        day = "01"  # `YYYY-MM` is the first of the month
    try:
        days = date(int(year), int(month), int(day)).toordinal() - _EPOCH_ORDINAL
    except ValueError:
        raise _bad(text) from None
    seconds = days * _DAY
    if hour is not None:
        h, mi, s = int(hour), int(minute), int(second or 0)
        if h > 23 or mi > 59 or s > 59:
            raise _bad(text)
        seconds += h * 3600 + mi * 60 + s - _offset(zone, text)
    instant = Decimal(seconds)
    if fraction:
        instant += Decimal("0." + fraction)
    return instant


def _offset(zone: str, text: str) -> int:
    if zone == "Z":
        return 0
    hours, minutes = int(zone[1:3]), int(zone[4:6])
    if hours > 23 or minutes > 59:
        raise _bad(text)
    offset = hours * 3600 + minutes * 60
    return -offset if zone[0] == "-" else offset


def _bad(text: str) -> ConditionValueError:
    expected = "a date (ISO 8601 such as `2024-01-31T12:00:00Z`, or epoch seconds)"
    return value_error(ValueCode.INVALID_DATE, text, expected)


Comparison = Callable[[Decimal, Decimal], bool]


class DateOperator(ConditionOperator[Decimal, Decimal]):
    """One date comparison: context instant `compare` policy instant."""

    __slots__ = ("_compare",)

    def __init__(self, name: str, compare: Comparison, *, negated: bool = False) -> None:
        super().__init__(name, negated=negated, supports_variables=False, equality=compare is operator.eq)
        self._compare = compare

    def parse_policy_value(self, text: str) -> Decimal:
        """An instant."""
        return parse_instant(text)

    def context_parser(self) -> Callable[[str], Decimal]:
        """`parse_instant` itself."""
        return parse_instant

    def parse_context_value(self, text: str) -> Decimal:
        """An instant."""
        return parse_instant(text)

    def matches(self, context_value: Decimal, policy_value: Decimal) -> bool:
        """Compare the instants."""
        return self._compare(context_value, policy_value)

    def any_match(self, policy_values: Sequence[Decimal]) -> Hit[Decimal]:
        """For one policy value, its own reflected comparison: `context < policy` is `policy.__gt__(context)`."""
        reflected = reflected_comparison(self._compare, policy_values[0]) if len(policy_values) == 1 else None
        return super().any_match(policy_values) if self.equality or reflected is None else reflected


DATE_OPERATORS: tuple[DateOperator, ...] = (
    DateOperator("DateEquals", operator.eq),
    DateOperator("DateNotEquals", operator.eq, negated=True),
    DateOperator("DateLessThan", operator.lt),
    DateOperator("DateLessThanEquals", operator.le),
    DateOperator("DateGreaterThan", operator.gt),
    DateOperator("DateGreaterThanEquals", operator.ge),
)
