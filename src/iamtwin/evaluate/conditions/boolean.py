"""The Bool operator: `true` / `false`, without regard to case.

https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Boolean
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from itertools import product
from types import MappingProxyType

from .operator import ConditionOperator, ValueCode, value_error

_BOOLS = {"true": True, "false": False}
# `true` and `false` in every mix of case, for a check that looks the context text up directly.
_ANY_CASE: Mapping[str, bool] = MappingProxyType(
    {"".join(chars): value for text, value in _BOOLS.items() for chars in product(*((c, c.upper()) for c in text))}
)


def parse_bool(text: str) -> bool:
    """Parse `true` or `false` in any case; raise INVALID_BOOL otherwise."""
    value = _BOOLS.get(text.lower())
    if value is None:
        raise value_error(ValueCode.INVALID_BOOL, text, "`true` or `false`")
    return value


class BoolOperator(ConditionOperator[bool, bool]):
    """`Bool`: the context value equals the policy's boolean."""

    __slots__ = ()

    def parse_policy_value(self, text: str) -> bool:
        """A boolean."""
        return parse_bool(text)

    def context_values(self) -> Mapping[str, bool]:
        """`true` and `false` in every mix of case."""
        return _ANY_CASE

    def context_parser(self) -> Callable[[str], bool]:
        """`parse_bool` itself."""
        return parse_bool

    def parse_context_value(self, text: str) -> bool:
        """A boolean."""
        return parse_bool(text)

    def matches(self, context_value: bool, policy_value: bool) -> bool:
        """Equality of the booleans."""
        return context_value == policy_value


BOOL_OPERATOR = BoolOperator("Bool", equality=True)
