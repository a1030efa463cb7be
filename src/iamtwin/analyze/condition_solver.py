"""Whether an answer's open conditions can hold together, decided by z3 with the validator's encoding.

A path of conditional Allows is kept only if some request satisfies it without meeting a guard (a
conditional Deny): an Allow `only when aws:RequestedRegion is eu-west-1` under an SCP that denies
`unless aws:RequestedRegion is us-east-1` is never usable. A guard no allowed request can meet is
dropped. The conditions are encoded by `validate.symbolic` (the engine's rules for operators,
qualifiers, IfExists and absent keys); an undecided query (timeout) keeps what it asked about.
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import z3  # type: ignore[import-untyped]  # z3-solver ships no type information

from .. import catalog
from ..policy.model import Condition, SetQualifier
from ..validate.symbolic.actions import ActionDomain
from ..validate.symbolic.conditions import encode_condition
from ..validate.symbolic.request import SymbolicRequest

TIMEOUT_MS = 1000
# A conjunction of conditions: one conditional statement's open conditions, or a path's.
Conjunction = tuple[Condition, ...]


class ConditionSolver:
    """Answers satisfiability questions over open conditions, each distinct question once."""

    def __init__(self, timeout_ms: int = TIMEOUT_MS) -> None:
        self.timeout_ms = timeout_ms
        self._answers: dict[tuple[object, ...], bool] = {}

    def usable_paths(self, action: str, paths: Sequence[Conjunction], guards: Sequence[Conjunction]) -> list[int]:
        """The indexes of the paths some request meets without meeting any guard."""
        return [i for i, path in enumerate(paths) if self._possible(action, (path,), guards, negate_guards=True)]

    def reachable_guards(self, action: str, paths: Sequence[Conjunction], guards: Sequence[Conjunction]) -> list[int]:
        """The indexes of the guards some request meeting a path also meets."""
        return [i for i, guard in enumerate(guards) if self._possible(action, paths, (guard,), negate_guards=False)]

    def _possible(
        self, action: str, paths: Sequence[Conjunction], guards: Sequence[Conjunction], *, negate_guards: bool
    ) -> bool:
        key = (action.lower(), tuple(map(_signature, paths)), tuple(map(_signature, guards)), negate_guards)
        found = self._answers.get(key)
        if found is None:
            found = self._solve(action, paths, guards, negate_guards)
            self._answers[key] = found
        return found

    def _solve(self, action: str, paths: Sequence[Conjunction], guards: Sequence[Conjunction], negate: bool) -> bool:
        conditions = [c for group in (*paths, *guards) for c in group]
        domain = ActionDomain([action], [c.key for c in conditions])
        request = SymbolicRequest(domain, _bounds(conditions))

        def holds(group: Conjunction) -> z3.BoolRef:
            return z3.And(*[encode_condition(c, request, True) for c in group]) if group else z3.BoolVal(True)

        allowed = z3.Or(*[holds(p) for p in paths]) if paths else z3.BoolVal(False)
        met = z3.Or(*[holds(g) for g in guards]) if guards else z3.BoolVal(False)
        solver = z3.Solver()
        solver.set("timeout", self.timeout_ms)
        solver.add(*request.constraints(), domain.matches([action]), allowed, z3.Not(met) if negate else met)
        # Unknown (a timeout) counts as possible: nothing is dropped that was not shown impossible.
        return bool(solver.check() != z3.unsat)


def _signature(group: Conjunction) -> tuple[tuple[str, str, tuple[str, ...]], ...]:
    return tuple((c.operator, c.key.lower(), c.values) for c in group)


def _bounds(conditions: Sequence[Condition]) -> dict[str, int]:
    """Values a multivalued key may need: the conditions on it plus one (see validate/symbolic/request.py)."""
    uses: Counter[str] = Counter(c.key.lower() for c in conditions)
    out: dict[str, int] = {}
    for condition in conditions:
        known = catalog.condition_key(condition.key)
        qualified = condition.qualifier in (SetQualifier.FOR_ALL_VALUES, SetQualifier.FOR_ANY_VALUE)
        if (known is not None and known.multivalued) or (known is None and qualified):
            out[condition.key.lower()] = uses[condition.key.lower()] + 1
    return out
