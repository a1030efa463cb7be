"""`who-can`: every principal that may perform an action on a resource, and under which conditions.

The principals decided are the index's candidates (users and roles whose identity policies could
allow the action), the principals the resource policy names (users, roles, accounts, services, `*`)
and the root user of the resource's account. Each is decided by `AccessEvaluator`; principals that
can never make the request are left out of the answer but counted as considered. When the resource
policy grants `*`, every user and role of the resource's account is decided too (in the same account
a grant to `*` needs no identity policy, though their own denies, boundaries and SCPs still apply),
and the `*` entry stands for everyone else: principals outside the world, anonymous callers included.
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html
"""

from __future__ import annotations

from ..errors import IamtwinError
from ..evaluate.compiled import CompiledPolicy
from ..evaluate.decision import PolicyType
from ..evaluate.principal import PrincipalKind, parse_principal
from ..policy.parse import parse_policy
from .access_model import Access, PrincipalClass, QueryPrincipal, Verdict, WhoCanAnswer
from .access_world import AccessWorld, checked_action, checked_resource

_KIND_ORDER = {kind: i for i, kind in enumerate(PrincipalClass)}
_VERDICT_ORDER = {Verdict.ALLOWED: 0, Verdict.CONDITIONAL: 1, Verdict.DENIED: 2}


def who_can(world: AccessWorld, action: str, resource: str | None, *, use_index: bool = True) -> WhoCanAnswer:
    """The principals allowed `action` on `resource` (with `use_index=False`, every principal is decided)."""
    action = checked_action(action)
    resource = checked_resource(resource)
    found: dict[tuple[PrincipalClass, str], QueryPrincipal] = {}
    for principal in world.index.candidates(action) if use_index else world.index.principals:
        found[(principal.kind, principal.arn)] = principal
    account, _, _ = world.evaluator.assembler.resource_facts(resource, action)
    for principal in resource_policy_principals(world, action, resource):
        found.setdefault((principal.kind, principal.arn), principal)
        if principal.kind is PrincipalClass.EVERYONE and account is not None:
            for same_account in world.index.in_account(account):
                found.setdefault((same_account.kind, same_account.arn), same_account)
    if account is not None and world.view.has_account(account):
        root = QueryPrincipal(PrincipalClass.ACCOUNT_ROOT, f"arn:aws:iam::{account}:root", account)
        found.setdefault((root.kind, root.arn), root)
    accesses = [world.evaluator.access(p, action, resource) for p in found.values()]
    allowed = sorted((a for a in accesses if a.allowed), key=_order)
    return WhoCanAnswer(action, resource, tuple(allowed), len(found), len(world.index.principals))


def _order(access: Access) -> tuple[int, int, str]:
    return _VERDICT_ORDER[access.verdict], _KIND_ORDER[access.principal.kind], access.principal.arn


def resource_policy_principals(world: AccessWorld, action: str, resource: str | None) -> list[QueryPrincipal]:
    """The principals the resource's policy names in Allow statements covering the action."""
    _, _, entry = world.evaluator.assembler.resource_facts(resource, action)
    if entry is None:
        return []
    policy = CompiledPolicy(PolicyType.RESOURCE, entry[0], parse_policy(entry[1]))
    out: list[QueryPrincipal] = []
    for st in policy.candidates(action.lower()):
        element = st.statement.principal
        if st.deny:
            continue
        if element is None or st.principal is None or st.principal.everyone:
            # `*`, or an Allow with NotPrincipal: principals the world does not list one by one.
            out.append(QueryPrincipal(PrincipalClass.EVERYONE, "*"))
            continue
        out.extend(QueryPrincipal(PrincipalClass.SERVICE, service) for service in element.service)
        for value in element.aws:
            named = _named(world, value)
            if named is not None:
                out.append(named)
    return out


def _named(world: AccessWorld, value: str) -> QueryPrincipal | None:
    """What an AWS principal of a resource policy stands for; None for an entity the world lacks."""
    if value.isdigit() and len(value) == 12:
        value = f"arn:aws:iam::{value}:root"
    try:
        principal = parse_principal(value)
    except IamtwinError:
        return None  # not a principal AWS would accept; it names no one
    account = principal.account or ""
    in_world = world.view.has_account(account)
    if principal.kind is PrincipalKind.ROOT:
        kind = PrincipalClass.ACCOUNT_ROOT if in_world else PrincipalClass.ACCOUNT
        return QueryPrincipal(kind, principal.arn, account)
    if not in_world:
        return QueryPrincipal(PrincipalClass.EXTERNAL, principal.arn, account)
    if principal.kind is PrincipalKind.USER:
        user = world.view.user(account, principal.name or "")
        if user is None or user.arn != principal.arn:
            return None
        return QueryPrincipal(PrincipalClass.USER, user.arn, account)
    if principal.kind is PrincipalKind.ROLE_SESSION:
        role = world.view.role(account, principal.name or "")
        if role is None or (principal.given_as_role and role.arn != principal.arn):
            return None
        # A session ARN names one session; it is decided with its role's policies.
        return QueryPrincipal(PrincipalClass.ROLE, principal.arn, account)
    return None
