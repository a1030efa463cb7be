"""AWS's decision order over every policy type, producing a Decision with its reasons.

https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html

The loop below walks one precomputed plan (the statements whose Action covers the request's action)
and records only what the outcome needs; the reasons are derived from that trace when first read
(see `reasons.py`).

Every request is evaluated against every statement of its plan. What follows from that evaluation
(outcome, blocking types and policies, matched statements) is a function of which statements
applied, how the resource policy named the principal, whether the request is cross-account and
whether the resource needs its own policy to allow; the route keeps it per such combination, so
the combination rules run once per combination rather than once per request.
"""

from __future__ import annotations

from collections.abc import Sequence, Set

from .applicability import Route, route
from .compiled import NO_RESOURCE, CompiledPolicy, CompiledStatement
from .decision import (
    ConditionExplanation,
    Decision,
    EvaluationError,
    GrantKind,
    Outcome,
    PolicyType,
    StatementRef,
    make_decision,
)
from .lazy import LazyMapping, LazySequence, LazySet
from .native import is_native
from .policy_set import PolicySet
from .principal import PrincipalKind
from .reasons import Trace
from .request import Request
from .rules import resource_policy_required

_TYPE_ORDER = {t: i for i, t in enumerate(PolicyType)}
_DIRECT = frozenset({GrantKind.DIRECT, GrantKind.EVERYONE})
# Enum members read through the class cost an attribute lookup each; the hot path uses these names.
_RCP, _SCP, _VPC_ENDPOINT = PolicyType.RCP, PolicyType.SCP, PolicyType.VPC_ENDPOINT
_RESOURCE, _IDENTITY = PolicyType.RESOURCE, PolicyType.IDENTITY
_BOUNDARY, _SESSION = PolicyType.PERMISSIONS_BOUNDARY, PolicyType.SESSION
_EVERYONE, _ROLE = GrantKind.EVERYONE, GrantKind.ROLE
_ALLOWED, _EXPLICIT_DENY, _IMPLICIT_DENY = Outcome.ALLOWED, Outcome.EXPLICIT_DENY, Outcome.IMPLICIT_DENY
_ROOT, _FEDERATED_USER = PrincipalKind.ROOT, PrincipalKind.FEDERATED_USER

# outcome, blocked_by, blocking_policies, matched, and every statement that applied
Combined = tuple[
    Outcome, tuple[PolicyType, ...], tuple[str, ...], tuple[StatementRef, ...], tuple[CompiledStatement, ...]
]
_COMBINED_LIMIT = 1024
_NATIVE = is_native(Decision)


def decide(policies: PolicySet, request: Request) -> Decision:
    """Decide `request` under `policies` in AWS's evaluation order."""
    principal = request.principal
    # Typed here because PolicySet cannot name Route (import cycle): compiled, this makes its reads native.
    plan: Route = policies.routes.get((principal.kind, request.action_lower)) or route(policies, request)
    resource = request.resource if request.resource is not None else NO_RESOURCE
    ctx = request.context
    get = ctx.get_value
    bounded = plan.boundary
    applied: list[CompiledStatement] = []
    checked: list[CompiledStatement] = []
    grants: set[GrantKind] = set()
    # Only the statements with something to test; the others apply to every request of the route.
    for st, has_principal, covers, checks, grants_access in plan.tested_rows:
        grant = _EVERYONE
        if has_principal:
            found = st.principal_grant(principal)
            if found is None:
                # A Deny with NotPrincipal always applies to a principal that has a permissions boundary.
                # https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html
                if not (st.deny and st.not_principal is not None and bounded):
                    continue
                found = _EVERYONE
            grant = found
        if covers is not None and not covers(resource, get, ctx):
            continue
        if checks:
            checked.append(st)
            holds = True
            for check in checks:
                if not check(get, ctx):
                    holds = False
                    break
            if not holds:
                continue
        applied.append(st)
        if grants_access:
            grants.add(grant)

    account = request.resource_account
    key = (
        tuple(applied),
        frozenset(grants) if grants else None,
        account is None or principal.account == account,  # Request.same_account
        plan.may_require_resource_policy and resource_policy_required(request),
    )
    combined: Combined | None = plan.combined.get(key)
    if combined is None:
        applied = [st for st in plan.plan if st in plan.unconditional or st in key[0]]
        combined = _combine(policies, request, plan, applied, grants | plan.unconditional_grants)
        if len(plan.combined) >= _COMBINED_LIMIT:
            plan.combined.clear()
        plan.combined[key] = combined
    outcome, blocked_by, blocking, matched, applied_statements = combined
    trace = Trace(policies, request, plan.active, plan.exempt, applied_statements, checked)
    explanations: Sequence[ConditionExplanation] = ()
    missing: Set[str] = frozenset()
    errors: Sequence[EvaluationError] = ()
    # With no condition evaluated there is no explanation, error or missing key to derive.
    if checked:
        explanations = LazySequence(trace.explanations)
        missing = LazySet(trace.missing_keys)
        errors = LazySequence(trace.errors)
    analyses = LazyMapping(trace.analyses)
    if _NATIVE:
        # Compiled, the native constructor beats the interpreted draft (see `native.py`).
        return Decision(request, outcome, blocked_by, blocking, matched, analyses, explanations, missing, errors)
    return make_decision(request, outcome, blocked_by, blocking, matched, analyses, explanations, missing, errors)


def _ordered(types: list[PolicyType]) -> tuple[PolicyType, ...]:
    """The policy types once each, in evaluation order."""
    if len(types) < 2:
        return tuple(types)
    return tuple(sorted(set(types), key=_TYPE_ORDER.__getitem__))


def _combine(
    policies: PolicySet, request: Request, plan: Route, applied: list[CompiledStatement], grants: set[GrantKind]
) -> Combined:
    matched = tuple([st.ref for st in applied])
    denies = [st for st in applied if st.deny]
    # 1. An explicit deny in any policy type is final.
    if denies:
        return (
            _EXPLICIT_DENY,
            _ordered([st.policy_type for st in denies]),
            tuple(dict.fromkeys([st.ref.policy_id for st in denies])),
            matched,
            tuple(applied),
        )

    allowed_types = {st.policy_type for st in applied}
    blocked: list[PolicyType] = []
    blocking: list[str] = []
    # 2. Organization policies: every level of an RCP/SCP chain must allow.
    if plan.rcp:
        _first_silent_level(_RCP, policies.rcps, applied, blocked, blocking)
    if plan.scp:
        _first_silent_level(_SCP, policies.scps, applied, blocked, blocking)
    if plan.vpc_endpoint and _VPC_ENDPOINT not in allowed_types:
        blocked.append(_VPC_ENDPOINT)
    if blocked:
        return _IMPLICIT_DENY, _ordered(blocked), tuple(dict.fromkeys(blocking)), matched, tuple(applied)

    # 3. Resource-based policy, identity-based policies, permissions boundary, session policies.
    blocked = _principal_and_resource_side(request, plan, allowed_types, grants)
    return (_IMPLICIT_DENY if blocked else _ALLOWED), _ordered(blocked), (), matched, tuple(applied)


def _first_silent_level(
    chain_type: PolicyType,
    chain: tuple[tuple[CompiledPolicy, ...], ...] | None,
    applied: list[CompiledStatement],
    blocked: list[PolicyType],
    blocking: list[str],
) -> None:
    """Record the first level of an RCP/SCP chain where no statement allows, if there is one."""
    levels = {st.level for st in applied if st.policy_type is chain_type}
    for index, level in enumerate(chain or ()):
        if index not in levels:
            blocked.append(chain_type)
            blocking.extend([p.policy_id for p in level])
            return


def _principal_and_resource_side(
    request: Request, plan: Route, allowed: set[PolicyType], grants: set[GrantKind]
) -> list[PolicyType]:
    """The policy types that withhold an allow, given no explicit deny and no organization block."""
    kind = request.principal.kind
    if not plan.identity:
        # Service principals, web identities and anonymous callers have no identity policies.
        return [] if grants else [_RESOURCE]

    identity_ok = kind is _ROOT or _IDENTITY in allowed
    limits: list[PolicyType] = []
    if plan.boundary and _BOUNDARY not in allowed:
        limits.append(_BOUNDARY)
    if plan.session and _SESSION not in allowed:
        limits.append(_SESSION)
    if kind is _FEDERATED_USER and not plan.session:
        # A GetFederationToken session with no session policy has no permissions.
        # https://docs.aws.amazon.com/STS/latest/APIReference/API_GetFederationToken.html
        limits.append(_SESSION)
    if not request.same_account:
        # Cross-account: the principal's side and the resource policy must both allow.
        blocked = [] if grants else [_RESOURCE]
        if not identity_ok:
            blocked.append(_IDENTITY)
        return blocked + limits

    if not grants and plan.may_require_resource_policy and resource_policy_required(request):
        return [_RESOURCE]
    if grants & _DIRECT:
        # A same-account grant to the user or session itself is not limited by an implicit deny elsewhere.
        return []
    if _ROLE in grants:
        # A grant to the role ARN stands without identity policies but within the boundary and session policies.
        return limits
    return ([] if identity_ok else [_IDENTITY]) + limits
