"""AWS's decision order over every policy type, producing a Decision with its reasons.

https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html

The loop below walks one precomputed plan (the statements whose Action covers the request's action)
and records only what the outcome needs; the reasons are derived from that trace when first read
(see `reasons.py`).
"""

from __future__ import annotations

from .applicability import applicable
from .compiled import NO_RESOURCE, CompiledStatement
from .decision import Decision, GrantKind, Outcome, PolicyType
from .lazy import LazyMapping, LazySequence, LazySet
from .policy_set import PolicySet
from .principal import PrincipalKind
from .reasons import Trace
from .request import Request
from .rules import resource_policy_required

_TYPE_ORDER = {t: i for i, t in enumerate(PolicyType)}
_DIRECT = frozenset({GrantKind.DIRECT, GrantKind.EVERYONE})
_RCP, _SCP = PolicyType.RCP, PolicyType.SCP
_RESOURCE = PolicyType.RESOURCE


def decide(policies: PolicySet, request: Request) -> Decision:
    """Decide `request` under `policies` in AWS's evaluation order."""
    active, exempt = applicable(policies, request)
    plan = policies.plan(request.action_lower, active)
    principal = request.principal
    resource = request.resource if request.resource is not None else NO_RESOURCE
    ctx = request.context
    bounded = PolicyType.PERMISSIONS_BOUNDARY in active
    applied: list[CompiledStatement] = []
    checked: list[CompiledStatement] = []
    grants: set[GrantKind] = set()
    for st in plan:
        grant = GrantKind.EVERYONE
        if st.has_principal:
            found = st.principal_grant(principal)
            if found is None:
                # A Deny with NotPrincipal always applies to a principal that has a permissions boundary.
                # https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html
                if not (st.deny and st.not_principal is not None and bounded):
                    continue
                found = GrantKind.EVERYONE
            grant = found
        if st.resource_tests is not None and not st.covers_resource(resource, ctx):
            continue
        if st.conditions:
            checked.append(st)
            holds = True
            for cond in st.conditions:
                if not cond.holds(ctx):
                    holds = False
                    break
            if not holds:
                continue
        applied.append(st)
        if st.policy_type is _RESOURCE and not st.deny:
            grants.add(grant)

    trace = Trace(policies, request, active, exempt, tuple(applied), tuple(checked), frozenset(grants))
    outcome, blocked, blocking = _combine(policies, request, active, applied, grants)
    return Decision(
        request=request,
        outcome=outcome,
        blocked_by=tuple(sorted(set(blocked), key=_TYPE_ORDER.__getitem__)),
        blocking_policies=tuple(dict.fromkeys(blocking)),
        matched=tuple(st.ref for st in applied),
        analyses=LazyMapping(trace.analyses),
        explanations=LazySequence(trace.explanations),
        missing_context_keys=LazySet(trace.missing_keys),
        errors=LazySequence(trace.errors),
    )


def _combine(
    policies: PolicySet,
    request: Request,
    active: frozenset[PolicyType],
    applied: list[CompiledStatement],
    grants: set[GrantKind],
) -> tuple[Outcome, list[PolicyType], list[str]]:
    denies = [st for st in applied if st.deny]
    # 1. An explicit deny in any policy type is final.
    if denies:
        return Outcome.EXPLICIT_DENY, [st.policy_type for st in denies], [st.ref.policy_id for st in denies]

    allowed_types = {st.policy_type for st in applied}
    blocked: list[PolicyType] = []
    blocking: list[str] = []
    # 2. Organization policies: every level of an RCP/SCP chain must allow.
    for chain_type in (_RCP, _SCP):
        if chain_type in active:
            levels = {st.level for st in applied if st.policy_type is chain_type}
            chain = policies.rcps if chain_type is _RCP else policies.scps
            for index, level in enumerate(chain or ()):
                if index not in levels:
                    blocked.append(chain_type)
                    blocking.extend(p.policy_id for p in level)
                    break
    if PolicyType.VPC_ENDPOINT in active and PolicyType.VPC_ENDPOINT not in allowed_types:
        blocked.append(PolicyType.VPC_ENDPOINT)
    if blocked:
        return Outcome.IMPLICIT_DENY, blocked, blocking

    # 3. Resource-based policy, identity-based policies, permissions boundary, session policies.
    blocked = _principal_and_resource_side(request, active, allowed_types, grants)
    return (Outcome.IMPLICIT_DENY if blocked else Outcome.ALLOWED), blocked, []


def _principal_and_resource_side(
    request: Request, active: frozenset[PolicyType], allowed: set[PolicyType], grants: set[GrantKind]
) -> list[PolicyType]:
    """The policy types that withhold an allow, given no explicit deny and no organization block."""
    kind = request.principal.kind
    if PolicyType.IDENTITY not in active:
        # Service principals, web identities and anonymous callers have no identity policies.
        return [] if grants else [_RESOURCE]

    identity_ok = kind is PrincipalKind.ROOT or PolicyType.IDENTITY in allowed
    limits: list[PolicyType] = [
        t for t in (PolicyType.PERMISSIONS_BOUNDARY, PolicyType.SESSION) if t in active and t not in allowed
    ]
    if kind is PrincipalKind.FEDERATED_USER and PolicyType.SESSION not in active:
        # A GetFederationToken session with no session policy has no permissions.
        # https://docs.aws.amazon.com/STS/latest/APIReference/API_GetFederationToken.html
        limits.append(PolicyType.SESSION)
    if not request.same_account:
        # Cross-account: the principal's side and the resource policy must both allow.
        blocked = [] if grants else [_RESOURCE]
        if not identity_ok:
            blocked.append(PolicyType.IDENTITY)
        return blocked + limits

    if resource_policy_required(request) and not grants:
        return [_RESOURCE]
    if grants & _DIRECT:
        # A same-account grant to the user or session itself is not limited by an implicit deny elsewhere.
        return []
    if GrantKind.ROLE in grants:
        # A grant to the role ARN stands without identity policies but within the boundary and session policies.
        return limits
    return ([] if identity_ok else [PolicyType.IDENTITY]) + limits
