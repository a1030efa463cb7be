"""The Null operator: `true` means the key is absent, `false` that it is present.

It looks only at presence, so set qualifiers and IfExists do not change it, and a key given as
an empty list counts as absent. Policy variables are not allowed with Null, so `${...}` is
literal text (and not a valid value).
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Null
"""

from __future__ import annotations

from .operator import ConditionOperator, ValueCode, value_error

_VALUES = {"true": True, "false": False}


class NullOperator(ConditionOperator[bool, bool]):
    """`Null`: a policy value `true` matches an absent key, `false` a present one."""

    __slots__ = ()

    def parse_policy_value(self, text: str) -> bool:
        """`true` (key absent) or `false` (key present), in any case; INVALID_NULL_VALUE otherwise."""
        value = _VALUES.get(text.lower())
        if value is None:
            raise value_error(ValueCode.INVALID_NULL_VALUE, text, "`true` or `false`")
        return value

    def parse_context_value(self, text: str) -> bool:
        """Null never reads a context value; presence is its whole input."""
        return True

    def matches(self, context_value: bool, policy_value: bool) -> bool:
        """`context_value` is True when the key is absent."""
        return context_value is policy_value


NULL_OPERATOR = NullOperator("Null", supports_variables=False)
