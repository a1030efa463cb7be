"""Read the `accounts` list of a world file into Account models, resolving every reference.

Optional keys beyond the shape in `worldfile`, so that a dump of any world reads back equal:
`id` on users, groups, roles, policies and instance profiles; `description` on roles and policies;
policy `versions: [{id, document, create_date}]` with `default_version` (instead of `document`);
`aws_managed: true` on a policy, which makes it the AWS managed policy `arn:aws:iam::aws:policy<path><name>`
that references by ARN find before the catalogue; per account `instance_profiles: [{name, path,
roles, tags, id}]` and `identity_providers: [{type: oidc|saml, name, url, client_ids, thumbprints,
saml_metadata, tags, arn}]` (the ARN is derived from the url or name when absent); on a resource
`runs_as`: the ARN of the role it runs as or, for an EC2 instance, of its instance profile (`runs_as`).
"""

from __future__ import annotations

from typing import Any

from ..policy.arn import parse_arn
from .aws_managed import AWS_MANAGED_PREFIX, aws_managed_arn, aws_managed_policy, unknown_aws_managed_message
from .documents import read_document
from .errors import WorldErrorCode
from .fields import Fields, check_account_id, check_iam_path, check_name
from .model import (
    Account,
    Group,
    IdentityProvider,
    InlinePolicy,
    InstanceProfile,
    ManagedPolicy,
    PolicyVersion,
    ProviderType,
    Resource,
    Role,
    User,
)
from .runs_as import INSTANCE_PROFILE, runs_as_kind, runs_as_problem
from .source import WorldSource

_ACCOUNT_KEYS = frozenset(
    {"id", "name", "users", "groups", "roles", "policies", "resources", "instance_profiles", "identity_providers"}
)
_USER_KEYS = frozenset(
    {"name", "path", "tags", "groups", "inline_policies", "managed_policies", "permissions_boundary", "id"}
)
_GROUP_KEYS = frozenset({"name", "path", "inline_policies", "managed_policies", "id"})
_ROLE_KEYS = frozenset(
    {
        "name",
        "path",
        "trust_policy",
        "tags",
        "inline_policies",
        "managed_policies",
        "permissions_boundary",
        "max_session_duration",
        "service_linked",
        "id",
        "description",
    }
)
_POLICY_KEYS = frozenset(
    {"name", "path", "document", "tags", "id", "description", "versions", "default_version", "aws_managed"}
)
_VERSION_KEYS = frozenset({"id", "document", "create_date"})
_RESOURCE_KEYS = frozenset({"arn", "tags", "policy", "runs_as"})
_PROFILE_KEYS = frozenset({"name", "path", "roles", "tags", "id"})
_PROVIDER_KEYS = frozenset({"type", "arn", "name", "url", "client_ids", "thumbprints", "saml_metadata", "tags"})

SERVICE_ROLE_PATH = "/aws-service-role/"


def iam_arn(account: str, kind: str, path: str, name: str) -> str:
    """The ARN of an IAM user, group, role or policy."""
    return f"arn:aws:iam::{account}:{kind}{path}{name}"


def read_accounts(source: WorldSource, top: Fields) -> dict[str, Account]:
    """Every account of the file by id; ids and resource ARNs must be unique."""
    accounts: dict[str, Account] = {}
    resource_arns: set[str] = set()
    for path, raw in top.items("accounts"):
        fields = Fields(source, path, raw, _ACCOUNT_KEYS)
        account_id = check_account_id(fields, fields.raw("id", required=True), fields.at("id"))
        if account_id in accounts:
            fields.fail(WorldErrorCode.DUPLICATE_ACCOUNT, f"account `{account_id}` is defined twice", fields.at("id"))
        account = _read_account(fields, account_id)
        for resource_path, resource in zip(_paths(fields, "resources"), account.resources, strict=True):
            if resource.arn in resource_arns:
                fields.fail(
                    WorldErrorCode.DUPLICATE_RESOURCE,
                    f"resource `{resource.arn}` is listed twice",
                    resource_path,
                )
            resource_arns.add(resource.arn)
        accounts[account_id] = account
    return accounts


def _paths(fields: Fields, key: str) -> list[str]:
    return [path for path, _ in fields.items(key)]


def _read_account(fields: Fields, account_id: str) -> Account:
    # Customer-managed policies by name; AWS managed ones written into the file by ARN (an ARN
    # never equals a name, as IAM names have no `:`), for references to find before the catalogue.
    policies: dict[str, ManagedPolicy] = {}
    for path, raw in fields.items("policies"):
        policy = _read_policy(Fields(fields.source, path, raw, _POLICY_KEYS), account_id)
        key = policy.arn if policy.aws_managed else policy.name
        _unique(fields, policies, key, path, "managed policy")
        policies[key] = policy
    groups: dict[str, Group] = {}
    for path, raw in fields.items("groups"):
        group = _read_group(Fields(fields.source, path, raw, _GROUP_KEYS), account_id, policies)
        _unique(fields, groups, group.name, path, "group")
        groups[group.name] = group
    users: dict[str, User] = {}
    for path, raw in fields.items("users"):
        user = _read_user(Fields(fields.source, path, raw, _USER_KEYS), account_id, policies, groups)
        _unique(fields, users, user.name, path, "user")
        users[user.name] = user
    roles: dict[str, Role] = {}
    for path, raw in fields.items("roles"):
        role = _read_role(Fields(fields.source, path, raw, _ROLE_KEYS), account_id, policies)
        _unique(fields, roles, role.name, path, "role")
        roles[role.name] = role
    profiles = _read_profiles(fields, account_id, roles)
    identities = {role.arn for role in roles.values()} | {profile.arn for profile in profiles.values()}
    resources = tuple(
        _read_resource(Fields(fields.source, path, raw, _RESOURCE_KEYS), account_id, identities)
        for path, raw in fields.items("resources")
    )
    customer = {key: policy for key, policy in policies.items() if not policy.aws_managed}
    providers = _read_providers(fields, account_id)
    return Account(account_id, fields.text("name"), users, groups, roles, customer, resources, profiles, providers)


def _unique(fields: Fields, seen: dict[str, Any], name: str, path: str, what: str) -> None:
    # IAM names are unique in an account without regard to case.
    if any(existing.lower() == name.lower() for existing in seen):
        fields.fail(WorldErrorCode.DUPLICATE_NAME, f"{what} `{name}` is defined twice in this account", path + ".name")


def _name(fields: Fields) -> str:
    return check_name(fields, fields.required_text("name"), fields.at("name"))


def _read_policy(fields: Fields, account_id: str) -> ManagedPolicy:
    name = _name(fields)
    path = check_iam_path(fields)
    aws_managed = fields.flag("aws_managed")
    versions = _versions(fields)
    if not versions:
        document = read_document(fields, fields.at("document"), fields.raw("document", required=True))
        default_id = fields.text("default_version", default="v1")
    else:
        if fields.has("document"):
            fields.fail(WorldErrorCode.INVALID_VALUE, "give `document` or `versions`, not both", fields.at("document"))
        default_id = fields.required_text("default_version")
        default = next((v for v in versions if v.version_id == default_id), None)
        if default is None:
            fields.fail(
                WorldErrorCode.INVALID_VALUE, f"`{default_id}` is not one of `versions`", fields.at("default_version")
            )
        document = default.document
    assert default_id is not None
    return ManagedPolicy(
        name,
        iam_arn("aws" if aws_managed else account_id, "policy", path, name),
        document,
        path,
        fields.tags(),
        aws_managed=aws_managed,
        versions=versions,
        default_version_id=default_id,
        policy_id=fields.text("id"),
        description=fields.text("description", default="") or "",
    )


def _versions(fields: Fields) -> tuple[PolicyVersion, ...]:
    out: list[PolicyVersion] = []
    for path, raw in fields.items("versions"):
        sub = Fields(fields.source, path, raw, _VERSION_KEYS)
        version_id = sub.required_text("id")
        if any(v.version_id == version_id for v in out):
            sub.fail(WorldErrorCode.DUPLICATE_NAME, f"version `{version_id}` is listed twice", sub.at("id"))
        document = read_document(sub, sub.at("document"), sub.raw("document", required=True))
        out.append(PolicyVersion(version_id, document, sub.text("create_date")))
    return tuple(out)


def _inline(fields: Fields) -> tuple[InlinePolicy, ...]:
    out = []
    for path, name, raw in fields.entries("inline_policies"):
        check_name(fields, name, path)
        out.append(InlinePolicy(name, read_document(fields, path, raw)))
    return tuple(out)


def _managed(fields: Fields, account_id: str, policies: dict[str, ManagedPolicy]) -> tuple[ManagedPolicy, ...]:
    return tuple(
        resolve_managed(fields, path, ref, account_id, policies) for path, ref in fields.names("managed_policies")
    )


def _boundary(fields: Fields, account_id: str, policies: dict[str, ManagedPolicy]) -> ManagedPolicy | None:
    ref = fields.text("permissions_boundary")
    if ref is None:
        return None
    return resolve_managed(fields, fields.at("permissions_boundary"), ref, account_id, policies)


def resolve_managed(
    fields: Fields, path: str, ref: str, account_id: str, policies: dict[str, ManagedPolicy]
) -> ManagedPolicy:
    """A managed policy named by `ref`: a policy name of this account, its ARN, or an AWS managed ARN."""
    if ref.startswith(AWS_MANAGED_PREFIX):
        written = policies.get(ref)  # an AWS managed policy given in `policies` with `aws_managed: true`
        if written is not None:
            return written
        managed = aws_managed_policy(ref)
        if managed is None:
            fields.fail(WorldErrorCode.UNKNOWN_AWS_MANAGED_POLICY, unknown_aws_managed_message(ref), path)
        return managed
    if ref.startswith("arn:"):
        for candidate in policies.values():
            if candidate.arn == ref:
                return candidate
        fields.fail(WorldErrorCode.UNKNOWN_POLICY, f"no managed policy `{ref}` in account `{account_id}`", path)
    policy = policies.get(ref)
    if policy is None:
        hint = ""
        aws_arn = aws_managed_arn(ref)
        if aws_arn is not None:
            hint = f"; for the AWS managed policy write `{aws_arn}`"
        fields.fail(WorldErrorCode.UNKNOWN_POLICY, f"no managed policy `{ref}` in account `{account_id}`{hint}", path)
    return policy


def _read_group(fields: Fields, account_id: str, policies: dict[str, ManagedPolicy]) -> Group:
    name = _name(fields)
    path = check_iam_path(fields)
    return Group(
        name,
        iam_arn(account_id, "group", path, name),
        path,
        _inline(fields),
        _managed(fields, account_id, policies),
        fields.text("id"),
    )


def _read_user(fields: Fields, account_id: str, policies: dict[str, ManagedPolicy], groups: dict[str, Group]) -> User:
    name = _name(fields)
    path = check_iam_path(fields)
    member_of = []
    for group_path, group_name in fields.names("groups"):
        group = groups.get(group_name)
        if group is None:
            fields.fail(WorldErrorCode.UNKNOWN_GROUP, f"no group `{group_name}` in account `{account_id}`", group_path)
        member_of.append(group)
    return User(
        name,
        iam_arn(account_id, "user", path, name),
        path,
        fields.tags(),
        tuple(member_of),
        _inline(fields),
        _managed(fields, account_id, policies),
        _boundary(fields, account_id, policies),
        fields.text("id"),
    )


def _read_role(fields: Fields, account_id: str, policies: dict[str, ManagedPolicy]) -> Role:
    name = _name(fields)
    path = check_iam_path(fields)
    trust_raw = fields.raw("trust_policy")
    trust = read_document(fields, fields.at("trust_policy"), trust_raw) if trust_raw is not None else None
    duration = fields.whole_number("max_session_duration")
    if duration is None:
        duration = 3600
    elif not 3600 <= duration <= 43200:
        fields.fail(
            WorldErrorCode.INVALID_VALUE,
            "`max_session_duration` must be between 3600 and 43200 seconds",
            fields.at("max_session_duration"),
        )
    service_linked = fields.flag("service_linked") or path.startswith(SERVICE_ROLE_PATH)
    return Role(
        name,
        iam_arn(account_id, "role", path, name),
        path,
        trust,
        fields.tags(),
        _inline(fields),
        _managed(fields, account_id, policies),
        _boundary(fields, account_id, policies),
        duration,
        service_linked,
        fields.text("id"),
        fields.text("description", default="") or "",
    )


def _read_resource(fields: Fields, account_id: str, identities: set[str]) -> Resource:
    arn = fields.required_text("arn")
    parsed = parse_arn(arn)
    if parsed is None or "*" in arn or "?" in arn:
        fields.fail(WorldErrorCode.INVALID_VALUE, f"`{arn}` is not a resource ARN", fields.at("arn"))
    if parsed.account and parsed.account not in (account_id, "aws"):
        fields.fail(
            WorldErrorCode.INVALID_VALUE,
            f"`{arn}` names account `{parsed.account}`, not `{account_id}`",
            fields.at("arn"),
        )
    policy_raw = fields.raw("policy")
    policy = read_document(fields, fields.at("policy"), policy_raw) if policy_raw is not None else None
    return Resource(arn, account_id, fields.tags(), policy, _runs_as(fields, arn, account_id, identities))


def _runs_as(fields: Fields, arn: str, account_id: str, identities: set[str]) -> str | None:
    """The resource's `runs_as`: a role or instance profile ARN of the account, which must be defined in it."""
    runs_as = fields.text("runs_as")
    if runs_as is None:
        return None
    problem = runs_as_problem(arn, account_id, runs_as)
    if problem is not None:
        fields.fail(WorldErrorCode.INVALID_VALUE, problem, fields.at("runs_as"))
    if runs_as not in identities:
        if runs_as_kind(arn) == INSTANCE_PROFILE:
            code, what = WorldErrorCode.UNKNOWN_INSTANCE_PROFILE, "instance profile"
        else:
            code, what = WorldErrorCode.UNKNOWN_ROLE, "role"
        fields.fail(code, f"no {what} `{runs_as}` in account `{account_id}`", fields.at("runs_as"))
    return runs_as


def _read_profiles(fields: Fields, account_id: str, roles: dict[str, Role]) -> dict[str, InstanceProfile]:
    profiles: dict[str, InstanceProfile] = {}
    for path, raw in fields.items("instance_profiles"):
        sub = Fields(fields.source, path, raw, _PROFILE_KEYS)
        name = _name(sub)
        profile_path = check_iam_path(sub)
        members = []
        for role_path, role_name in sub.names("roles"):
            if role_name not in roles:
                sub.fail(WorldErrorCode.UNKNOWN_ROLE, f"no role `{role_name}` in account `{account_id}`", role_path)
            members.append(role_name)
        if len(members) > 1:
            sub.fail(WorldErrorCode.INVALID_VALUE, "an instance profile holds at most one role", sub.at("roles"))
        _unique(fields, profiles, name, path, "instance profile")
        arn = iam_arn(account_id, "instance-profile", profile_path, name)
        profiles[name] = InstanceProfile(name, arn, profile_path, tuple(members), sub.tags(), sub.text("id"))
    return profiles


def _read_providers(fields: Fields, account_id: str) -> tuple[IdentityProvider, ...]:
    providers: list[IdentityProvider] = []
    for path, raw in fields.items("identity_providers"):
        sub = Fields(fields.source, path, raw, _PROVIDER_KEYS)
        kind_text = sub.required_text("type").lower()
        if kind_text not in ("oidc", "saml"):
            sub.fail(
                WorldErrorCode.INVALID_VALUE, f"provider type `{kind_text}` is not `oidc` or `saml`", sub.at("type")
            )
        kind = ProviderType(kind_text)
        url = sub.text("url")
        if kind is ProviderType.OIDC:
            url = sub.required_text("url").removeprefix("https://")
            name = sub.text("name") or url
            derived = f"arn:aws:iam::{account_id}:oidc-provider/{url}"
        else:
            name = sub.required_text("name")
            derived = f"arn:aws:iam::{account_id}:saml-provider/{name}"
        arn = sub.text("arn") or derived
        if any(p.arn == arn for p in providers):
            sub.fail(WorldErrorCode.DUPLICATE_NAME, f"identity provider `{arn}` is defined twice")
        client_ids = tuple(value for _, value in sub.names("client_ids"))
        thumbprints = tuple(value for _, value in sub.names("thumbprints"))
        saml = sub.text("saml_metadata")
        providers.append(IdentityProvider(arn, kind, name, url, client_ids, thumbprints, saml, sub.tags()))
    return tuple(providers)
