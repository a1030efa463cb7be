"""A compiled condition specialised, once, into the one predicate the decision loop calls.

`CompiledCondition.holds` is general: it looks at the policy error, Null, templates, the set
qualifier and the number of context values on every call. Most conditions are fixed at compile
time in all of these (no error, not Null, no policy variable), and most context keys have one
value, so the predicate built here answers that case with one lookup, at most one parse and one
test built by the operator (`ConditionOperator.any_match`: a frozenset membership, one combined
regex, an inlined range loop). Everything else (several values, an empty list, policy variables)
goes to `holds`, which stays the reference: both give the same answer on every input.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..context import RequestContext
from ..errors import ConditionValueError

if TYPE_CHECKING:
    from .evaluation import CompiledCondition

Check = Callable[[RequestContext], bool]


def _never(context: RequestContext) -> bool:
    return False


def specialise(condition: CompiledCondition) -> Check:
    """The fastest predicate equivalent to `condition.holds`."""
    if condition.policy_error is not None:
        return _never  # a policy value of the wrong type: the condition never holds
    key = condition.key_lower
    if condition.null_check:
        # Null's policy values are booleans meaning "absent" (see CompiledCondition._decide).
        when_absent = True in condition.static_values
        when_present = False in condition.static_values

        def null_check(context: RequestContext) -> bool:
            entry = context.get_value(key)
            return when_absent if entry is None or not entry.values else when_present

        return null_check
    if condition.templates:
        return condition.holds
    operator = condition.operator
    general = condition.holds
    when_missing = condition.missing[0]
    hit: Callable[[Any], bool] = operator.any_match(condition.static_values)
    if operator.context_is_text:
        if operator.negated:

            def text_none(context: RequestContext) -> bool:
                entry = context.get_value(key)
                if entry is None:
                    return when_missing
                values = entry.values
                if len(values) != 1:
                    return general(context)
                return not hit(values[0])

            return text_none

        def text_any(context: RequestContext) -> bool:
            entry = context.get_value(key)
            if entry is None:
                return when_missing
            values = entry.values
            if len(values) != 1:
                return general(context)
            return hit(values[0])

        return text_any

    parse = operator.parse_context_value
    negated = operator.negated

    def parsed(context: RequestContext) -> bool:
        entry = context.get_value(key)
        if entry is None:
            return when_missing
        values = entry.values
        if len(values) != 1:
            return general(context)
        try:
            value = parse(values[0])
        except ConditionValueError:
            return False  # a context value of the wrong type: INVALID_VALUE, never a match
        return hit(value) is not negated

    return parsed
