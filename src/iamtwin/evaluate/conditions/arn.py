"""ARN operators. `ArnEquals` behaves exactly like `ArnLike` (and `ArnNotEquals` like `ArnNotLike`):
case-sensitive, each of the six colon-separated parts matched separately, with `*` and `?`.

The AWS page says so in its table: "The `ArnEquals` and `ArnLike` condition operators behave
identically."
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_ARN
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from ...policy.arn import compile_arn_condition_pattern, parse_arn
from .operator import ConditionOperator, Hit, ValueCode, any_fullmatch, value_error


def parse_arn_pattern(text: str) -> re.Pattern[str]:
    """Compile an ARN pattern (`*` alone matches any ARN); raise INVALID_ARN if it has not six parts."""
    pattern = compile_arn_condition_pattern(text)
    if pattern is None:
        raise value_error(ValueCode.INVALID_ARN, text, "an ARN")
    return pattern


def parse_context_arn(text: str) -> str:
    """Check that a context value is an ARN (`arn:partition:service:region:account:resource`)."""
    if parse_arn(text) is None:
        raise value_error(ValueCode.INVALID_ARN, text, "an ARN")
    return text


class ArnLikeOperator(ConditionOperator[str, re.Pattern[str]]):
    """`ArnLike`, `ArnEquals` and their negations."""

    __slots__ = ()

    def parse_policy_value(self, text: str) -> re.Pattern[str]:
        """A compiled ARN pattern."""
        return parse_arn_pattern(text)

    def context_parser(self) -> Callable[[str], str]:
        """`parse_context_arn` itself."""
        return parse_context_arn

    def parse_context_value(self, text: str) -> str:
        """The ARN text, checked."""
        return parse_context_arn(text)

    def matches(self, context_value: str, policy_value: re.Pattern[str]) -> bool:
        """The whole ARN matches the pattern."""
        return policy_value.fullmatch(context_value) is not None

    def any_match(self, policy_values: Sequence[re.Pattern[str]]) -> Hit[str]:
        """One match against all the patterns at once."""
        return any_fullmatch(policy_values)


ARN_OPERATORS: tuple[ArnLikeOperator, ...] = (
    ArnLikeOperator("ArnEquals", uses_wildcards=True),
    ArnLikeOperator("ArnLike", uses_wildcards=True),
    ArnLikeOperator("ArnNotEquals", negated=True, uses_wildcards=True),
    ArnLikeOperator("ArnNotLike", negated=True, uses_wildcards=True),
)
