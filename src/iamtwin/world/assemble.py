"""Gather what AWS evaluates for one request from a world: policies by type, tags, derived keys.

The world is seen through `WorldView` (an in-memory world file or the store), so world files and
stored worlds decide the same request the same way. The result, an `Assembly`, becomes either the
public simulation input (`to_input`) or, for a stored world, compiled policies directly.

Policy ids:

- managed policies: their ARN (`arn:aws:iam::111122223333:policy/path/Name`,
  `arn:aws:iam::aws:policy/AdministratorAccess`);
- inline policies: `<owner ARN>#<policy name>`, the owner being the user, group or role;
- a resource-based policy: the ARN of the resource that holds it (the bucket for an object,
  the role for its trust policy);
- SCPs and RCPs: their Organizations ARN;
- session policies: `<session ARN>#session-policy` and the ARNs of the managed policies passed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from ..errors import IamtwinError
from ..evaluate.principal import Principal, PrincipalKind, parse_principal
from ..policy.arn import parse_arn
from .errors import WorldErrorCode, WorldFileError
from .model import (
    Document,
    InlinePolicy,
    ManagedPolicy,
    Organization,
    OrgPolicy,
    OrgPolicyType,
    Placement,
    Resource,
    Role,
    User,
)
from .read_org import organizations_managed

ContextInput = Mapping[str, str | list[str]]
PolicyEntry = tuple[str, Document]

# Requests on a role ARN that AWS evaluates against the role's trust policy.
TRUST_ACTIONS = frozenset(
    {
        "sts:assumerole",
        "sts:assumerolewithsaml",
        "sts:assumerolewithwebidentity",
        "sts:tagsession",
        "sts:setsourceidentity",
        "sts:setcontext",
    }
)
# Principals an organization's SCPs can limit.
_ORG_PRINCIPALS = frozenset(
    {
        PrincipalKind.USER,
        PrincipalKind.ROLE_SESSION,
        PrincipalKind.ROOT,
        PrincipalKind.FEDERATED_USER,
    }
)
_PRINCIPAL_TAG = "aws:principaltag/"
_RESOURCE_TAG = "aws:resourcetag/"


class WorldView(Protocol):
    """The lookups an assembly needs, answered by a world file or by the store."""

    def has_account(self, account_id: str) -> bool:
        """Whether the world holds this account."""
        ...

    def user(self, account_id: str, name: str) -> User | None:
        """The user of that name in the account."""
        ...

    def role(self, account_id: str, name: str) -> Role | None:
        """The role of that name in the account."""
        ...

    def resource(self, arn: str) -> Resource | None:
        """The resource stored under exactly this ARN."""
        ...

    def iam_entity(self, arn: str) -> tuple[str, User | Role | ManagedPolicy] | None:
        """A user, role or managed policy as the target of a request, with its account."""
        ...

    def organization(self) -> Organization | None:
        """The organization, if the world has one."""
        ...


@dataclass(frozen=True, slots=True)
class SessionFacts:
    """What a session adds to its role's policies: tags, session policies and the keys STS set."""

    tags: Mapping[str, str] = field(default_factory=dict)
    policies: tuple[PolicyEntry, ...] | None = None
    context: ContextInput = field(default_factory=dict)


@dataclass(slots=True)
class Assembly:
    """Everything AWS evaluates for one request, gathered from the world."""

    principal: str
    action: str
    resource: str | None
    resource_account: str | None = None
    context: dict[str, Any] = field(default_factory=dict)
    principal_tags: dict[str, str] = field(default_factory=dict)
    resource_tags: dict[str, str] = field(default_factory=dict)
    identity: list[PolicyEntry] = field(default_factory=list)
    boundary: PolicyEntry | None = None
    session: tuple[PolicyEntry, ...] | None = None
    resource_policy: PolicyEntry | None = None
    scps: list[list[PolicyEntry]] | None = None
    rcps: list[list[PolicyEntry]] | None = None
    service_linked: bool = False
    in_management: bool = False
    resource_in_management: bool = False

    def to_input(self) -> dict[str, Any]:
        """The public simulation input of this request."""
        request: dict[str, Any] = {"principal": self.principal, "action": self.action}
        if self.resource is not None:
            request["resource"] = self.resource
        if self.resource_account is not None:
            request["resource_account"] = self.resource_account
        request["context"] = self.context
        request["principal_tags"] = self.principal_tags
        request["resource_tags"] = self.resource_tags
        return {
            "request": request,
            "identity_policies": [_entry(e) for e in self.identity],
            "permissions_boundary": None if self.boundary is None else _entry(self.boundary),
            "session_policies": None if self.session is None else [_entry(e) for e in self.session],
            "resource_policy": None if self.resource_policy is None else _entry(self.resource_policy),
            "scps": None if self.scps is None else [[_entry(e) for e in level] for level in self.scps],
            "rcps": None if self.rcps is None else [[_entry(e) for e in level] for level in self.rcps],
            "vpc_endpoint_policies": None,
            "principal_is_service_linked_role": self.service_linked,
            "principal_in_management_account": self.in_management,
            "resource_in_management_account": self.resource_in_management,
        }


def _entry(entry: PolicyEntry) -> dict[str, Any]:
    return {"id": entry[0], "document": entry[1]}


def set_tag(tags: dict[str, str], key: str, value: str) -> None:
    """Set a tag, replacing one whose key differs only in case (session tags override role tags)."""
    for existing in [k for k in tags if k.lower() == key.lower()]:
        del tags[existing]
    tags[key] = value


def _has_key(context: Mapping[str, object], key: str) -> bool:
    return any(k.lower() == key.lower() for k in context)


def parse_world_principal(text: str) -> Principal:
    """A principal ARN as a world request names it; a bad one is a coded error."""
    try:
        return parse_principal(text)
    except IamtwinError as exc:
        raise WorldFileError(WorldErrorCode.INVALID_PRINCIPAL, exc.message) from None


class Assembler:
    """Builds the assembly of one request from a world view."""

    def __init__(self, view: WorldView) -> None:
        self.view = view

    def assemble(
        self,
        principal: str,
        action: str,
        resource: str | None,
        context: ContextInput,
        session: SessionFacts | None = None,
    ) -> Assembly:
        """The assembly of one request.

        `context` keys `aws:PrincipalTag/k` and `aws:ResourceTag/k` set (and override) principal and
        resource tags; `session` carries a role session's tags, policies and keys.
        """
        who = parse_world_principal(principal)
        out = Assembly(principal, action, resource)
        given, principal_tag_over, resource_tag_over = split_context(context)
        if who.kind is PrincipalKind.USER:
            user = self.user(who)
            out.identity = user_policies(user)
            out.boundary = _boundary(user.permissions_boundary)
            out.principal_tags.update(user.tags)
            if user.user_id is not None and not _has_key(given, "aws:userid"):
                given["aws:userid"] = user.user_id
        elif who.kind is PrincipalKind.ROLE_SESSION:
            role = self.role(who)
            out.identity = role_policies(role)
            out.boundary = _boundary(role.permissions_boundary)
            out.principal_tags.update(role.tags)
            out.service_linked = role.service_linked
            if not who.given_as_role and role.arn != who.role_arn and not _has_key(given, "aws:PrincipalArn"):
                given["aws:PrincipalArn"] = role.arn  # a session ARN does not carry the role's path
            if role.role_id is not None and who.session_name and not _has_key(given, "aws:userid"):
                given["aws:userid"] = f"{role.role_id}:{who.session_name}"  # AWS's form for a role session
        elif who.kind is PrincipalKind.FEDERATED_USER and session is None:
            raise WorldFileError(
                WorldErrorCode.UNSUPPORTED_PRINCIPAL,
                f"`{principal}`: a federated user needs its session (GetFederationToken); use a user or a role",
            )
        if session is not None:
            if session.tags and who.kind not in (PrincipalKind.ROLE_SESSION, PrincipalKind.FEDERATED_USER):
                raise WorldFileError(WorldErrorCode.INVALID_CONTEXT, "session tags need a role session principal")
            for key, value in session.tags.items():
                set_tag(out.principal_tags, key, value)
            out.session = session.policies
            for session_key, session_value in session.context.items():
                if not _has_key(given, session_key):
                    given[session_key] = session_value
        for key, value in principal_tag_over.items():
            set_tag(out.principal_tags, key, value)

        account, tags, policy = self.resource_facts(resource, action)
        out.resource_account = account
        out.resource_tags = dict(tags)
        out.resource_policy = policy
        for key, value in resource_tag_over.items():
            set_tag(out.resource_tags, key, value)
        org = self.view.organization()
        if org is not None:
            self._organization(out, who, org, given)
        out.context = given
        return out

    def _organization(self, out: Assembly, who: Principal, org: Organization, given: dict[str, Any]) -> None:
        placement = org.placements.get(who.account) if who.account is not None else None
        if placement is not None and who.kind in _ORG_PRINCIPALS:
            out.scps = org_levels(placement, OrgPolicyType.SCP, org)
            _org_keys(given, "aws:PrincipalOrgID", "aws:PrincipalOrgPaths", org, placement)
        out.in_management = who.account == org.management_account
        owner = org.placements.get(out.resource_account) if out.resource_account is not None else None
        if owner is not None:
            if org.rcps_enabled:
                out.rcps = org_levels(owner, OrgPolicyType.RCP, org)
            if out.resource is not None:
                _org_keys(given, "aws:ResourceOrgID", "aws:ResourceOrgPaths", org, owner)
        out.resource_in_management = out.resource_account == org.management_account

    def _account(self, who: Principal) -> str:
        account = who.account or ""
        if not self.view.has_account(account):
            raise WorldFileError(
                WorldErrorCode.UNKNOWN_PRINCIPAL, f"`{who.arn}`: account `{who.account}` is not in the world"
            )
        return account

    def user(self, who: Principal) -> User:
        """The stored user a principal names."""
        user = self.view.user(self._account(who), who.name or "")
        if user is None or user.arn != who.arn:
            raise WorldFileError(WorldErrorCode.UNKNOWN_PRINCIPAL, f"no user `{who.arn}` in the world")
        return user

    def role(self, who: Principal) -> Role:
        """The stored role a role or role-session principal names."""
        role = self.view.role(self._account(who), who.name or "")
        # A role ARN must match with its path; a session ARN names the role without it.
        if role is None or (who.given_as_role and role.arn != who.arn):
            raise WorldFileError(WorldErrorCode.UNKNOWN_PRINCIPAL, f"no role for `{who.arn}` in the world")
        return role

    def resource_facts(
        self, resource: str | None, action: str
    ) -> tuple[str | None, Mapping[str, str], PolicyEntry | None]:
        """The owning account, tags and resource-based policy of a request's resource."""
        if resource is None:
            return None, {}, None
        known = self.view.resource(resource)
        if known is not None:
            return known.account, known.tags, None if known.policy is None else (known.arn, known.policy)
        if resource.startswith("arn:aws:s3:::") and "/" in resource:
            bucket = self.view.resource(resource.split("/", 1)[0])
            if bucket is not None:  # an object is governed by its bucket's policy
                return bucket.account, {}, None if bucket.policy is None else (bucket.arn, bucket.policy)
        entity = self.view.iam_entity(resource)
        if entity is not None:
            account, thing = entity
            policy = None
            if isinstance(thing, Role) and action.lower() in TRUST_ACTIONS and thing.trust_policy is not None:
                policy = (thing.arn, thing.trust_policy)
            return account, thing.tags, policy
        parsed = parse_arn(resource)
        account_id = parsed.account if parsed is not None else ""
        owner = account_id if len(account_id) == 12 and account_id.isdigit() else None
        return owner, {}, None


def split_context(context: ContextInput) -> tuple[dict[str, Any], dict[str, str], dict[str, str]]:
    """Given keys, principal-tag overrides and resource-tag overrides of a request's context."""
    given: dict[str, Any] = {}
    principal_tags: dict[str, str] = {}
    resource_tags: dict[str, str] = {}
    for key, value in context.items():
        lowered = key.lower()
        if lowered.startswith((_PRINCIPAL_TAG, _RESOURCE_TAG)):
            if not isinstance(value, str):
                raise WorldFileError(WorldErrorCode.INVALID_CONTEXT, f"`{key}` takes a single string value")
            tags = principal_tags if lowered.startswith(_PRINCIPAL_TAG) else resource_tags
            tags[key.split("/", 1)[1]] = value
        elif isinstance(value, str):
            given[key] = value
        elif isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
            given[key] = list(value)
        else:
            raise WorldFileError(WorldErrorCode.INVALID_CONTEXT, f"`{key}` must be a string or a list of strings")
    return given, principal_tags, resource_tags


def _managed(policies: tuple[ManagedPolicy, ...], out: list[PolicyEntry], seen: set[str]) -> None:
    for policy in policies:
        if policy.arn not in seen:  # a policy attached to the user and to one of its groups counts once
            seen.add(policy.arn)
            out.append((policy.arn, policy.document))


def _inline(owner_arn: str, policies: tuple[InlinePolicy, ...], out: list[PolicyEntry]) -> None:
    out.extend((f"{owner_arn}#{policy.name}", policy.document) for policy in policies)


def user_policies(user: User) -> list[PolicyEntry]:
    """A user's identity policies: its own inline and managed, then each group's."""
    out: list[PolicyEntry] = []
    seen: set[str] = set()
    _inline(user.arn, user.inline_policies, out)
    _managed(user.managed_policies, out, seen)
    for group in user.groups:
        _inline(group.arn, group.inline_policies, out)
        _managed(group.managed_policies, out, seen)
    return out


def role_policies(role: Role) -> list[PolicyEntry]:
    """A role's identity policies: inline, then managed."""
    out: list[PolicyEntry] = []
    _inline(role.arn, role.inline_policies, out)
    _managed(role.managed_policies, out, set())
    return out


def _boundary(policy: ManagedPolicy | None) -> PolicyEntry | None:
    return None if policy is None else (policy.arn, policy.document)


def org_levels(placement: Placement, kind: OrgPolicyType, org: Organization) -> list[list[PolicyEntry]]:
    """The policies of each level from the root down to the account itself."""
    attached = [node.scps if kind is OrgPolicyType.SCP else node.rcps for node in placement.nodes]
    account = placement.account
    attached.append(account.scps if kind is OrgPolicyType.SCP else account.rcps)
    levels = []
    for policies in attached:
        level = list(policies)
        if kind is OrgPolicyType.RCP:
            level = [p for p in _rcp_full_access(org) if p not in level] + level
        levels.append([(p.arn, p.document) for p in level])
    return levels


def _rcp_full_access(org: Organization) -> list[OrgPolicy]:
    # The default every node carries while RCPs are on.
    policy = org.policies.get("RCPFullAWSAccess") or organizations_managed("RCPFullAWSAccess")
    return [] if policy is None else [policy]


def _org_keys(given: dict[str, Any], id_key: str, paths_key: str, org: Organization, place: Placement) -> None:
    if not _has_key(given, id_key):
        given[id_key] = org.id
    if not _has_key(given, paths_key):
        given[paths_key] = [org.id + "/" + "".join(node.id + "/" for node in place.nodes)]
