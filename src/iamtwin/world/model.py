"""The frozen model of a world: accounts with their IAM entities and resources, and an organization.

References are resolved when the file is read: a user holds its Group objects and its managed
policies as ManagedPolicy objects, an OU holds its OrgPolicy objects.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

# A policy document as written in the file: a mapping, or JSON text.
Document = Mapping[str, Any] | str


@dataclass(frozen=True, slots=True)
class InlinePolicy:
    """A policy embedded in a user, group or role."""

    name: str
    document: Document


@dataclass(frozen=True, slots=True)
class PolicyVersion:
    """One version of a managed policy; `document` of the policy is its default version's."""

    version_id: str
    document: Document
    create_date: str | None = None


@dataclass(frozen=True, slots=True)
class ManagedPolicy:
    """A customer-managed policy of an account, or an AWS managed policy (`aws_managed`).

    `document` is the default version's document; `versions` lists every stored version (empty
    means the single version `default_version_id` holding `document`).
    """

    name: str
    arn: str
    document: Document
    path: str = "/"
    tags: Mapping[str, str] = field(default_factory=dict)
    aws_managed: bool = False
    versions: tuple[PolicyVersion, ...] = ()
    default_version_id: str = "v1"
    policy_id: str | None = None
    description: str = ""


@dataclass(frozen=True, slots=True)
class Group:
    """An IAM group."""

    name: str
    arn: str
    path: str
    inline_policies: tuple[InlinePolicy, ...]
    managed_policies: tuple[ManagedPolicy, ...]
    group_id: str | None = None


@dataclass(frozen=True, slots=True)
class User:
    """An IAM user with its groups, policies and permissions boundary."""

    name: str
    arn: str
    path: str
    tags: Mapping[str, str]
    groups: tuple[Group, ...]
    inline_policies: tuple[InlinePolicy, ...]
    managed_policies: tuple[ManagedPolicy, ...]
    permissions_boundary: ManagedPolicy | None
    user_id: str | None = None


@dataclass(frozen=True, slots=True)
class Role:
    """An IAM role; its trust policy is the resource policy of `sts:AssumeRole*` on its ARN."""

    name: str
    arn: str
    path: str
    trust_policy: Document | None
    tags: Mapping[str, str]
    inline_policies: tuple[InlinePolicy, ...]
    managed_policies: tuple[ManagedPolicy, ...]
    permissions_boundary: ManagedPolicy | None
    max_session_duration: int
    service_linked: bool
    role_id: str | None = None
    description: str = ""


@dataclass(frozen=True, slots=True)
class InstanceProfile:
    """An instance profile and the names of the roles in it (at most one, as AWS allows)."""

    name: str
    arn: str
    path: str
    roles: tuple[str, ...] = ()
    tags: Mapping[str, str] = field(default_factory=dict)
    instance_profile_id: str | None = None


class ProviderType(StrEnum):
    """The kinds of IAM identity provider."""

    OIDC = "oidc"
    SAML = "saml"


@dataclass(frozen=True, slots=True)
class IdentityProvider:
    """An IAM OIDC or SAML identity provider of an account.

    OIDC: `url` (the issuer without `https://`), `client_ids`, `thumbprints`.
    SAML: `name` and the IdP's `saml_metadata` XML.
    """

    arn: str
    type: ProviderType
    name: str
    url: str | None = None
    client_ids: tuple[str, ...] = ()
    thumbprints: tuple[str, ...] = ()
    saml_metadata: str | None = None
    tags: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Resource:
    """A resource with tags and, optionally, a resource-based policy and the identity it runs as.

    `runs_as`: the ARN of the role whose credentials the resource's code holds (a Lambda function's
    execution role, a Glue development endpoint's or SageMaker notebook instance's role) or, for an
    EC2 instance, of its instance profile (whose role the instance's code holds).
    """

    arn: str
    account: str
    tags: Mapping[str, str]
    policy: Document | None
    runs_as: str | None = None


@dataclass(frozen=True, slots=True)
class Account:
    """One AWS account and what it holds."""

    id: str
    name: str | None
    users: Mapping[str, User]
    groups: Mapping[str, Group]
    roles: Mapping[str, Role]
    policies: Mapping[str, ManagedPolicy]
    resources: tuple[Resource, ...]
    instance_profiles: Mapping[str, InstanceProfile] = field(default_factory=dict)
    identity_providers: tuple[IdentityProvider, ...] = ()


class OrgPolicyType(StrEnum):
    """The organization policy types a world file models."""

    SCP = "scp"
    RCP = "rcp"


@dataclass(frozen=True, slots=True)
class OrgPolicy:
    """A service or resource control policy; `arn` is its Organizations ARN (the policy id)."""

    name: str
    type: OrgPolicyType
    policy_id: str
    arn: str
    document: Document


@dataclass(frozen=True, slots=True)
class OrgAccount:
    """An account's place in the organization tree with the policies attached to it."""

    id: str
    scps: tuple[OrgPolicy, ...]
    rcps: tuple[OrgPolicy, ...]


@dataclass(frozen=True, slots=True)
class OrgNode:
    """The root or an OU, with its attached policies, accounts and child OUs."""

    id: str
    name: str
    scps: tuple[OrgPolicy, ...]
    rcps: tuple[OrgPolicy, ...]
    accounts: tuple[OrgAccount, ...]
    children: tuple[OrgNode, ...]


@dataclass(frozen=True, slots=True)
class Placement:
    """Where an account sits: the nodes from the root down to its parent, and its own entry."""

    nodes: tuple[OrgNode, ...]
    account: OrgAccount


@dataclass(frozen=True, slots=True)
class Organization:
    """An AWS organization: ids, the management account, policies and the OU tree."""

    id: str
    management_account: str
    policies: Mapping[str, OrgPolicy]
    root: OrgNode
    placements: Mapping[str, Placement]
    rcps_enabled: bool


@dataclass(frozen=True, slots=True)
class World:
    """Accounts by id and an optional organization."""

    accounts: Mapping[str, Account]
    organization: Organization | None
