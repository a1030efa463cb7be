"""The reasons of a decision, derived from the evaluation trace when first read."""

from __future__ import annotations

from collections.abc import Sequence

from .compiled import CompiledStatement
from .decision import (
    ConditionExplanation,
    EvaluationError,
    GrantKind,
    LevelAnalysis,
    Outcome,
    PolicyType,
    PolicyTypeAnalysis,
    StatementRef,
)
from .policy_set import PolicySet
from .request import Request


def _outcome(allows: tuple[StatementRef, ...], denies: tuple[StatementRef, ...]) -> Outcome:
    if denies:
        return Outcome.EXPLICIT_DENY
    return Outcome.ALLOWED if allows else Outcome.IMPLICIT_DENY


class Trace:
    """What one evaluation saw: the statements that applied and those whose conditions were checked.

    A plain class rather than a frozen dataclass: the engine makes one per request and never changes it.
    """

    __slots__ = ("_walk", "active", "applied", "checked", "exempt", "policies", "request")

    def __init__(
        self,
        policies: PolicySet,
        request: Request,
        active: frozenset[PolicyType],
        exempt: dict[PolicyType, str],
        applied: tuple[CompiledStatement, ...],
        checked: Sequence[CompiledStatement],
    ) -> None:
        self.policies = policies
        self.request = request
        self.active = active
        self.exempt = exempt
        self.applied = applied
        self.checked = checked
        # The condition walk is shared by explanations, errors and missing keys: done once, on first read.
        self._walk: tuple[list[ConditionExplanation], list[EvaluationError], set[str]] | None = None

    def analyses(self) -> dict[PolicyType, PolicyTypeAnalysis]:
        """One analysis per policy type in the input: its outcome, statements, levels or exemption."""
        out: dict[PolicyType, PolicyTypeAnalysis] = {}
        for policy_type in PolicyType:
            ids = tuple(p.policy_id for p in self.policies.policies_of(policy_type))
            if policy_type in self.exempt:
                out[policy_type] = PolicyTypeAnalysis(
                    policy_type, Outcome.ALLOWED, ids, exempt_reason=self.exempt[policy_type]
                )
                continue
            if policy_type not in self.active:
                continue
            mine = [st for st in self.applied if st.policy_type is policy_type]
            allows = tuple(st.ref for st in mine if not st.deny)
            denies = tuple(st.ref for st in mine if st.deny)
            if policy_type in (PolicyType.RCP, PolicyType.SCP):
                out[policy_type] = self._chain(policy_type, ids, allows, denies)
                continue
            grant_kinds: tuple[GrantKind, ...] = ()
            if policy_type is PolicyType.RESOURCE:
                found = (st.principal_grant(self.request.principal) for st in mine if not st.deny)
                grant_kinds = tuple(dict.fromkeys(g for g in found if g is not None))
            out[policy_type] = PolicyTypeAnalysis(
                policy_type, _outcome(allows, denies), ids, allows, denies, grant_kinds=grant_kinds
            )
        return out

    def _chain(
        self,
        policy_type: PolicyType,
        ids: tuple[str, ...],
        allows: tuple[StatementRef, ...],
        denies: tuple[StatementRef, ...],
    ) -> PolicyTypeAnalysis:
        chain = self.policies.rcps if policy_type is PolicyType.RCP else self.policies.scps
        levels = []
        for index, level in enumerate(chain or ()):
            level_allows = tuple(r for r in allows if r.level == index)
            level_denies = tuple(r for r in denies if r.level == index)
            levels.append(
                LevelAnalysis(
                    index,
                    tuple(p.policy_id for p in level),
                    _outcome(level_allows, level_denies),
                    level_allows,
                    level_denies,
                )
            )
        if denies:
            overall = Outcome.EXPLICIT_DENY
        elif all(lv.allows for lv in levels):
            overall = Outcome.ALLOWED
        else:
            overall = Outcome.IMPLICIT_DENY
        return PolicyTypeAnalysis(policy_type, overall, ids, allows, denies, levels=tuple(levels))

    def _conditions(self) -> tuple[list[ConditionExplanation], list[EvaluationError], set[str]]:
        if self._walk is None:
            self._walk = self._walk_conditions()
        return self._walk

    def _walk_conditions(self) -> tuple[list[ConditionExplanation], list[EvaluationError], set[str]]:
        explanations: list[ConditionExplanation] = []
        errors: list[EvaluationError] = []
        missing: set[str] = set()
        ctx = self.request.context
        for st in self.checked:
            for cond, model, key_lower in zip(st.conditions, st.statement.conditions, st.condition_keys, strict=True):
                result = cond.evaluate(ctx)
                if ctx.get_value(key_lower) is None:
                    missing.add(model.key)
                if result.error is not None:
                    errors.append(
                        EvaluationError(
                            st.policy_type,
                            st.ref.policy_id,
                            st.ref.index,
                            result.error.code,
                            result.error.message,
                            model.path,
                        )
                    )
                if not result.matched:
                    explanations.append(
                        ConditionExplanation(
                            st.ref,
                            model.operator,
                            model.key,
                            model.values,
                            result.context_values,
                            False,
                            result.reason,
                        )
                    )
        return explanations, errors, missing

    def explanations(self) -> tuple[ConditionExplanation, ...]:
        """Every failed condition of a statement whose action, resource and principal matched."""
        return tuple(self._conditions()[0])

    def errors(self) -> tuple[EvaluationError, ...]:
        """Every condition that could not be evaluated (its statement did not apply)."""
        return tuple(self._conditions()[1])

    def missing_keys(self) -> frozenset[str]:
        """Condition keys the relevant statements test that the request context lacks."""
        return frozenset(self._conditions()[2])
