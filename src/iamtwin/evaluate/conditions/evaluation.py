"""Compile a condition once, then evaluate it against many requests.

Rules (each one has a test and a corpus case):
- no set qualifier: a missing key makes positive operators false, negated operators true, and
  `...IfExists` true; otherwise a positive operator needs any context value to match any policy
  value (OR), a negated one needs no pair to match (NOR);
- `ForAllValues:` is true on a missing key or empty list, else every context value must satisfy
  the operator; `ForAnyValue:` is false on a missing key or empty list (true with IfExists), else
  one context value must satisfy it;
- `Null` looks only at presence (an empty list counts as absent);
- a policy value whose variable has no single value is "effectively null": it equals nothing,
  so positive operators never match it and negated operators always do, as AWS documents in
  "Policy variables with no value":
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
- a policy or context value of the wrong type makes the condition false with INVALID_VALUE and
  the error, never an exception and never a coercion.
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ...errors import Location
from ...policy.model import Condition, SetQualifier
from ...policy.variables import Template, parse_template
from ..context import RequestContext
from ..decision import ConditionReason
from ..errors import ConditionValueError
from .check import Check, specialise
from .null import NullOperator
from .operator import ConditionOperator
from .registry import get_operator
from .result import ConditionResult

_RENDER_CACHE_LIMIT = 4096
_NOT_CACHED = object()

# Outcomes are shared constants so that deciding allocates nothing; evaluate() adds the values.
Outcome = tuple[bool, ConditionReason]
_MATCHED: Outcome = (True, ConditionReason.MATCHED)
_NOT_MATCHED: Outcome = (False, ConditionReason.NOT_MATCHED)
_NULL_TRUE: Outcome = (True, ConditionReason.NULL_CHECK)
_NULL_FALSE: Outcome = (False, ConditionReason.NULL_CHECK)
_UNRESOLVED_TRUE: Outcome = (True, ConditionReason.VARIABLE_UNRESOLVED)
_UNRESOLVED_FALSE: Outcome = (False, ConditionReason.VARIABLE_UNRESOLVED)


@dataclass(frozen=True, slots=True)
class CompiledCondition:
    """One condition with its operator resolved and its constant policy values parsed."""

    condition: Condition
    operator: ConditionOperator[Any, Any]
    key_lower: str
    static_values: tuple[Any, ...]
    templates: tuple[Template, ...]
    policy_error: ConditionValueError | None
    missing: Outcome  # the outcome when the key is absent or an empty list
    null_check: bool
    # Bound once so the hot path does no attribute lookups on the operator.
    _parse_context: Callable[[str], Any] = field(repr=False, compare=False)
    _matches: Callable[[Any, Any], bool] = field(repr=False, compare=False)
    # Parsed policy values by rendered text: variables repeat across requests.
    _rendered: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    # `holds` specialised for this condition (see check.py); what the decision loop calls.
    check: Check = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "check", specialise(self))

    def evaluate(self, context: RequestContext) -> ConditionResult:
        """Evaluate against a request; never raises for bad values (they come back as INVALID_VALUE)."""
        entry = context.get_value(self.key_lower)
        values = None if entry is None else entry.values
        outcome = self._decide(values, context)
        if isinstance(outcome, ConditionResult):
            return outcome
        return ConditionResult(outcome[0], outcome[1], values)

    def holds(self, context: RequestContext) -> bool:
        """Only whether the condition holds: `evaluate(context).matched` without building a result."""
        entry = context.get_value(self.key_lower)
        outcome = self._decide(None if entry is None else entry.values, context)
        if isinstance(outcome, ConditionResult):
            return False  # only errors come back as a result, and an error never matches
        return outcome[0]

    def _decide(self, values: tuple[str, ...] | None, context: RequestContext) -> Outcome | ConditionResult:
        """The (matched, reason) pair, one of the shared constants; a ConditionResult only for errors."""
        if self.policy_error is not None:
            return ConditionResult(False, ConditionReason.INVALID_VALUE, values, self.policy_error)
        if self.null_check:
            # Null's policy values are booleans meaning "absent"; compare with the key's absence.
            return _NULL_TRUE if (not values) in self.static_values else _NULL_FALSE
        if not values:
            return self.missing

        policy_values = self.static_values
        if self.templates:
            rendered = self._render(context)
            if isinstance(rendered, ConditionValueError):
                return ConditionResult(False, ConditionReason.INVALID_VALUE, values, rendered)
            policy_values = rendered

        negated = self.operator.negated
        try:
            if len(values) == 1:
                matched = self._hit(self._parse_context(values[0]), policy_values) is not negated
            else:
                matched = self._combine(values, policy_values)
        except ConditionValueError as err:
            located = self._located(err, "context")
            return ConditionResult(False, ConditionReason.INVALID_VALUE, values, located)
        if not policy_values and self.templates:
            return _UNRESOLVED_TRUE if matched else _UNRESOLVED_FALSE
        return _MATCHED if matched else _NOT_MATCHED

    def _hit(self, context_value: Any, policy_values: tuple[Any, ...]) -> bool:
        """True if the context value matches any policy value (positive sense)."""
        if self.operator.equality:
            return context_value in policy_values
        matches = self._matches
        # A plain loop, not any(<generator>): this runs millions of times and a generator allocates.
        for policy_value in policy_values:  # noqa: SIM110
            if matches(context_value, policy_value):
                return True
        return False

    def _combine(self, values: tuple[str, ...], policy_values: tuple[Any, ...]) -> bool:
        """Apply the set qualifier over several context values (all parsed first, so a bad one is seen)."""
        parse = self._parse_context
        parsed = [parse(v) for v in values]
        negated = self.operator.negated
        # "satisfies" = matches some policy value, or for a negated operator matches none.
        satisfies = [self._hit(c, policy_values) is not negated for c in parsed]
        qualifier = self.condition.qualifier
        if qualifier is SetQualifier.FOR_ALL_VALUES:
            return all(satisfies)
        if qualifier is SetQualifier.FOR_ANY_VALUE:
            return any(satisfies)
        # Without a qualifier: OR over values for positive operators, NOR for negated ones.
        return all(satisfies) if negated else any(satisfies)

    def _render(self, context: RequestContext) -> tuple[Any, ...] | ConditionValueError:
        """The constant values plus every templated value that renders; unresolved ones are dropped."""
        out = list(self.static_values)
        cache = self._rendered
        for_pattern = self.operator.uses_wildcards
        for template in self.templates:
            text = template.render(context.single, for_pattern=for_pattern)
            if text is None:
                continue  # effectively null: equals nothing
            parsed = cache.get(text, _NOT_CACHED)
            if parsed is _NOT_CACHED:
                try:
                    parsed = self.operator.parse_policy_value(text)
                except ConditionValueError as err:
                    parsed = self._located(err, "policy")
                if len(cache) >= _RENDER_CACHE_LIMIT:
                    cache.clear()
                cache[text] = parsed
            if isinstance(parsed, ConditionValueError):
                return parsed
            out.append(parsed)
        return tuple(out)

    def _located(self, err: ConditionValueError, side: str) -> ConditionValueError:
        return _located(err, side, self.condition)


def compile_condition(condition: Condition, substitute_variables: bool) -> CompiledCondition:
    """Resolve the operator and parse the constant policy values; a bad value is kept, not raised."""
    op = get_operator(condition.base)
    static: list[Any] = []
    templates: list[Template] = []
    error: ConditionValueError | None = None
    variables = substitute_variables and op.supports_variables
    for text in condition.values:
        if variables:
            template = parse_template(text)
            if not template.plain:
                templates.append(template)
                continue
        try:
            static.append(op.parse_policy_value(text))
        except ConditionValueError as err:
            if error is None:
                error = _located(err, "policy", condition)
    return CompiledCondition(
        condition=condition,
        operator=op,
        key_lower=condition.key.lower(),
        static_values=tuple(static),
        templates=tuple(templates),
        policy_error=error,
        missing=_missing_outcome(condition.qualifier, condition.if_exists, op.negated),
        null_check=isinstance(op, NullOperator),
        _parse_context=op.parse_context_value,
        _matches=op.matches,
    )


def _missing_outcome(qualifier: SetQualifier | None, if_exists: bool, negated: bool) -> Outcome:
    """The constant outcome for a key that is absent (or an empty list)."""
    if qualifier is SetQualifier.FOR_ALL_VALUES:
        return (True, ConditionReason.EMPTY_SET_FOR_ALL_VALUES)
    if if_exists:
        return (True, ConditionReason.KEY_MISSING_IF_EXISTS)
    if qualifier is SetQualifier.FOR_ANY_VALUE:
        return (False, ConditionReason.EMPTY_SET_FOR_ANY_VALUE)
    if negated:
        return (True, ConditionReason.KEY_MISSING_NEGATED)
    return (False, ConditionReason.KEY_MISSING)


def _located(err: ConditionValueError, side: str, condition: Condition) -> ConditionValueError:
    """The error with the condition's key in the message and its JSON path as location."""
    return ConditionValueError(
        f"{side} value of `{condition.key}` for `{condition.operator}`: {err.message}",
        code=err.code,
        location=Location(path=condition.path),
    )
