"""AWS IAM's quotas on counts and policy sizes, with the account's own values in a `Quotas`.

Counts (managed policies attached to a role, groups a user belongs to, roles in the account, …)
and sizes are refused with `LimitExceeded`, as AWS IAM refuses them (`Cannot exceed quota for
PolicySize: 6144`, `Maximum policy size of 10240 bytes exceeded for role …`). The `reason` is the
`Quota` (for counts) or the `LimitReason` (for sizes and tags per resource).

IAM counts a policy's size in characters other than white space: `policy_size` drops every space,
tab, line feed and carriage return, inside string values too, since AWS does not say it keeps
those. AWS Organizations keeps a policy's text exactly as the API received it and counts every
character, so SCPs and RCPs are measured as sent.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from enum import StrEnum
from typing import Any

from .iam_errors import IamError, IamErrorCode
from .names import LimitReason, refusal
from .tags import TagTarget

Document = Mapping[str, Any] | str

_WHITESPACE = re.compile(r"[ \t\n\r]+")


@dataclass(frozen=True, slots=True)
class Quotas:
    """The IAM quotas of one account: AWS's defaults unless the account had them raised.

    Adjustable in AWS through Service Quotas: managed policies per role and per user, customer
    managed policies, groups, roles and instance profiles per account, server certificates and
    the role trust policy length. The others are fixed in AWS and overridable here for tests.
    """

    managed_policies_per_role: int = 10
    managed_policies_per_user: int = 10
    managed_policies_per_group: int = 10
    groups_per_user: int = 10
    versions_per_managed_policy: int = 5
    users_per_account: int = 5000
    groups_per_account: int = 300
    roles_per_account: int = 1000
    managed_policies_per_account: int = 1500
    instance_profiles_per_account: int = 1000
    roles_per_instance_profile: int = 1
    oidc_providers_per_account: int = 100
    saml_providers_per_account: int = 100
    server_certificates_per_account: int = 20
    access_keys_per_user: int = 2
    signing_certificates_per_user: int = 2
    ssh_public_keys_per_user: int = 5
    mfa_devices_per_user: int = 8
    tags_per_entity: int = 50
    managed_policy_size: int = 6144
    user_inline_policies_size: int = 2048
    group_inline_policies_size: int = 5120
    role_inline_policies_size: int = 10240
    role_trust_policy_size: int = 2048

    def __post_init__(self) -> None:
        for item in fields(self):
            value = getattr(self, item.name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"quota `{item.name}` must be a non-negative integer, not {value!r}")


DEFAULT_QUOTAS = Quotas()


class Quota(StrEnum):
    """A counted IAM quota; the value is the refusal's `reason`, its lower case a `Quotas` field."""

    MANAGED_POLICIES_PER_ROLE = "MANAGED_POLICIES_PER_ROLE"
    MANAGED_POLICIES_PER_USER = "MANAGED_POLICIES_PER_USER"
    MANAGED_POLICIES_PER_GROUP = "MANAGED_POLICIES_PER_GROUP"
    GROUPS_PER_USER = "GROUPS_PER_USER"
    VERSIONS_PER_MANAGED_POLICY = "VERSIONS_PER_MANAGED_POLICY"
    USERS_PER_ACCOUNT = "USERS_PER_ACCOUNT"
    GROUPS_PER_ACCOUNT = "GROUPS_PER_ACCOUNT"
    ROLES_PER_ACCOUNT = "ROLES_PER_ACCOUNT"
    MANAGED_POLICIES_PER_ACCOUNT = "MANAGED_POLICIES_PER_ACCOUNT"
    INSTANCE_PROFILES_PER_ACCOUNT = "INSTANCE_PROFILES_PER_ACCOUNT"
    ROLES_PER_INSTANCE_PROFILE = "ROLES_PER_INSTANCE_PROFILE"
    OIDC_PROVIDERS_PER_ACCOUNT = "OIDC_PROVIDERS_PER_ACCOUNT"
    SAML_PROVIDERS_PER_ACCOUNT = "SAML_PROVIDERS_PER_ACCOUNT"
    SERVER_CERTIFICATES_PER_ACCOUNT = "SERVER_CERTIFICATES_PER_ACCOUNT"
    ACCESS_KEYS_PER_USER = "ACCESS_KEYS_PER_USER"
    SIGNING_CERTIFICATES_PER_USER = "SIGNING_CERTIFICATES_PER_USER"
    SSH_PUBLIC_KEYS_PER_USER = "SSH_PUBLIC_KEYS_PER_USER"
    MFA_DEVICES_PER_USER = "MFA_DEVICES_PER_USER"

    def limit(self, quotas: Quotas = DEFAULT_QUOTAS) -> int:
        """This quota's value in `quotas`."""
        value: int = getattr(quotas, self.value.lower())
        return value


# AWS's name for each quota (as GetAccountSummary and its LimitExceeded messages spell it) and the
# request parameter that names the entity being added.
_QUOTA_NAMES: dict[Quota, tuple[str, str]] = {
    Quota.MANAGED_POLICIES_PER_ROLE: ("PoliciesPerRole", "PolicyArn"),
    Quota.MANAGED_POLICIES_PER_USER: ("PoliciesPerUser", "PolicyArn"),
    Quota.MANAGED_POLICIES_PER_GROUP: ("PoliciesPerGroup", "PolicyArn"),
    Quota.GROUPS_PER_USER: ("GroupsPerUser", "GroupName"),
    Quota.VERSIONS_PER_MANAGED_POLICY: ("VersionsPerPolicy", "PolicyArn"),
    Quota.USERS_PER_ACCOUNT: ("UsersPerAccount", "UserName"),
    Quota.GROUPS_PER_ACCOUNT: ("GroupsPerAccount", "GroupName"),
    Quota.ROLES_PER_ACCOUNT: ("RolesPerAccount", "RoleName"),
    Quota.MANAGED_POLICIES_PER_ACCOUNT: ("PoliciesPerAccount", "PolicyName"),
    Quota.INSTANCE_PROFILES_PER_ACCOUNT: ("InstanceProfilesPerAccount", "InstanceProfileName"),
    Quota.ROLES_PER_INSTANCE_PROFILE: ("InstanceSessionsPerInstanceProfile", "RoleName"),
    Quota.OIDC_PROVIDERS_PER_ACCOUNT: ("OpenIdConnectProvidersPerAccount", "Url"),
    Quota.SAML_PROVIDERS_PER_ACCOUNT: ("SAMLProvidersPerAccount", "Name"),
    Quota.SERVER_CERTIFICATES_PER_ACCOUNT: ("ServerCertificatesPerAccount", "ServerCertificateName"),
    Quota.ACCESS_KEYS_PER_USER: ("AccessKeysPerUser", "UserName"),
    Quota.SIGNING_CERTIFICATES_PER_USER: ("SigningCertificatesPerUser", "UserName"),
    Quota.SSH_PUBLIC_KEYS_PER_USER: ("SSHPublicKeysPerUser", "UserName"),
    Quota.MFA_DEVICES_PER_USER: ("MFADevicesPerUser", "SerialNumber"),
}


def check_quota(quota: Quota, current: int, *, adding: int = 1, quotas: Quotas = DEFAULT_QUOTAS) -> None:
    """Refuse adding `adding` to `current` entities when that passes the quota (`LimitExceeded`)."""
    limit = quota.limit(quotas)
    if current + adding > limit:
        name, parameter = _QUOTA_NAMES[quota]
        raise refusal(IamErrorCode.LIMIT_EXCEEDED, quota, f"cannot exceed quota for {name}: {limit}", parameter)


def check_tags_per_entity(
    existing_keys: Iterable[str],
    new_keys: Iterable[str],
    *,
    target: TagTarget = TagTarget.ROLE,
    quotas: Quotas = DEFAULT_QUOTAS,
) -> None:
    """Refuse tagging when the resource would then hold more than 50 tags (a new value replaces)."""
    fold = str.lower if target.keys_ignore_case else str
    after = {fold(key) for key in existing_keys} | {fold(key) for key in new_keys}
    if len(after) > quotas.tags_per_entity:
        message = f"the resource would hold {len(after)} tags; at most {quotas.tags_per_entity}"
        raise refusal(IamErrorCode.LIMIT_EXCEEDED, LimitReason.TAGS_PER_ENTITY, message, "Tags")


def document_text(document: Document) -> str:
    """A policy document as text: unchanged if text, compact JSON if a mapping."""
    if isinstance(document, str):
        return document
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False)


def policy_size(document: Document) -> int:
    """The size IAM counts for a policy: its characters other than spaces, tabs and line breaks."""
    text = document_text(document)
    return len(text) - sum(len(run) for run in _WHITESPACE.findall(text))


def _too_large(reason: LimitReason, message: str, parameter: str) -> IamError:
    return refusal(IamErrorCode.LIMIT_EXCEEDED, reason, message, parameter)


def check_managed_policy_size(
    document: Document, *, quotas: Quotas = DEFAULT_QUOTAS, parameter: str = "PolicyDocument"
) -> None:
    """Refuse a managed policy (any version) over 6,144 non-white-space characters."""
    limit = quotas.managed_policy_size
    if policy_size(document) > limit:
        raise _too_large(LimitReason.POLICY_TOO_LARGE, f"cannot exceed quota for PolicySize: {limit}", parameter)


class InlinePolicyOwner(StrEnum):
    """An identity that embeds inline policies."""

    USER = "user"
    GROUP = "group"
    ROLE = "role"

    def limit(self, quotas: Quotas = DEFAULT_QUOTAS) -> int:
        """The aggregate size its inline policies may reach."""
        value: int = getattr(quotas, f"{self.value}_inline_policies_size")
        return value


def check_inline_policies_size(
    owner: InlinePolicyOwner,
    documents: Iterable[Document],
    *,
    quotas: Quotas = DEFAULT_QUOTAS,
    parameter: str = "PolicyDocument",
) -> None:
    """Refuse when all of an identity's inline policies together pass 2,048 / 5,120 / 10,240.

    `documents` is every inline policy the identity would hold after the change (the new or
    replaced one included); the sum of their sizes is what AWS limits.
    """
    limit = owner.limit(quotas)
    if sum(policy_size(document) for document in documents) > limit:
        message = f"maximum policy size of {limit} bytes exceeded for {owner.value}"
        raise _too_large(LimitReason.INLINE_POLICIES_TOO_LARGE, message, parameter)


def check_trust_policy_size(
    document: Document,
    *,
    limit: int | None = None,
    quotas: Quotas = DEFAULT_QUOTAS,
    parameter: str = "AssumeRolePolicyDocument",
) -> None:
    """Refuse a role trust policy over the account's trust policy length (2,048 by default)."""
    most = quotas.role_trust_policy_size if limit is None else limit
    if policy_size(document) > most:
        message = f"cannot exceed quota for ACLSizePerRole: {most}"
        raise _too_large(LimitReason.TRUST_POLICY_TOO_LARGE, message, parameter)


class OrganizationPolicyKind(StrEnum):
    """An AWS Organizations authorization policy type."""

    SCP = "SERVICE_CONTROL_POLICY"
    RCP = "RESOURCE_CONTROL_POLICY"


# Organizations' "Maximum size of a policy document" (orgs_reference_limits): the SCP limit was
# raised from 5,120 to 10,240 characters; RCPs keep 5,120.
ORGANIZATION_POLICY_LIMITS = {OrganizationPolicyKind.SCP: 10240, OrganizationPolicyKind.RCP: 5120}


def check_organization_policy_size(
    document: Document, kind: OrganizationPolicyKind, *, limit: int | None = None, parameter: str = "Content"
) -> None:
    """Refuse an SCP or RCP longer than its limit, counting every character as sent.

    AWS Organizations answers `ConstraintViolationException` (`POLICY_CONTENT_LIMIT_EXCEEDED`);
    iamtwin's world speaks IAM codes, so this is `LimitExceeded` with reason
    `ORGANIZATION_POLICY_TOO_LARGE`.
    """
    most = ORGANIZATION_POLICY_LIMITS[kind] if limit is None else limit
    size = len(document_text(document))
    if size > most:
        message = f"{kind.value} has {size} characters; at most {most}"
        raise _too_large(LimitReason.ORGANIZATION_POLICY_TOO_LARGE, message, parameter)
