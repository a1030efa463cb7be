"""The policies of a stored world (`--db URL`): every policy its accounts and organization hold.

Each account's customer managed policies (their default version), the inline policies of its
users, groups and roles, role trust policies and resource policies, and the organization's SCPs
and RCPs. AWS managed policies are AWS's own, not the world's, and are left out. A finding names
the entity in `resourceName` (its ARN, or the organization policy's ID) and the policy in
`policyName` (`TrustPolicy`, `ResourcePolicy`, or the policy's name); its file is the database URL
without its password. A document stored as JSON text is located by line and column in that text.
Inline policies are measured against their entity's quota
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

from ...errors import IamtwinError
from ...policy.errors import PolicySyntaxError
from ...policy.source import read_json
from ...world.model import Document, World
from ...world.stored import World as StoredWorld
from ..findings import Finding, PolicyType, SourceLocation
from ..source import PolicySource
from .cloudformation import GROUP_INLINE_QUOTA, ROLE_INLINE_QUOTA, USER_INLINE_QUOTA
from .codes import INVALID_POLICY_VALUE, WORLD_NOT_READABLE

_PASSWORD = re.compile(r"(//[^:/@]+):[^@/]*@")


def display_url(url: str) -> str:
    """The database URL as findings show it, without a password."""
    return _PASSWORD.sub(r"\1:***@", url)


def world_policies(url: str) -> Iterator[PolicySource | Finding]:
    """Every policy of the world stored at `url` (or one WORLD_NOT_READABLE finding)."""
    name = display_url(url)
    try:
        world = StoredWorld.open(url)
        try:
            model = world.export_model()
        finally:
            world.close()
    except IamtwinError as exc:
        yield Finding(WORLD_NOT_READABLE, f"cannot read the world at `{name}`: {exc}", SourceLocation(name))
        return
    yield from _model_policies(name, model)


def _model_policies(name: str, model: World) -> Iterator[PolicySource | Finding]:
    for account in model.accounts.values():
        for policy in account.policies.values():
            if not policy.aws_managed:
                yield _source(name, policy.document, PolicyType.IDENTITY, policy.arn, policy.name)
        for user in account.users.values():
            for inline in user.inline_policies:
                yield _source(name, inline.document, PolicyType.IDENTITY, user.arn, inline.name, USER_INLINE_QUOTA)
        for group in account.groups.values():
            for inline in group.inline_policies:
                yield _source(name, inline.document, PolicyType.IDENTITY, group.arn, inline.name, GROUP_INLINE_QUOTA)
        for role in account.roles.values():
            if role.trust_policy is not None:
                yield _source(name, role.trust_policy, PolicyType.TRUST, role.arn, "TrustPolicy")
            for inline in role.inline_policies:
                yield _source(name, inline.document, PolicyType.IDENTITY, role.arn, inline.name, ROLE_INLINE_QUOTA)
        for resource in account.resources:
            if resource.policy is not None:
                service = resource.arn.split(":")[2] if resource.arn.count(":") >= 5 else ""
                yield _source(name, resource.policy, PolicyType.RESOURCE, resource.arn, "ResourcePolicy", None, service)
    if model.organization is not None:
        for org_policy in model.organization.policies.values():
            kind = PolicyType.SCP if org_policy.type.value == "scp" else PolicyType.RCP
            yield _source(name, org_policy.document, kind, org_policy.arn or org_policy.policy_id, org_policy.name)


def _source(
    file: str,
    document: Document,
    kind: PolicyType,
    resource: str,
    policy: str,
    quota: int | None = None,
    service: str = "",
) -> PolicySource | Finding:
    """A stored document as a policy to check; JSON text keeps its positions."""
    if isinstance(document, Mapping):
        return PolicySource(file, document, kind, {}, resource, policy, size_quota=quota, resource_service=service)
    try:
        parsed = read_json(document)
    except PolicySyntaxError as err:
        where = err.problems[0].location
        location = SourceLocation(file, where.path, where.line, where.column)
        return Finding(
            INVALID_POLICY_VALUE,
            f"the stored policy is not JSON: {err.problems[0].message}",
            location,
            resource,
            policy,
        )
    duplicates = tuple(p.location.path for p in parsed.duplicates)
    return PolicySource(
        file, parsed.value, kind, parsed.positions, resource, policy, document, duplicates, quota, service
    )
