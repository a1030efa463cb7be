"""The shape every condition operator has: parse a policy value, parse a context value, compare.

An operator is stateless and shared. `matches` is always the positive sense (`StringNotEquals`
compares like `StringEquals`); `negated` tells the evaluation to invert the set logic, because
negation over several values is NOR, not a per-value flip.

Operator families that AWS documents as not supporting policy variables (Numeric, Date, Binary,
IP address, Null) set `supports_variables` to False: there `${...}` is literal text, which then
fails to parse as a number, date, ... and is reported as a bad value.
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
"""

from __future__ import annotations

import operator
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from enum import StrEnum
from typing import Any, Generic, TypeVar

from ...policy.patterns import combine_patterns
from ..errors import ConditionValueError

C = TypeVar("C")  # a parsed context value
P = TypeVar("P")  # a parsed policy value


class ValueCode(StrEnum):
    """Stable codes of condition values that are not of the operator's type."""

    INVALID_NUMBER = "INVALID_NUMBER"
    INVALID_DATE = "INVALID_DATE"
    INVALID_IP = "INVALID_IP"
    INVALID_ARN = "INVALID_ARN"
    INVALID_BOOL = "INVALID_BOOL"
    INVALID_BASE64 = "INVALID_BASE64"
    INVALID_NULL_VALUE = "INVALID_NULL_VALUE"


def value_error(code: ValueCode, text: str, expected: str) -> ConditionValueError:
    """A house-style error for `text` that is not `expected` (e.g. `an IP address`)."""
    return ConditionValueError(f"`{text}` is not {expected}", code=code.value)


# A test of one parsed context value: truthy when it matches (a bool, or a regex match or None).
Hit = Callable[[C], object]


def _no_match(value: object) -> bool:
    return False


_REFLECTED: dict[Callable[[Any, Any], bool], str] = {
    operator.lt: "__gt__",
    operator.le: "__ge__",
    operator.gt: "__lt__",
    operator.ge: "__le__",
}


def reflected_comparison(compare: Callable[[C, P], bool], policy_value: P) -> Hit[C] | None:
    """`compare(context value, policy_value)` as a method of the policy value, e.g. `policy_value.__gt__`
    for `<`: a C-level call with no Python frame. None for a comparison other than <, <=, > and >=."""
    name = _REFLECTED.get(compare)
    return None if name is None else getattr(policy_value, name)


def any_fullmatch(patterns: Sequence[re.Pattern[str]]) -> Hit[str]:
    """A test of a text against wildcard patterns: one C-level match for all of them."""
    combined = combine_patterns(patterns)
    return _no_match if combined is None else combined.fullmatch


class ConditionOperator(ABC, Generic[C, P]):
    """One base operator (no set qualifier, no IfExists), e.g. `StringLike` or `NotIpAddress`."""

    __slots__ = ("equality", "name", "negated", "supports_variables", "uses_wildcards")

    # True when `parse_context_value` returns its text unchanged and never raises (the string
    # operators), so a compiled check may skip the call.
    context_is_text = False

    def __init__(
        self,
        name: str,
        *,
        negated: bool = False,
        uses_wildcards: bool = False,
        supports_variables: bool = True,
        equality: bool = False,
    ) -> None:
        self.name = name
        self.negated = negated
        self.uses_wildcards = uses_wildcards
        self.supports_variables = supports_variables
        # True when `matches` is plain `==` on parsed values, so the evaluation may use a
        # C-level membership test instead of calling `matches` per policy value.
        self.equality = equality

    @abstractmethod
    def parse_policy_value(self, text: str) -> P:
        """Parse a value written in the policy; raise ConditionValueError if it is not of the type."""

    @abstractmethod
    def parse_context_value(self, text: str) -> C:
        """Parse a value of the request context; raise ConditionValueError if it is not of the type."""

    @abstractmethod
    def matches(self, context_value: C, policy_value: P) -> bool:
        """True when the context value satisfies the policy value, in the positive sense."""

    def context_parser(self) -> Callable[[str], C]:
        """`parse_context_value` as a plain function where there is one (a call less per evaluation)."""
        return self.parse_context_value

    def context_values(self) -> Mapping[str, C] | None:
        """Every valid context text with its parsed value, when there are few (Bool); else None."""
        return None

    def any_match(self, policy_values: Sequence[P]) -> Hit[C]:
        """A test of one parsed context value against all of `policy_values`: truthy if any matches.

        Built once per condition at compile time; operators override it with a faster equivalent
        (a C-level method where one does the work, so the test costs no Python call).
        """
        if self.equality:
            return frozenset(policy_values).__contains__
        matches = self.matches
        if len(policy_values) == 1:
            only = policy_values[0]
            return lambda context_value: matches(context_value, only)
        values = tuple(policy_values)

        def hit(context_value: C) -> bool:
            for policy_value in values:  # noqa: SIM110 - a plain loop allocates no generator
                if matches(context_value, policy_value):
                    return True
            return False

        return hit

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name}>"
