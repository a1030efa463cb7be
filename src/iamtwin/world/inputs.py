"""Build the simulation input (issue 2 point 9) of one request from a world.

Policy ids in the input:

- managed policies: their ARN (`arn:aws:iam::111122223333:policy/path/Name`,
  `arn:aws:iam::aws:policy/AdministratorAccess`);
- inline policies: `<owner ARN>#<policy name>`, the owner being the user, group or role;
- a resource-based policy: the ARN of the resource that holds it (the bucket for an object,
  the role for its trust policy);
- SCPs and RCPs: their Organizations ARN
  (`arn:aws:organizations::<management>:policy/o-…/service_control_policy/p-…`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import IamtwinError
from ..evaluate.principal import Principal, PrincipalKind, parse_principal
from ..policy.arn import parse_arn
from .errors import WorldErrorCode, WorldFileError
from .model import (
    Account,
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
    World,
)
from .read_org import organizations_managed

ContextInput = Mapping[str, str | list[str]]

# Requests on a role ARN that AWS evaluates against the role's trust policy.
_TRUST_ACTIONS = frozenset(
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


@dataclass(frozen=True, slots=True)
class _ResourceFacts:
    account: str | None
    tags: Mapping[str, str]
    policy: dict[str, Any] | None


def _entry(policy_id: str, document: Document) -> dict[str, Any]:
    return {"id": policy_id, "document": document}


def _managed(policies: tuple[ManagedPolicy, ...], out: list[dict[str, Any]], seen: set[str]) -> None:
    for policy in policies:
        if policy.arn not in seen:  # a policy attached to the user and to one of its groups counts once
            seen.add(policy.arn)
            out.append(_entry(policy.arn, policy.document))


def _inline(owner_arn: str, policies: tuple[InlinePolicy, ...], out: list[dict[str, Any]]) -> None:
    out.extend(_entry(f"{owner_arn}#{policy.name}", policy.document) for policy in policies)


def _set_tag(tags: dict[str, str], key: str, value: str) -> None:
    # Tag keys compare without case: a session tag replaces a role tag of the same key.
    for existing in [k for k in tags if k.lower() == key.lower()]:
        del tags[existing]
    tags[key] = value


def _has_key(context: Mapping[str, object], key: str) -> bool:
    return any(k.lower() == key.lower() for k in context)


class InputBuilder:
    """Answers `simulation_input` for one world, with its entities indexed by ARN."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.resources: dict[str, Resource] = {}
        self.entities: dict[str, tuple[Account, User | Role | ManagedPolicy]] = {}
        for account in world.accounts.values():
            for resource in account.resources:
                self.resources[resource.arn] = resource
            entities: list[User | Role | ManagedPolicy] = [
                *account.users.values(),
                *account.roles.values(),
                *account.policies.values(),
            ]
            for entity in entities:
                self.entities[entity.arn] = (account, entity)

    def build(
        self,
        principal: str,
        action: str,
        resource: str | None,
        context: ContextInput,
        session_tags: Mapping[str, str] | None,
    ) -> dict[str, Any]:
        """The simulation input of one request."""
        who = self._principal(principal)
        given, principal_tag_over, resource_tag_over = _split_context(context)
        identity: list[dict[str, Any]] = []
        boundary: dict[str, Any] | None = None
        principal_tags: dict[str, str] = {}
        service_linked = False
        if who.kind is PrincipalKind.USER:
            user = self._user(who)
            identity = _user_policies(user)
            boundary = _boundary(user.permissions_boundary)
            principal_tags.update(user.tags)
        elif who.kind is PrincipalKind.ROLE_SESSION:
            role = self._role(who)
            identity = _role_policies(role)
            boundary = _boundary(role.permissions_boundary)
            principal_tags.update(role.tags)
            service_linked = role.service_linked
            if not who.given_as_role and role.arn != who.role_arn and not _has_key(given, "aws:PrincipalArn"):
                given["aws:PrincipalArn"] = role.arn  # a session ARN does not carry the role's path
        elif who.kind is PrincipalKind.FEDERATED_USER:
            raise WorldFileError(
                WorldErrorCode.UNSUPPORTED_PRINCIPAL,
                f"`{principal}`: federated users are not modelled in world files; use a user or a role session",
            )
        if session_tags:
            if who.kind is not PrincipalKind.ROLE_SESSION:
                raise WorldFileError(WorldErrorCode.INVALID_CONTEXT, "session tags need a role session principal")
            for key, value in session_tags.items():
                _set_tag(principal_tags, key, value)
        for key, value in principal_tag_over.items():
            _set_tag(principal_tags, key, value)

        facts = self._resource(resource, action)
        resource_tags = dict(facts.tags)
        for key, value in resource_tag_over.items():
            _set_tag(resource_tags, key, value)

        request: dict[str, Any] = {"principal": principal, "action": action}
        if resource is not None:
            request["resource"] = resource
        if facts.account is not None:
            request["resource_account"] = facts.account
        org = self.world.organization
        scps = rcps = None
        in_management = resource_in_management = False
        if org is not None:
            placement = org.placements.get(who.account) if who.account is not None else None
            if placement is not None and who.kind in _ORG_PRINCIPALS:
                scps = _levels(placement, OrgPolicyType.SCP, org)
                _org_keys(given, "aws:PrincipalOrgID", "aws:PrincipalOrgPaths", org, placement)
            in_management = who.account == org.management_account
            owner = org.placements.get(facts.account) if facts.account is not None else None
            if owner is not None:
                if org.rcps_enabled:
                    rcps = _levels(owner, OrgPolicyType.RCP, org)
                if resource is not None:
                    _org_keys(given, "aws:ResourceOrgID", "aws:ResourceOrgPaths", org, owner)
            resource_in_management = facts.account == org.management_account
        request["context"] = given
        request["principal_tags"] = principal_tags
        request["resource_tags"] = resource_tags
        return {
            "request": request,
            "identity_policies": identity,
            "permissions_boundary": boundary,
            "session_policies": None,
            "resource_policy": facts.policy,
            "scps": scps,
            "rcps": rcps,
            "vpc_endpoint_policies": None,
            "principal_is_service_linked_role": service_linked,
            "principal_in_management_account": in_management,
            "resource_in_management_account": resource_in_management,
        }

    def _principal(self, text: str) -> Principal:
        try:
            return parse_principal(text)
        except IamtwinError as exc:
            raise WorldFileError(WorldErrorCode.INVALID_PRINCIPAL, exc.message) from None

    def _account(self, who: Principal) -> Account:
        account = self.world.accounts.get(who.account or "")
        if account is None:
            raise WorldFileError(
                WorldErrorCode.UNKNOWN_PRINCIPAL, f"`{who.arn}`: account `{who.account}` is not in the world"
            )
        return account

    def _user(self, who: Principal) -> User:
        user = self._account(who).users.get(who.name or "")
        if user is None or user.arn != who.arn:
            raise WorldFileError(WorldErrorCode.UNKNOWN_PRINCIPAL, f"no user `{who.arn}` in the world")
        return user

    def _role(self, who: Principal) -> Role:
        role = self._account(who).roles.get(who.name or "")
        # A role ARN must match with its path; a session ARN names the role without it.
        if role is None or (who.given_as_role and role.arn != who.arn):
            raise WorldFileError(WorldErrorCode.UNKNOWN_PRINCIPAL, f"no role for `{who.arn}` in the world")
        return role

    def _resource(self, resource: str | None, action: str) -> _ResourceFacts:
        if resource is None:
            return _ResourceFacts(None, {}, None)
        known = self.resources.get(resource)
        if known is not None:
            policy = None if known.policy is None else _entry(known.arn, known.policy)
            return _ResourceFacts(known.account, known.tags, policy)
        if resource.startswith("arn:aws:s3:::") and "/" in resource:
            bucket = self.resources.get(resource.split("/", 1)[0])
            if bucket is not None:  # an object is governed by its bucket's policy
                policy = None if bucket.policy is None else _entry(bucket.arn, bucket.policy)
                return _ResourceFacts(bucket.account, {}, policy)
        entity = self.entities.get(resource)
        if entity is not None:
            account, thing = entity
            policy = None
            if isinstance(thing, Role) and action.lower() in _TRUST_ACTIONS and thing.trust_policy is not None:
                policy = _entry(thing.arn, thing.trust_policy)
            return _ResourceFacts(account.id, thing.tags, policy)
        parsed = parse_arn(resource)
        account_id = parsed.account if parsed is not None else ""
        owner = account_id if len(account_id) == 12 and account_id.isdigit() else None
        return _ResourceFacts(owner, {}, None)


def _split_context(context: ContextInput) -> tuple[dict[str, Any], dict[str, str], dict[str, str]]:
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


def _user_policies(user: User) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    _inline(user.arn, user.inline_policies, out)
    _managed(user.managed_policies, out, seen)
    for group in user.groups:
        _inline(group.arn, group.inline_policies, out)
        _managed(group.managed_policies, out, seen)
    return out


def _role_policies(role: Role) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    _inline(role.arn, role.inline_policies, out)
    _managed(role.managed_policies, out, set())
    return out


def _boundary(policy: ManagedPolicy | None) -> dict[str, Any] | None:
    return None if policy is None else _entry(policy.arn, policy.document)


def _levels(placement: Placement, kind: OrgPolicyType, org: Organization) -> list[list[dict[str, Any]]]:
    """The policies of each level from the root down to the account itself."""
    attached = [node.scps if kind is OrgPolicyType.SCP else node.rcps for node in placement.nodes]
    account = placement.account
    attached.append(account.scps if kind is OrgPolicyType.SCP else account.rcps)
    levels = []
    for policies in attached:
        level = list(policies)
        if kind is OrgPolicyType.RCP:
            level = [p for p in _rcp_full_access(org) if p not in level] + level
        levels.append([_entry(p.arn, p.document) for p in level])
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
