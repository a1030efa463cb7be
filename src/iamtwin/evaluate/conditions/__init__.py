"""iamtwin.evaluate.conditions."""

from .evaluation import CompiledCondition, compile_condition
from .operator import ConditionOperator, ValueCode
from .registry import OPERATORS, get_operator
from .result import ConditionResult

__all__ = [
    "OPERATORS",
    "CompiledCondition",
    "ConditionOperator",
    "ConditionResult",
    "ValueCode",
    "compile_condition",
    "get_operator",
]
