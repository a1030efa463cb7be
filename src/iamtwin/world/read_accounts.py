"""Read the `accounts` list of a world file into Account models, resolving every reference."""

from __future__ import annotations

from typing import Any

from ..policy.arn import parse_arn
from .aws_managed import AWS_MANAGED_PREFIX, aws_managed_document, plain_document
from .documents import read_document
from .errors import WorldErrorCode
from .fields import Fields, check_account_id, check_iam_path, check_name
from .model import Account, Group, InlinePolicy, ManagedPolicy, Resource, Role, User
from .source import WorldSource

_ACCOUNT_KEYS = frozenset({"id", "name", "users", "groups", "roles", "policies", "resources"})
_USER_KEYS = frozenset(
    {"name", "path", "tags", "groups", "inline_policies", "managed_policies", "permissions_boundary"}
)
_GROUP_KEYS = frozenset({"name", "path", "inline_policies", "managed_policies"})
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
    }
)
_POLICY_KEYS = frozenset({"name", "path", "document", "tags"})
_RESOURCE_KEYS = frozenset({"arn", "tags", "policy"})

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
    policies: dict[str, ManagedPolicy] = {}
    for path, raw in fields.items("policies"):
        policy = _read_policy(Fields(fields.source, path, raw, _POLICY_KEYS), account_id)
        _unique(fields, policies, policy.name, path, "managed policy")
        policies[policy.name] = policy
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
    resources = tuple(
        _read_resource(Fields(fields.source, path, raw, _RESOURCE_KEYS), account_id)
        for path, raw in fields.items("resources")
    )
    return Account(account_id, fields.text("name"), users, groups, roles, policies, resources)


def _unique(fields: Fields, seen: dict[str, Any], name: str, path: str, what: str) -> None:
    # IAM names are unique in an account without regard to case.
    if any(existing.lower() == name.lower() for existing in seen):
        fields.fail(WorldErrorCode.DUPLICATE_NAME, f"{what} `{name}` is defined twice in this account", path + ".name")


def _name(fields: Fields) -> str:
    return check_name(fields, fields.required_text("name"), fields.at("name"))


def _read_policy(fields: Fields, account_id: str) -> ManagedPolicy:
    name = _name(fields)
    path = check_iam_path(fields)
    document = read_document(fields, fields.at("document"), fields.raw("document", required=True))
    return ManagedPolicy(name, iam_arn(account_id, "policy", path, name), document, path, fields.tags())


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
        document = aws_managed_document(ref)
        if document is None:
            fields.fail(
                WorldErrorCode.UNKNOWN_AWS_MANAGED_POLICY,
                f"`{ref}` is not in iamtwin's table of AWS managed policies; copy its document into `policies`",
                path,
            )
        name = ref.rsplit("/", 1)[-1]
        return ManagedPolicy(name, ref, plain_document(document), "/", {}, aws_managed=True)
    if ref.startswith("arn:"):
        for candidate in policies.values():
            if candidate.arn == ref:
                return candidate
        fields.fail(WorldErrorCode.UNKNOWN_POLICY, f"no managed policy `{ref}` in account `{account_id}`", path)
    policy = policies.get(ref)
    if policy is None:
        hint = ""
        if aws_managed_document(AWS_MANAGED_PREFIX + ref) is not None:
            hint = f"; for the AWS managed policy write `{AWS_MANAGED_PREFIX}{ref}`"
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
    )


def _read_resource(fields: Fields, account_id: str) -> Resource:
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
    return Resource(arn, account_id, fields.tags(), policy)
