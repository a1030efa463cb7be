"""A compiled condition specialised, once, into the one predicate the decision loop calls.

`CompiledCondition.holds` is general: it looks at the policy error, Null, templates, the set
qualifier and the number of context values on every call. Most conditions are fixed at compile
time in all of these (no error, not Null, no policy variable), and most context keys have one
value, so the predicate built here answers that case with one lookup, at most one parse and one
test built by the operator (`ConditionOperator.any_match`: a frozenset membership, one combined
regex, a reflected comparison, an inlined range loop). Everything else (several values, an empty
list, policy variables) goes to `holds`, which stays the reference: both give the same answer on
every input.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..context import ContextValue, RequestContext
from ..errors import ConditionValueError
from .operator import Hit

if TYPE_CHECKING:
    from .evaluation import CompiledCondition

# The request context's entry of a lowercased key (`RequestContext.get_value`), then the context itself.
Lookup = Callable[[str], ContextValue | None]
Check = Callable[[Lookup, RequestContext], bool]


_INVALID = object()


def _never(get: Lookup, context: RequestContext) -> bool:
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

        def null_check(get: Lookup, context: RequestContext) -> bool:
            entry = get(key)
            return when_absent if entry is None or not entry.values else when_present

        return null_check
    general = condition.holds
    if condition.templates:
        return lambda get, context: general(context)
    operator = condition.operator
    when_missing = condition.missing[0]
    hit: Hit[Any] = operator.any_match(condition.static_values)
    # The answer when `hit` is truthy and when it is not; a negated operator swaps them.
    on_hit, on_miss = (False, True) if operator.negated else (True, False)
    # How one context text becomes the value `hit` tests: as it is (strings), looked up among the
    # few valid texts (Bool), or parsed (a ConditionValueError means INVALID_VALUE, never a match).
    known = operator.context_values()
    if known is not None:

        def known_value(get: Lookup, context: RequestContext) -> bool:
            entry = get(key)
            if entry is None:
                return when_missing
            values = entry.values
            if len(values) != 1:
                return general(context)
            value = known.get(values[0], _INVALID)
            if value is _INVALID:
                return False
            return on_hit if hit(value) else on_miss

        return known_value
    if operator.context_is_text:

        def text(get: Lookup, context: RequestContext) -> bool:
            entry = get(key)
            if entry is None:
                return when_missing
            values = entry.values
            if len(values) != 1:
                return general(context)
            return on_hit if hit(values[0]) else on_miss

        return text

    parse = operator.context_parser()

    def parsed(get: Lookup, context: RequestContext) -> bool:
        entry = get(key)
        if entry is None:
            return when_missing
        values = entry.values
        if len(values) != 1:
            return general(context)
        try:
            value = parse(values[0])
        except ConditionValueError:
            return False
        return on_hit if hit(value) else on_miss

    return parsed
