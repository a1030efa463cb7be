"""Write a World in the world-file format, so that `load_world(dump_world(world)).world == world`.

Defaults are left out (path `/`, no tags, a one-hour session, the FullAWSAccess default of an
account); ids, policy versions, instance profiles and identity providers use the optional keys
`read_accounts` documents. Managed policies are referred to by name within the account, AWS
managed policies by ARN; an AWS managed policy that differs from the catalogue's (another
version, as an export of the account holds it) is written into `policies` with
`aws_managed: true`. Organization policies are referred to by name, and `rcps_enabled` is
written when the policies alone would say otherwise.

What the world-file format cannot state is written as near as it can be: ARNs are derived
(partition `aws`), the root is named `Root`, a role is service-linked when flagged or on the
`/aws-service-role/` path, and a node's policy that is neither the organization's nor one AWS
Organizations manages is named without its content.
"""

from __future__ import annotations

from typing import Any

import yaml

from ..aws_managed import aws_managed_policy
from ..model import (
    Account,
    Document,
    Group,
    IdentityProvider,
    InlinePolicy,
    InstanceProfile,
    ManagedPolicy,
    OrgAccount,
    Organization,
    OrgNode,
    OrgPolicy,
    OrgPolicyType,
    ProviderType,
    Resource,
    Role,
    User,
    World,
)
from ..read_org import organizations_managed
from .documents import plain

_SERVICE_ROLE_PATH = "/aws-service-role/"


def dump_world(world: World) -> dict[str, Any]:
    """The world-file values (JSON-ready) describing `world`."""
    out: dict[str, Any] = {}
    if world.organization is not None:
        out["organization"] = _organization(world.organization)
    out["accounts"] = [_AccountWriter(account).dump() for account in world.accounts.values()]
    return out


class _NoAliases(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:
        return True


def dump_world_yaml(world: World) -> str:
    """The world file of `world` as YAML text."""
    return yaml.dump(dump_world(world), Dumper=_NoAliases, sort_keys=False, allow_unicode=True, width=120)


def _document(document: Document) -> Any:
    return document if isinstance(document, str) else plain(document)


def _put(out: dict[str, Any], key: str, value: Any) -> None:
    """Set `key` unless `value` is empty or None, which the reader takes as the default anyway."""
    if value is not None and value != "" and value != [] and value != {}:
        out[key] = value


def _named(name: str, path: str, entity_id: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {"name": name}
    if path != "/":
        out["path"] = path
    _put(out, "id", entity_id)
    return out


def _inline(policies: tuple[InlinePolicy, ...]) -> dict[str, Any]:
    return {policy.name: _document(policy.document) for policy in policies}


class _AccountWriter:
    def __init__(self, account: Account) -> None:
        self.account = account
        self.written_aws: dict[str, ManagedPolicy] = {}  # AWS managed policies to write, by ARN
        self.catalogue: dict[str, bool] = {}  # ARN -> whether the catalogue's policy is the same

    def ref(self, policy: ManagedPolicy) -> str:
        """How the file names `policy`: its name in this account, or an ARN."""
        if not policy.aws_managed:
            return policy.name if self.account.policies.get(policy.name) == policy else policy.arn
        same = self.catalogue.get(policy.arn)
        if same is None:
            same = self.catalogue[policy.arn] = aws_managed_policy(policy.arn) == policy
        if not same:
            self.written_aws.setdefault(policy.arn, policy)
        return policy.arn

    def attachments(
        self, out: dict[str, Any], managed: tuple[ManagedPolicy, ...], boundary: ManagedPolicy | None
    ) -> None:
        _put(out, "managed_policies", [self.ref(policy) for policy in managed])
        if boundary is not None:
            out["permissions_boundary"] = self.ref(boundary)

    def dump(self) -> dict[str, Any]:
        account = self.account
        out: dict[str, Any] = {"id": account.id}
        _put(out, "name", account.name)
        _put(out, "users", [self.user(user) for user in account.users.values()])
        _put(out, "groups", [self.group(group) for group in account.groups.values()])
        _put(out, "roles", [self.role(role) for role in account.roles.values()])
        policies = [_policy(policy) for policy in account.policies.values()]
        policies += [_policy(policy) for policy in self.written_aws.values()]
        _put(out, "policies", policies)
        _put(out, "resources", [_resource(resource) for resource in account.resources])
        _put(out, "instance_profiles", [_profile(profile) for profile in account.instance_profiles.values()])
        _put(out, "identity_providers", [_provider(account.id, p) for p in account.identity_providers])
        return out

    def user(self, user: User) -> dict[str, Any]:
        out = _named(user.name, user.path, user.user_id)
        _put(out, "tags", dict(user.tags))
        _put(out, "groups", [group.name for group in user.groups])
        _put(out, "inline_policies", _inline(user.inline_policies))
        self.attachments(out, user.managed_policies, user.permissions_boundary)
        return out

    def group(self, group: Group) -> dict[str, Any]:
        out = _named(group.name, group.path, group.group_id)
        _put(out, "inline_policies", _inline(group.inline_policies))
        self.attachments(out, group.managed_policies, None)
        return out

    def role(self, role: Role) -> dict[str, Any]:
        out = _named(role.name, role.path, role.role_id)
        _put(out, "description", role.description)
        if role.trust_policy is not None:
            out["trust_policy"] = _document(role.trust_policy)
        _put(out, "tags", dict(role.tags))
        _put(out, "inline_policies", _inline(role.inline_policies))
        self.attachments(out, role.managed_policies, role.permissions_boundary)
        if role.max_session_duration != 3600:
            out["max_session_duration"] = role.max_session_duration
        if role.service_linked and not role.path.startswith(_SERVICE_ROLE_PATH):
            out["service_linked"] = True
        return out


def _policy(policy: ManagedPolicy) -> dict[str, Any]:
    out = _named(policy.name, policy.path, policy.policy_id)
    if policy.aws_managed:
        out["aws_managed"] = True
    _put(out, "description", policy.description)
    if policy.versions:
        out["versions"] = [_version(v.version_id, v.document, v.create_date) for v in policy.versions]
        out["default_version"] = policy.default_version_id
    else:
        out["document"] = _document(policy.document)
        if policy.default_version_id != "v1":
            out["default_version"] = policy.default_version_id
    _put(out, "tags", dict(policy.tags))
    return out


def _version(version_id: str, document: Document, create_date: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {"id": version_id, "document": _document(document)}
    _put(out, "create_date", create_date)
    return out


def _resource(resource: Resource) -> dict[str, Any]:
    out: dict[str, Any] = {"arn": resource.arn}
    _put(out, "tags", dict(resource.tags))
    if resource.policy is not None:
        out["policy"] = _document(resource.policy)
    _put(out, "runs_as", resource.runs_as)
    return out


def _profile(profile: InstanceProfile) -> dict[str, Any]:
    out = _named(profile.name, profile.path, profile.instance_profile_id)
    _put(out, "roles", list(profile.roles))
    _put(out, "tags", dict(profile.tags))
    return out


def _provider(account_id: str, provider: IdentityProvider) -> dict[str, Any]:
    out: dict[str, Any] = {"type": provider.type.value}
    if provider.type is ProviderType.OIDC:
        out["url"] = provider.url
        if provider.name != provider.url:
            out["name"] = provider.name
        derived = f"arn:aws:iam::{account_id}:oidc-provider/{provider.url}"
    else:
        out["name"] = provider.name
        _put(out, "url", provider.url)
        derived = f"arn:aws:iam::{account_id}:saml-provider/{provider.name}"
    _put(out, "client_ids", list(provider.client_ids))
    _put(out, "thumbprints", list(provider.thumbprints))
    _put(out, "saml_metadata", provider.saml_metadata)
    _put(out, "tags", dict(provider.tags))
    if provider.arn != derived:
        out["arn"] = provider.arn
    return out


def _organization(org: Organization) -> dict[str, Any]:
    out: dict[str, Any] = {"id": org.id, "management_account": org.management_account}
    _put(
        out,
        "policies",
        {
            name: {"type": policy.type.value, "id": policy.policy_id, "document": _document(policy.document)}
            for name, policy in org.policies.items()
        },
    )
    writer = _TreeWriter(org)
    out["root"] = writer.node(org.root, is_root=True)
    implied = writer.lists_rcps or any(p.type is OrgPolicyType.RCP for p in org.policies.values())
    if org.rcps_enabled != implied:
        out["rcps_enabled"] = org.rcps_enabled
    return out


class _TreeWriter:
    def __init__(self, org: Organization) -> None:
        self.org = org
        self.lists_rcps = False
        full_access = org.policies.get("FullAWSAccess") or organizations_managed("FullAWSAccess")
        self.default_scps = () if full_access is None else (full_access,)

    def names(self, out: dict[str, Any], policies: tuple[OrgPolicy, ...], kind: OrgPolicyType) -> None:
        if kind is OrgPolicyType.SCP:
            out["scps"] = [policy.name for policy in policies]
        elif policies:
            out["rcps"] = [policy.name for policy in policies]
            self.lists_rcps = True

    def account(self, account: OrgAccount) -> str | dict[str, Any]:
        if account.scps == self.default_scps and not account.rcps:
            return account.id
        out: dict[str, Any] = {"id": account.id}
        self.names(out, account.scps, OrgPolicyType.SCP)
        self.names(out, account.rcps, OrgPolicyType.RCP)
        return out

    def node(self, node: OrgNode, *, is_root: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {} if is_root else {"name": node.name}
        out["id"] = node.id
        self.names(out, node.scps, OrgPolicyType.SCP)
        self.names(out, node.rcps, OrgPolicyType.RCP)
        _put(out, "accounts", [self.account(account) for account in node.accounts])
        _put(out, "ous", [self.node(child) for child in node.children])
        return out
