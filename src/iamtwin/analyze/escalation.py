"""Privilege escalation edges: which principal can become, act as, or empower which, decided by the engine.

The nodes are the world's IAM users and roles (by ARN). Every edge is the answer of the engine to
the requests the method needs, made with the source as principal, the target's ARN as resource and
the context keys the real call carries (`iam:PassedToService`, `iam:PolicyARN`); policies are never
read as strings. An edge keeps, per request, the statements that allowed it (`Evidence`).

Two kinds of edge:

- become: after the step the source holds the target's permissions (`sts:AssumeRole`, rewriting a
  trust policy then assuming, access keys or a console password for another user, passing a role to
  a compute service that runs the source's code, running code in an existing resource that runs as
  the target: SSM on an EC2 instance, new code for a Lambda function, a Glue development endpoint's
  SSH key, a SageMaker notebook's Jupyter server; `via` names the resource);
- grant: the source can make the target administrator-equivalent (a policy put or attached, a group
  joined, a policy version created or made default, a permissions boundary deleted). A grant edge is
  drawn to the source itself or to a principal the source can become directly; whether the target
  would then be administrator-equivalent is decided by the engine on the target's request with the
  change applied (SCPs and boundaries still count).

Administrator-equivalent ("full access"): the engine allows the principal, on resource `*`, both
`iamtwin:AnyAction` — an action no policy names, so only `Action: "*"` or a NotAction statement covers
it — and `iam:AttachRolePolicy`, which excludes NotAction grants that leave IAM out (PowerUserAccess).
A principal that can only make itself administrator gets there through a grant edge to itself.

Service calls are decided in region `us-east-1` on resources named `iamtwin-escalation`; optional call
parameters (ExternalId, MFA, session tags) are not sent, so a trust policy that requires them gives no edge.
The methods follow Rhino Security Labs' list of IAM privilege escalation methods and the edge checkers of
NCC Group's PMapper. References:
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html
https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..errors import IamtwinError
from ..evaluate.compiled import CompiledPolicy, CompiledStatement
from ..evaluate.decision import Decision, PolicyType, StatementRef
from ..evaluate.principal import parse_principal
from ..policy.model import Effect
from ..policy.parse import parse_policy
from ..simulate import simulate
from ..world.assemble import Assembly
from ..world.model import Group, InstanceProfile, Role, User
from ..world.quotas import document_text
from ..world.stored import World
from .escalation_methods import (
    ESCALATION_REGION,
    FULL_ACCESS_ACTIONS,
    GRANT_KINDS,
    IAM_ACTIONS,
    KIND_ORDER,
    METHOD_ACTIONS,
    RESOURCE_METHODS,
    SERVICE_METHODS,
    Change,
    EdgeKind,
    ServiceMethod,
    grants,
    running_resources,
)


class UnknownPrincipalError(IamtwinError):
    """The principal asked about is not a user or role of the world."""

    code = "UNKNOWN_PRINCIPAL"


@dataclass(frozen=True, slots=True)
class Evidence:
    """One request the engine allowed for an edge, and the statements that allowed it.

    `assuming` names the change the request was decided under (a rewritten trust policy, a policy
    attached); None for a request on the world as it is.
    """

    principal: str
    action: str
    resource: str
    context: tuple[tuple[str, str], ...]
    statements: tuple[StatementRef, ...]
    assuming: str | None = None

    def to_dict(self) -> dict[str, object]:
        """JSON-ready data."""
        return {
            "principal": self.principal,
            "action": self.action,
            "resource": self.resource,
            "context": dict(self.context),
            "statements": [s.to_dict() for s in self.statements],
            "assuming": self.assuming,
        }


@dataclass(frozen=True, slots=True)
class Edge:
    """`source` can become (or, for a grant kind, empower) `target` by `kind`; `via` names what it goes through."""

    source: str
    target: str
    kind: EdgeKind
    evidence: tuple[Evidence, ...]
    via: str | None = None

    @property
    def grants_admin(self) -> bool:
        """True when the edge makes its target administrator-equivalent instead of moving to it."""
        return self.kind in GRANT_KINDS

    @property
    def statements(self) -> tuple[StatementRef, ...]:
        """The statements that allowed the edge's requests on the world as it is, once, in the order met.

        Requests decided under a change (`Evidence.assuming`) are left out: their statements include
        the policy the change writes.
        """
        return tuple(dict.fromkeys(s for e in self.evidence if e.assuming is None for s in e.statements))

    def to_dict(self) -> dict[str, object]:
        """JSON-ready data."""
        return {
            "source": self.source,
            "target": self.target,
            "kind": self.kind.value,
            "grants_admin": self.grants_admin,
            "via": self.via,
            "evidence": [e.to_dict() for e in self.evidence],
        }


@dataclass(frozen=True, slots=True)
class AdminFinding:
    """A principal is administrator-equivalent as it stands: the probe requests and what allowed them."""

    principal: str
    evidence: tuple[Evidence, ...]


class EscalationGraph:
    """The escalation edges of a stored world, computed per source principal on demand and kept."""

    def __init__(self, world: World) -> None:
        self.world = world
        model = world.export_model()
        self.users: dict[str, User] = {}
        self.roles: dict[str, Role] = {}
        self.groups: dict[str, list[Group]] = {}  # by account
        self.profiles: dict[str, list[InstanceProfile]] = {}  # by role ARN
        for account in model.accounts.values():
            for user in account.users.values():
                self.users[user.arn] = user
            for role in account.roles.values():
                self.roles[role.arn] = role
            self.groups[account.id] = sorted(account.groups.values(), key=lambda g: g.arn)
            for profile in account.instance_profiles.values():
                for name in profile.roles:
                    self.profiles.setdefault(account.roles[name].arn, []).append(profile)
        self.running = running_resources(model)
        self._accounts = {arn: parse_principal(arn).account or "" for arn in [*self.users, *self.roles]}
        self._allowed_actions: dict[str, frozenset[str]] = {}
        self._trusts: dict[str, tuple[CompiledStatement, ...]] = {}
        self._service_trust: dict[tuple[str, str], Evidence | None] = {}
        self._full_access: dict[str, AdminFinding | None] = {}
        self._edges: dict[str, tuple[Edge, ...]] = {}
        self._after: dict[tuple[str, EdgeKind, str | None], tuple[Evidence, ...] | None] = {}

    def principals(self) -> tuple[str, ...]:
        """Every user and role ARN of the world, sorted."""
        return tuple(sorted([*self.users, *self.roles]))

    def check_principal(self, arn: str) -> str:
        """`arn` if it names a user or role of the world, else an UnknownPrincipalError."""
        if arn not in self.users and arn not in self.roles:
            raise UnknownPrincipalError(f"`{arn}` is not a user or role of the world")
        return arn

    # -- administrator-equivalence ----------------------------------------------------------------

    def full_access(self, arn: str) -> AdminFinding | None:
        """The finding that `arn` is administrator-equivalent as it stands, or None."""
        if arn not in self._full_access:
            evidence = []
            for action in FULL_ACCESS_ACTIONS:
                found = self._allow(arn, action, "*")
                if found is None:
                    break
                evidence.append(found)
            self._full_access[arn] = (
                AdminFinding(arn, tuple(evidence)) if len(evidence) == len(FULL_ACCESS_ACTIONS) else None
            )
        return self._full_access[arn]

    def _admin_after(self, arn: str, change: Change, assuming: str) -> tuple[Evidence, ...] | None:
        """The probe requests of `arn` allowed once `change` is made to what it is evaluated with, or None."""
        out = []
        for action in FULL_ACCESS_ACTIONS:
            found = self._allow_with(arn, action, "*", {}, change, assuming)
            if found is None:
                return None
            out.append(found)
        return tuple(out)

    # -- engine requests --------------------------------------------------------------------------

    def _allow(
        self, principal: str, action: str, resource: str, context: dict[str, str] | None = None
    ) -> Evidence | None:
        """The evidence of one request on the world as it is, if the engine allows it."""
        decision = self.world.authorize(principal, action, resource, context or {})
        return _evidence(decision, principal, action, resource, context or {}, None)

    def _allow_with(
        self, principal: str, action: str, resource: str, context: dict[str, str], change: Change, assuming: str
    ) -> Evidence | None:
        """The evidence of one request decided with `change` applied to what AWS would evaluate, if allowed."""
        assembly = self.world.assemble(principal, action, resource, context)
        change(assembly)
        decision = simulate(assembly.to_input(), now=self.world.clock.now())
        return _evidence(decision, principal, action, resource, context, assuming)

    def _may(self, source: str, actions: Iterable[str]) -> bool:
        """Whether an Allow statement of the source's identity policies covers every action (a cheap filter)."""
        if source not in self._allowed_actions:
            covered: set[str] = set()
            for policy_id, document in self.world.assemble(source, "iam:GetUser").identity:
                compiled = CompiledPolicy(PolicyType.IDENTITY, policy_id, parse_policy(document_text(document)))
                covered.update(a for a in METHOD_ACTIONS if any(not s.deny for s in compiled.candidates(a)))
            self._allowed_actions[source] = frozenset(covered)
        allowed = self._allowed_actions[source]
        return all(a.lower() in allowed for a in actions)

    def _trusted(self, source: str, role: Role) -> bool:
        """Whether an Allow statement of the role's trust policy names the source (a cheap filter)."""
        if role.arn not in self._trusts:
            statements: tuple[CompiledStatement, ...] = ()
            if role.trust_policy is not None:
                trust = CompiledPolicy(PolicyType.RESOURCE, role.arn, parse_policy(document_text(role.trust_policy)))
                statements = tuple(s for s in trust.candidates("sts:assumerole") if not s.deny)
            self._trusts[role.arn] = statements
        who = parse_principal(source)
        return any(s.principal_grant(who) is not None for s in self._trusts[role.arn])

    # -- edges ------------------------------------------------------------------------------------

    def edges_from(self, source: str) -> tuple[Edge, ...]:
        """Every escalation edge out of `source`, sorted by kind, target and via."""
        self.check_principal(source)
        found = self._edges.get(source)
        if found is None:
            become = [*self._role_edges(source), *self._user_edges(source), *self._resource_edges(source)]
            grants: list[Edge] = []
            for target in sorted({source} | {e.target for e in become}):
                if self.full_access(target) is None:
                    grants.extend(self._grant_edges(source, target))
            found = tuple(sorted([*become, *grants], key=lambda e: (KIND_ORDER[e.kind], e.target, e.via or "")))
            self._edges[source] = found
        return found

    def edges(self) -> tuple[Edge, ...]:
        """Every escalation edge of the world."""
        return tuple(edge for arn in self.principals() for edge in self.edges_from(arn))

    def _role_edges(self, source: str) -> Iterable[Edge]:
        for arn, role in sorted(self.roles.items()):
            if arn == source:
                continue
            if self._trusted(source, role):
                assumed = self._allow(source, "sts:AssumeRole", arn)
                if assumed is not None:
                    yield Edge(source, arn, EdgeKind.ASSUME_ROLE, (assumed,))
            if role.service_linked:  # IAM refuses changes to service-linked roles, and passing them
                continue
            if self._may(source, ["iam:UpdateAssumeRolePolicy"]):
                yield from _optional(self._trust_rewrite_edge(source, role))
            for method in SERVICE_METHODS:
                if self._may(source, ["iam:PassRole", *(a for a, _ in method.calls)]):
                    yield from self._pass_role_edges(source, role, method)

    def _trust_rewrite_edge(self, source: str, role: Role) -> Edge | None:
        updated = self._allow(source, "iam:UpdateAssumeRolePolicy", role.arn)
        if updated is None:
            return None
        trust = {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"AWS": source}, "Action": "sts:AssumeRole"}],
        }

        def rewrite(assembly: Assembly) -> None:
            assembly.resource_policy = (role.arn, trust)

        assumed = self._allow_with(
            source, "sts:AssumeRole", role.arn, {}, rewrite, f"the trust policy of `{role.arn}` names `{source}`"
        )
        if assumed is None:
            return None
        return Edge(source, role.arn, EdgeKind.UPDATE_ASSUME_ROLE_POLICY, (updated, assumed))

    def _trusted_by_service(self, service: str, role: str) -> Evidence | None:
        """The evidence that the service principal may assume the role, or None."""
        if (service, role) not in self._service_trust:
            self._service_trust[service, role] = self._allow(service, "sts:AssumeRole", role)
        return self._service_trust[service, role]

    def _pass_role_edges(self, source: str, role: Role, method: ServiceMethod) -> Iterable[Edge]:
        account = self._accounts[role.arn]
        trusted = self._trusted_by_service(method.service, role.arn)
        if trusted is None:
            return
        profiles: list[InstanceProfile | None] = [None]
        if method.needs_instance_profile:
            profiles = list(self.profiles.get(role.arn, []))
        if not profiles:
            return
        passed = self._allow(source, "iam:PassRole", role.arn, {"iam:PassedToService": method.service})
        if passed is None:
            return
        evidence = [passed]
        for action, template in method.calls:
            resource = template.format(region=ESCALATION_REGION, account=account)
            called = self._allow(source, action, resource, {"aws:RequestedRegion": ESCALATION_REGION})
            if called is None:
                return
            evidence.append(called)
        evidence.append(trusted)
        for profile in profiles:
            yield Edge(source, role.arn, method.kind, tuple(evidence), None if profile is None else profile.arn)

    def _resource_edges(self, source: str) -> Iterable[Edge]:
        """Edges to the roles existing resources run as, through the source's calls on those resources."""
        for resource, role in self.running:
            for method in RESOURCE_METHODS:
                if role == source or not method.applies_to(resource.arn):
                    continue
                requests = method.requests(resource.arn)
                # A resource policy may allow what no identity policy does; only without one is the filter sound.
                if resource.policy is None and not self._may(source, [action for action, _ in requests]):
                    continue
                trusted = self._trusted_by_service(method.service, role)
                agent = None if method.agent_action is None else self._allow(role, method.agent_action, "*")
                if trusted is None or (method.agent_action is not None and agent is None):
                    continue
                region = {"aws:RequestedRegion": resource.arn.split(":", 5)[3]}
                called = [e for e in (self._allow(source, a, arn, region) for a, arn in requests) if e is not None]
                if len(called) == len(requests):
                    after = (trusted,) if agent is None else (trusted, agent)
                    yield Edge(source, role, method.kind, (*called, *after), resource.arn)

    def _user_edges(self, source: str) -> Iterable[Edge]:
        for arn in sorted(self.users):
            if arn == source:
                continue
            for kind in (EdgeKind.CREATE_ACCESS_KEY, EdgeKind.CREATE_LOGIN_PROFILE, EdgeKind.UPDATE_LOGIN_PROFILE):
                action = IAM_ACTIONS[kind]
                if self._may(source, [action]):
                    allowed = self._allow(source, action, arn)
                    if allowed is not None:
                        yield Edge(source, arn, kind, (allowed,))

    def _grant_edges(self, source: str, target: str) -> Iterable[Edge]:
        """Edges by which `source` makes `target` administrator-equivalent."""
        user, role = self.users.get(target), self.roles.get(target)
        for grant in grants(target, user, role, self.groups.get(self._accounts[target], [])):
            action = IAM_ACTIONS[grant.kind]
            if not self._may(source, [action]):
                continue
            allowed = self._allow(source, action, grant.resource, dict(grant.context))
            if allowed is None:
                continue
            # What the change makes of the target does not depend on who makes it.
            key = (target, grant.kind, grant.via)
            if key not in self._after:
                self._after[key] = self._admin_after(target, grant.change, grant.assuming)
            after = self._after[key]
            if after is not None:
                yield Edge(source, target, grant.kind, (allowed, *after), grant.via)


def _evidence(
    decision: Decision, principal: str, action: str, resource: str, context: dict[str, str], assuming: str | None
) -> Evidence | None:
    """What allowed a request, or None when the engine did not allow it."""
    if not decision.allowed:
        return None
    statements = tuple(s for s in decision.matched if s.effect is Effect.ALLOW)
    return Evidence(principal, action, resource, tuple(sorted(context.items())), statements, assuming)


def _optional(edge: Edge | None) -> Iterable[Edge]:
    return () if edge is None else (edge,)


__all__ = ["AdminFinding", "Edge", "EdgeKind", "EscalationGraph", "Evidence", "UnknownPrincipalError"]
