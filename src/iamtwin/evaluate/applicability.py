"""Which policy types are in effect for a request, with AWS's documented exemptions as reasons."""

from __future__ import annotations

from typing import Any

from .decision import GrantKind, PolicyType
from .policy_set import Plan, PolicySet
from .principal import PrincipalKind
from .request import Request
from .rules import IAM_PRINCIPALS, RCP_SERVICES, SESSION_PRINCIPALS, may_require_resource_policy

Applicability = tuple[frozenset[PolicyType], dict[PolicyType, str]]
_ROUTES_LIMIT = 8192


class Route:
    """What deciding a request needs from its principal kind and action alone, worked out once.

    The active policy types and the exemptions of the others, the plan (every statement of the
    active types whose Action covers the action, in evaluation order) split into the statements
    with something to test (a Principal, a Resource other than `*`, conditions) and those that
    apply to every request of the route, the flags the final combination reads, and the
    combinations already worked out (see `engine.decide`).
    """

    __slots__ = (
        "active",
        "boundary",
        "combined",
        "exempt",
        "identity",
        "may_require_resource_policy",
        "plan",
        "rcp",
        "scp",
        "session",
        "tested_rows",
        "unconditional",
        "unconditional_grants",
        "vpc_endpoint",
    )

    def __init__(self, policies: PolicySet, request: Request) -> None:
        self.active, self.exempt = applicable(policies, request)
        self.plan: Plan = policies.plan(request.action_lower, self.active)
        tested = [st for st in self.plan if st.has_principal or st.covers is not None or st.checks]
        # What the decision loop reads of each, unpacked in one step.
        self.tested_rows = tuple((st, st.has_principal, st.covers, st.checks, st.grants_access) for st in tested)
        self.unconditional = frozenset(self.plan) - frozenset(tested)
        # Such a statement names no principal, so an allowing resource-policy one grants to everyone.
        everyone = any(st.grants_access for st in self.unconditional)
        self.unconditional_grants = frozenset({GrantKind.EVERYONE}) if everyone else frozenset()
        self.rcp = PolicyType.RCP in self.active
        self.scp = PolicyType.SCP in self.active
        self.vpc_endpoint = PolicyType.VPC_ENDPOINT in self.active
        self.identity = PolicyType.IDENTITY in self.active
        self.boundary = PolicyType.PERMISSIONS_BOUNDARY in self.active
        self.session = PolicyType.SESSION in self.active
        self.may_require_resource_policy = may_require_resource_policy(request.action_lower, request.service)
        self.combined: dict[object, Any] = {}


def route(policies: PolicySet, request: Request) -> Route:
    """The route of the request's principal kind and action, memoized on the policy set."""
    key = (request.principal.kind, request.action_lower)
    found: Route | None = policies.routes.get(key)
    if found is None:
        found = Route(policies, request)
        if len(policies.routes) < _ROUTES_LIMIT:
            policies.routes[key] = found
    return found


def applicable(policies: PolicySet, request: Request) -> Applicability:
    """The active policy types, and for each type in the input that does not apply, why not."""
    key = (request.principal.kind, request.service)
    found = policies.applicability.get(key)
    if found is None:
        found = _applicable(policies, request)
        policies.applicability[key] = found
    return found


def _applicable(policies: PolicySet, request: Request) -> Applicability:
    kind = request.principal.kind
    active: set[PolicyType] = set()
    exempt: dict[PolicyType, str] = {}
    iam_principal = kind in IAM_PRINCIPALS

    if policies.rcps is not None:
        # https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html
        # RCPs do apply to AWS service principals: AWS's own RCP examples deny them by aws:SourceOrgID.
        # https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_examples.html
        if policies.resource_in_management_account:
            exempt[PolicyType.RCP] = "management_account"
        elif policies.principal_is_service_linked_role:
            exempt[PolicyType.RCP] = "service_linked_role"
        elif request.service not in RCP_SERVICES:
            exempt[PolicyType.RCP] = "service_not_supported"
        else:
            active.add(PolicyType.RCP)
    if policies.scps is not None:
        # https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html
        if not iam_principal:
            exempt[PolicyType.SCP] = "not_an_account_principal"
        elif policies.principal_in_management_account:
            exempt[PolicyType.SCP] = "management_account"
        elif policies.principal_is_service_linked_role:
            exempt[PolicyType.SCP] = "service_linked_role"
        else:
            active.add(PolicyType.SCP)
    if policies.vpc_endpoint is not None:
        active.add(PolicyType.VPC_ENDPOINT)
    if policies.resource is not None:
        active.add(PolicyType.RESOURCE)
    if iam_principal:
        active.add(PolicyType.IDENTITY)
        if policies.permissions_boundary is not None:
            if kind is PrincipalKind.ROOT:
                exempt[PolicyType.PERMISSIONS_BOUNDARY] = "root_user"
            else:
                active.add(PolicyType.PERMISSIONS_BOUNDARY)
        if policies.session is not None:
            if kind in SESSION_PRINCIPALS:
                active.add(PolicyType.SESSION)
            else:
                exempt[PolicyType.SESSION] = "not_a_session"
    elif policies.identity:
        exempt[PolicyType.IDENTITY] = "not_an_account_principal"
    return frozenset(active), exempt
