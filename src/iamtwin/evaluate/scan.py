"""Scanning the policies of one policy type for the statements that apply to a request."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from .compiled import NO_RESOURCE, CompiledPolicy, CompiledStatement
from .decision import (
    ConditionExplanation,
    EvaluationError,
    GrantKind,
    StatementRef,
)
from .principal import Principal
from .request import Request


@dataclass(slots=True)
class ScanResult:
    """The applying allow and deny statements of some policies, and what was learned on the way."""

    allows: list[StatementRef] = field(default_factory=list)
    grants: list[GrantKind] = field(default_factory=list)
    denies: list[StatementRef] = field(default_factory=list)
    applied: list[StatementRef] = field(default_factory=list)  # allows and denies in evaluation order
    explanations: list[ConditionExplanation] = field(default_factory=list)
    errors: list[EvaluationError] = field(default_factory=list)
    missing_keys: set[str] = field(default_factory=set)


def _principal_grant(st: CompiledStatement, principal: Principal) -> GrantKind | bool | None:
    """The grant kind when the statement names the principal; True when it has no principal element."""
    if st.principal is not None:
        return st.principal.match(principal)
    if st.not_principal is not None:
        return None if st.not_principal.match(principal) is not None else GrantKind.EVERYONE
    return True


def scan(policies: Sequence[CompiledPolicy], request: Request, out: ScanResult, check_principal: bool) -> None:
    """Add to `out` every statement of `policies` that applies to `request`."""
    action_lower = request.action.lower()
    resource = request.resource if request.resource is not None else NO_RESOURCE
    ctx = request.context
    for policy in policies:
        for st in policy.candidates(action_lower):
            grant: GrantKind | bool | None = True
            if check_principal:
                grant = _principal_grant(st, request.principal)
                if grant is None:
                    continue
            if not st.covers_resource(resource, ctx):
                continue
            if st.conditions and not _conditions_hold(st, request, out):
                continue
            out.applied.append(st.ref)
            if st.deny:
                out.denies.append(st.ref)
            else:
                out.allows.append(st.ref)
                if isinstance(grant, GrantKind):
                    out.grants.append(grant)


def _conditions_hold(st: CompiledStatement, request: Request, out: ScanResult) -> bool:
    ok = True
    ctx = request.context
    for cond, model, key_lower in zip(st.conditions, st.statement.conditions, st.condition_keys, strict=True):
        result = cond.evaluate(ctx)
        if ctx.get_value(key_lower) is None:
            out.missing_keys.add(model.key)
        if result.error is not None:
            out.errors.append(
                EvaluationError(
                    st.ref.policy_type,
                    st.ref.policy_id,
                    st.ref.index,
                    result.error.code,
                    result.error.message,
                    model.path,
                )
            )
        if not result.matched:
            ok = False
            out.explanations.append(
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
    return ok
