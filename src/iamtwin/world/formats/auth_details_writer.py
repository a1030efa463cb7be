"""Write an Account as `aws iam get-account-authorization-details` prints it (one complete page).

Documents are JSON objects, as the AWS CLI prints them. `Policies` holds the account's
customer-managed policies and every AWS managed policy an entity uses, with their versions,
attachment counts and permissions-boundary usage counts; a policy with no stored versions gets
its single default version. Values the model does not know (`CreateDate`, `RoleLastUsed`) are
left out, as are the ids it has no value for. iamtwin extensions, written only when they differ
from the default: a role's `MaxSessionDuration` and `Description`, a managed policy's `Tags`.
What the format cannot carry is not written: resources, identity providers, the account name,
instance profiles without a role, `service_linked` on a role outside `/aws-service-role/`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ..model import Account, Document, Group, InlinePolicy, InstanceProfile, ManagedPolicy, Role, User
from .documents import plain


def json_document(document: Document) -> Any:
    """A policy document as a JSON object (JSON text is parsed)."""
    return json.loads(document) if isinstance(document, str) else plain(document)


def _tags(tags: Mapping[str, str]) -> list[dict[str, str]]:
    return [{"Key": key, "Value": value} for key, value in tags.items()]


def _inline(policies: tuple[InlinePolicy, ...]) -> list[dict[str, Any]]:
    return [{"PolicyName": p.name, "PolicyDocument": json_document(p.document)} for p in policies]


def _attached(policies: tuple[ManagedPolicy, ...]) -> list[dict[str, str]]:
    return [{"PolicyName": p.name, "PolicyArn": p.arn} for p in policies]


def _put(out: dict[str, Any], key: str, value: Any) -> None:
    if value is not None:
        out[key] = value


def _entity(name_key: str, name: str, id_key: str, entity_id: str | None, path: str, arn: str) -> dict[str, Any]:
    out: dict[str, Any] = {"Path": path, name_key: name}
    _put(out, id_key, entity_id)
    out["Arn"] = arn
    return out


def _boundary(out: dict[str, Any], boundary: ManagedPolicy | None) -> None:
    if boundary is not None:
        out["PermissionsBoundary"] = {
            "PermissionsBoundaryType": "PermissionsBoundaryPolicy",
            "PermissionsBoundaryArn": boundary.arn,
        }


def _role_summary(role: Role) -> dict[str, Any]:
    out = _entity("RoleName", role.name, "RoleId", role.role_id, role.path, role.arn)
    if role.trust_policy is not None:
        out["AssumeRolePolicyDocument"] = json_document(role.trust_policy)
    return out


def _instance_profile(profile: InstanceProfile, roles: Mapping[str, Role]) -> dict[str, Any]:
    out = _entity(
        "InstanceProfileName", profile.name, "InstanceProfileId", profile.instance_profile_id, profile.path, profile.arn
    )
    out["Roles"] = [_role_summary(roles[name]) for name in profile.roles if name in roles]
    if profile.tags:
        out["Tags"] = _tags(profile.tags)
    return out


def _policy(policy: ManagedPolicy, attachments: int, boundaries: int) -> dict[str, Any]:
    out = _entity("PolicyName", policy.name, "PolicyId", policy.policy_id, policy.path, policy.arn)
    out["DefaultVersionId"] = policy.default_version_id
    out["AttachmentCount"] = attachments
    out["PermissionsBoundaryUsageCount"] = boundaries
    out["IsAttachable"] = True
    if policy.description:
        out["Description"] = policy.description
    versions = []
    for version in policy.versions:
        item: dict[str, Any] = {
            "Document": json_document(version.document),
            "VersionId": version.version_id,
            "IsDefaultVersion": version.version_id == policy.default_version_id,
        }
        _put(item, "CreateDate", version.create_date)
        versions.append(item)
    if not versions:
        versions = [
            {
                "Document": json_document(policy.document),
                "VersionId": policy.default_version_id,
                "IsDefaultVersion": True,
            }
        ]
    out["PolicyVersionList"] = versions
    if policy.tags:
        out["Tags"] = _tags(policy.tags)
    return out


def write_auth_details(account: Account) -> dict[str, Any]:
    """The get-account-authorization-details response describing `account`."""
    users = []
    for user in account.users.values():
        out = _entity("UserName", user.name, "UserId", user.user_id, user.path, user.arn)
        out["UserPolicyList"] = _inline(user.inline_policies)
        out["GroupList"] = [group.name for group in user.groups]
        out["AttachedManagedPolicies"] = _attached(user.managed_policies)
        _boundary(out, user.permissions_boundary)
        if user.tags:
            out["Tags"] = _tags(user.tags)
        users.append(out)
    groups = []
    for group in account.groups.values():
        out = _entity("GroupName", group.name, "GroupId", group.group_id, group.path, group.arn)
        out["GroupPolicyList"] = _inline(group.inline_policies)
        out["AttachedManagedPolicies"] = _attached(group.managed_policies)
        groups.append(out)
    profiles_of: dict[str, list[InstanceProfile]] = {}
    for profile in account.instance_profiles.values():
        for role_name in profile.roles:
            profiles_of.setdefault(role_name, []).append(profile)
    roles = []
    for role in account.roles.values():
        out = _role_summary(role)
        out["InstanceProfileList"] = [_instance_profile(p, account.roles) for p in profiles_of.get(role.name, [])]
        out["RolePolicyList"] = _inline(role.inline_policies)
        out["AttachedManagedPolicies"] = _attached(role.managed_policies)
        _boundary(out, role.permissions_boundary)
        if role.tags:
            out["Tags"] = _tags(role.tags)
        if role.description:
            out["Description"] = role.description
        if role.max_session_duration != 3600:
            out["MaxSessionDuration"] = role.max_session_duration
        out["RoleLastUsed"] = {}
        roles.append(out)
    return {
        "UserDetailList": users,
        "GroupDetailList": groups,
        "RoleDetailList": roles,
        "Policies": _policies(account),
        "IsTruncated": False,
    }


def _policies(account: Account) -> list[dict[str, Any]]:
    """The customer-managed policies, then every other policy an entity uses, in order of first use."""
    ordered: dict[str, ManagedPolicy] = {policy.arn: policy for policy in account.policies.values()}
    attachments: dict[str, int] = {}
    boundaries: dict[str, int] = {}
    entities: list[User | Group | Role] = [*account.users.values(), *account.groups.values(), *account.roles.values()]
    for entity in entities:
        for policy in entity.managed_policies:
            ordered.setdefault(policy.arn, policy)
            attachments[policy.arn] = attachments.get(policy.arn, 0) + 1
        boundary = None if isinstance(entity, Group) else entity.permissions_boundary
        if boundary is not None:
            ordered.setdefault(boundary.arn, boundary)
            boundaries[boundary.arn] = boundaries.get(boundary.arn, 0) + 1
    return [_policy(p, attachments.get(arn, 0), boundaries.get(arn, 0)) for arn, p in ordered.items()]
