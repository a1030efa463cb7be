"""Every base condition operator by its canonical name (exactly `policy.operators.BASE_OPERATORS`)."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from .arn import ARN_OPERATORS
from .binary import BINARY_EQUALS
from .boolean import BOOL_OPERATOR
from .date import DATE_OPERATORS
from .ip import IP_OPERATORS
from .null import NULL_OPERATOR
from .numeric import NUMERIC_OPERATORS
from .operator import ConditionOperator
from .string import STRING_OPERATORS

_ALL: tuple[ConditionOperator[Any, Any], ...] = (
    *STRING_OPERATORS,
    *NUMERIC_OPERATORS,
    *DATE_OPERATORS,
    BOOL_OPERATOR,
    BINARY_EQUALS,
    *IP_OPERATORS,
    *ARN_OPERATORS,
    NULL_OPERATOR,
)

OPERATORS: Mapping[str, ConditionOperator[Any, Any]] = MappingProxyType({op.name: op for op in _ALL})


def get_operator(base: str) -> ConditionOperator[Any, Any]:
    """The operator of a canonical base name such as `StringLike`; KeyError if there is none."""
    return OPERATORS[base]
