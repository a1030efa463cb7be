"""String operators: exact, case-insensitive and wildcard (`*`, `?`) matching, all case-sensitive by default.

https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_String
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from ...policy.patterns import compile_glob
from .operator import ConditionOperator, Hit, any_fullmatch


class StringEqualsOperator(ConditionOperator[str, str]):
    """`StringEquals` / `StringNotEquals`: exact, case-sensitive; `*` is an ordinary character."""

    __slots__ = ()
    context_is_text = True

    def parse_policy_value(self, text: str) -> str:
        """Any text is a string."""
        return text

    def parse_context_value(self, text: str) -> str:
        """Any text is a string."""
        return text

    def matches(self, context_value: str, policy_value: str) -> bool:
        """Exact equality."""
        return context_value == policy_value


class StringEqualsIgnoreCaseOperator(ConditionOperator[str, str]):
    """`StringEqualsIgnoreCase` / `StringNotEqualsIgnoreCase`: exact, without regard to case."""

    __slots__ = ()

    def parse_policy_value(self, text: str) -> str:
        """The text, lowercased once at compile time."""
        return text.lower()

    def parse_context_value(self, text: str) -> str:
        """The text, lowercased."""
        return text.lower()

    def context_parser(self) -> Callable[[str], str]:
        """`str.lower` itself."""
        return str.lower

    def matches(self, context_value: str, policy_value: str) -> bool:
        """Equality of the lowercased texts."""
        return context_value == policy_value


class StringLikeOperator(ConditionOperator[str, re.Pattern[str]]):
    """`StringLike` / `StringNotLike`: case-sensitive, `*` and `?` anywhere, spanning any character."""

    __slots__ = ()
    context_is_text = True

    def parse_policy_value(self, text: str) -> re.Pattern[str]:
        """Compile the wildcard pattern (cached across policies by compile_glob)."""
        return compile_glob(text)

    def parse_context_value(self, text: str) -> str:
        """Any text is a string."""
        return text

    def matches(self, context_value: str, policy_value: re.Pattern[str]) -> bool:
        """The whole context value matches the pattern."""
        return policy_value.fullmatch(context_value) is not None

    def any_match(self, policy_values: Sequence[re.Pattern[str]]) -> Hit[str]:
        """One match against all the patterns at once."""
        return any_fullmatch(policy_values)


STRING_OPERATORS: tuple[ConditionOperator[str, str] | ConditionOperator[str, re.Pattern[str]], ...] = (
    StringEqualsOperator("StringEquals", equality=True),
    StringEqualsOperator("StringNotEquals", negated=True, equality=True),
    StringEqualsIgnoreCaseOperator("StringEqualsIgnoreCase", equality=True),
    StringEqualsIgnoreCaseOperator("StringNotEqualsIgnoreCase", negated=True, equality=True),
    StringLikeOperator("StringLike", uses_wildcards=True),
    StringLikeOperator("StringNotLike", negated=True, uses_wildcards=True),
)
