"""AWS's decision order over every policy type, producing a Decision with its reasons.

https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html
"""

from __future__ import annotations

from .compiled import CompiledPolicy
from .decision import (
    Decision,
    GrantKind,
    LevelAnalysis,
    Outcome,
    PolicyType,
    PolicyTypeAnalysis,
    StatementRef,
)
from .policy_set import PolicySet
from .principal import PrincipalKind
from .request import Request
from .rules import IAM_PRINCIPALS, RCP_SERVICES, SESSION_PRINCIPALS, resource_policy_required
from .scan import ScanResult, scan

_TYPE_ORDER = {t: i for i, t in enumerate(PolicyType)}
_DIRECT = frozenset({GrantKind.DIRECT, GrantKind.EVERYONE})


def _outcome(allows: list[StatementRef], denies: list[StatementRef]) -> Outcome:
    if denies:
        return Outcome.EXPLICIT_DENY
    return Outcome.ALLOWED if allows else Outcome.IMPLICIT_DENY


class _Evaluation:
    """The working state of one decision; discarded once the Decision is built."""

    __slots__ = ("analyses", "out", "request", "type_results")

    def __init__(self, request: Request) -> None:
        self.request = request
        self.out = ScanResult()
        self.analyses: dict[PolicyType, PolicyTypeAnalysis] = {}
        self.type_results: dict[PolicyType, tuple[list[StatementRef], list[StatementRef], list[GrantKind]]] = {}

    def run(self, policy_type: PolicyType, policies: tuple[CompiledPolicy, ...], check_principal: bool) -> None:
        out = self.out
        a0, d0, g0 = len(out.allows), len(out.denies), len(out.grants)
        scan(policies, self.request, out, check_principal)
        allows, denies, grants = out.allows[a0:], out.denies[d0:], out.grants[g0:]
        self.type_results[policy_type] = (allows, denies, grants)
        self.analyses[policy_type] = PolicyTypeAnalysis(
            policy_type,
            _outcome(allows, denies),
            tuple(p.policy_id for p in policies),
            tuple(allows),
            tuple(denies),
            grant_kinds=tuple(dict.fromkeys(grants)),
        )

    def run_levels(self, policy_type: PolicyType, levels: tuple[tuple[CompiledPolicy, ...], ...]) -> list[int]:
        """Scan an SCP/RCP chain; return the indexes of levels without an allow."""
        out = self.out
        all_allows: list[StatementRef] = []
        all_denies: list[StatementRef] = []
        level_results: list[LevelAnalysis] = []
        failing: list[int] = []
        for i, level in enumerate(levels):
            a0, d0 = len(out.allows), len(out.denies)
            scan(level, self.request, out, False)
            allows, denies = out.allows[a0:], out.denies[d0:]
            all_allows += allows
            all_denies += denies
            outcome = _outcome(allows, denies)
            if not allows:
                failing.append(i)
            level_results.append(
                LevelAnalysis(i, tuple(p.policy_id for p in level), outcome, tuple(allows), tuple(denies))
            )
        self.type_results[policy_type] = (all_allows, all_denies, [])
        overall = Outcome.EXPLICIT_DENY if all_denies else Outcome.IMPLICIT_DENY if failing else Outcome.ALLOWED
        self.analyses[policy_type] = PolicyTypeAnalysis(
            policy_type,
            overall,
            tuple(p.policy_id for level in levels for p in level),
            tuple(all_allows),
            tuple(all_denies),
            levels=tuple(level_results),
        )
        return failing

    def exempt(self, policy_type: PolicyType, policy_ids: tuple[str, ...], reason: str) -> None:
        self.analyses[policy_type] = PolicyTypeAnalysis(policy_type, Outcome.ALLOWED, policy_ids, exempt_reason=reason)

    def allowed_by(self, policy_type: PolicyType) -> bool:
        found = self.type_results.get(policy_type)
        return bool(found and found[0])

    def decision(self, outcome: Outcome, blocked_by: list[PolicyType], blocking: list[str]) -> Decision:
        out = self.out
        return Decision(
            request=self.request,
            outcome=outcome,
            blocked_by=tuple(sorted(dict.fromkeys(blocked_by), key=_TYPE_ORDER.__getitem__)),
            blocking_policies=tuple(dict.fromkeys(blocking)),
            matched=tuple(out.applied),
            analyses=self.analyses,
            explanations=tuple(out.explanations),
            missing_context_keys=frozenset(out.missing_keys),
            errors=tuple(out.errors),
        )


def _ref_order(ref: StatementRef) -> int:
    return _TYPE_ORDER[ref.policy_type]


def _chain_ids(levels: tuple[tuple[CompiledPolicy, ...], ...]) -> tuple[str, ...]:
    return tuple(p.policy_id for level in levels for p in level)


def decide(policies: PolicySet, request: Request) -> Decision:
    """Decide `request` under `policies` in AWS's evaluation order."""
    ev = _Evaluation(request)
    principal = request.principal
    kind = principal.kind
    iam_principal = kind in IAM_PRINCIPALS

    # Which types are in effect, with AWS's exemptions recorded as reasons.
    scps = policies.scps
    if scps is not None:
        if not iam_principal:
            ev.exempt(PolicyType.SCP, _chain_ids(scps), "not_an_account_principal")
            scps = None
        elif policies.principal_in_management_account:
            ev.exempt(PolicyType.SCP, _chain_ids(scps), "management_account")
            scps = None
        elif policies.principal_is_service_linked_role:
            ev.exempt(PolicyType.SCP, _chain_ids(scps), "service_linked_role")
            scps = None
    rcps = policies.rcps
    if rcps is not None:
        reason = None
        if kind is PrincipalKind.SERVICE:
            reason = "service_principal"
        elif policies.resource_in_management_account:
            reason = "management_account"
        elif policies.principal_is_service_linked_role:
            reason = "service_linked_role"
        elif request.service not in RCP_SERVICES:
            reason = "service_not_supported"
        if reason is not None:
            ev.exempt(PolicyType.RCP, _chain_ids(rcps), reason)
            rcps = None

    failing_rcp = ev.run_levels(PolicyType.RCP, rcps) if rcps is not None else []
    failing_scp = ev.run_levels(PolicyType.SCP, scps) if scps is not None else []
    if policies.vpc_endpoint is not None:
        ev.run(PolicyType.VPC_ENDPOINT, policies.vpc_endpoint, True)
    if policies.resource is not None:
        ev.run(PolicyType.RESOURCE, (policies.resource,), True)
    if iam_principal:
        ev.run(PolicyType.IDENTITY, policies.identity, False)
        if policies.permissions_boundary is not None and kind is not PrincipalKind.ROOT:
            ev.run(PolicyType.PERMISSIONS_BOUNDARY, (policies.permissions_boundary,), False)
        if policies.session is not None and kind in SESSION_PRINCIPALS:
            ev.run(PolicyType.SESSION, policies.session, False)

    # 1. An explicit deny anywhere is final.
    if ev.out.denies:
        denies = ev.out.denies
        return ev.decision(
            Outcome.EXPLICIT_DENY,
            [r.policy_type for r in denies],
            [r.policy_id for r in sorted(denies, key=_ref_order)],
        )

    # 2. Organization policies: every level of the chain must allow.
    blocked: list[PolicyType] = []
    blocking: list[str] = []
    for policy_type, failing, chain in ((PolicyType.RCP, failing_rcp, rcps), (PolicyType.SCP, failing_scp, scps)):
        if failing and chain is not None:
            blocked.append(policy_type)
            blocking.extend(p.policy_id for p in chain[failing[0]])
    if policies.vpc_endpoint is not None and not ev.allowed_by(PolicyType.VPC_ENDPOINT):
        blocked.append(PolicyType.VPC_ENDPOINT)
    if blocked:
        return ev.decision(Outcome.IMPLICIT_DENY, blocked, blocking)

    # 3. Resource-based policy, identity-based policies, boundary and session policies.
    blocked = _principal_and_resource_side(ev, policies, request, iam_principal)
    if blocked:
        return ev.decision(Outcome.IMPLICIT_DENY, blocked, [])
    return ev.decision(Outcome.ALLOWED, [], [])


def _principal_and_resource_side(
    ev: _Evaluation, policies: PolicySet, request: Request, iam_principal: bool
) -> list[PolicyType]:
    """The policy types that withhold an allow, given no explicit deny and no organization block."""
    kind = request.principal.kind
    grants = set(ev.type_results[PolicyType.RESOURCE][2]) if policies.resource is not None else set()
    if not iam_principal:
        # Service principals, web identities and anonymous callers have no identity policies.
        return [] if grants else [PolicyType.RESOURCE]

    identity_ok = kind is PrincipalKind.ROOT or ev.allowed_by(PolicyType.IDENTITY)
    boundary_ok = PolicyType.PERMISSIONS_BOUNDARY not in ev.type_results or ev.allowed_by(
        PolicyType.PERMISSIONS_BOUNDARY
    )
    session_ok = PolicyType.SESSION not in ev.type_results or ev.allowed_by(PolicyType.SESSION)
    limits = [
        t for t, ok in ((PolicyType.PERMISSIONS_BOUNDARY, boundary_ok), (PolicyType.SESSION, session_ok)) if not ok
    ]

    if not request.same_account:
        blocked = [] if grants else [PolicyType.RESOURCE]
        if not identity_ok:
            blocked.append(PolicyType.IDENTITY)
        return blocked + limits

    if resource_policy_required(request) and not grants:
        return [PolicyType.RESOURCE]
    if grants & _DIRECT:
        return []
    if GrantKind.ROLE in grants:
        return limits
    return ([] if identity_ok else [PolicyType.IDENTITY]) + limits
