"""The Bool operator: `true` / `false`, without regard to case.

https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Boolean
"""

from __future__ import annotations

from .operator import ConditionOperator, ValueCode, value_error

_BOOLS = {"true": True, "false": False}


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

    def parse_context_value(self, text: str) -> bool:
        """A boolean."""
        return parse_bool(text)

    def matches(self, context_value: bool, policy_value: bool) -> bool:
        """Equality of the booleans."""
        return context_value == policy_value


BOOL_OPERATOR = BoolOperator("Bool", equality=True)
