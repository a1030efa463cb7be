"""Numeric operators: integers and decimals compared exactly (as Decimal, never as float).

https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Numeric
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Sequence
from decimal import Decimal

from .operator import ConditionOperator, Hit, ValueCode, reflected_comparison, value_error

# An optional sign, digits with an optional fraction; no exponent, no spaces, no NaN/Infinity,
# because Decimal() would accept those and that would be a silent coercion.
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")


def parse_number(text: str) -> Decimal:
    """Parse an integer or decimal such as `10`, `-3`, `2.5`; raise INVALID_NUMBER otherwise."""
    if _NUMBER.fullmatch(text) is None:
        raise value_error(ValueCode.INVALID_NUMBER, text, "a number")
    return Decimal(text)


Comparison = Callable[[Decimal, Decimal], bool]


class NumericOperator(ConditionOperator[Decimal, Decimal]):
    """One numeric comparison: context value `compare` policy value."""

    __slots__ = ("_compare",)

    def __init__(self, name: str, compare: Comparison, *, negated: bool = False) -> None:
        super().__init__(name, negated=negated, supports_variables=False, equality=compare is operator.eq)
        self._compare = compare

    def parse_policy_value(self, text: str) -> Decimal:
        """A number."""
        return parse_number(text)

    def context_parser(self) -> Callable[[str], Decimal]:
        """`parse_number` itself."""
        return parse_number

    def parse_context_value(self, text: str) -> Decimal:
        """A number."""
        return parse_number(text)

    def matches(self, context_value: Decimal, policy_value: Decimal) -> bool:
        """Compare the context value against the policy value."""
        return self._compare(context_value, policy_value)

    def any_match(self, policy_values: Sequence[Decimal]) -> Hit[Decimal]:
        """For one policy value, its own reflected comparison: `context < policy` is `policy.__gt__(context)`."""
        reflected = reflected_comparison(self._compare, policy_values[0]) if len(policy_values) == 1 else None
        return super().any_match(policy_values) if self.equality or reflected is None else reflected


NUMERIC_OPERATORS: tuple[NumericOperator, ...] = (
    NumericOperator("NumericEquals", operator.eq),
    NumericOperator("NumericNotEquals", operator.eq, negated=True),
    NumericOperator("NumericLessThan", operator.lt),
    NumericOperator("NumericLessThanEquals", operator.le),
    NumericOperator("NumericGreaterThan", operator.gt),
    NumericOperator("NumericGreaterThanEquals", operator.ge),
)
