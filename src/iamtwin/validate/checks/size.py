"""Size quotas per policy type, measured as AWS measures them.

IAM does not count white space outside strings
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html): managed policies
6,144 characters, role trust policies 2,048 (the default quota), inline policies 2,048 (user),
5,120 (group) and 10,240 (role), aggregated per entity. Organizations counts every character of
an SCP or RCP, 5,120 at most
(https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html).
Resource policies have per-service quotas, given by the input that found the policy. AWS managed
policies are not measured: AWS writes them beyond the customer managed policy quota
(AWSSupportServiceRolePolicy has over 150,000 characters).
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from ..context import CheckContext
from ..findings import Finding, FindingType, IssueCode, PolicyType, iamtwin_code

E = FindingType.ERROR
QUOTAS_PAGE = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html"
ORG_QUOTAS_PAGE = "https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html"

POLICY_SIZE_EXCEEDS_IDENTITY_POLICY_QUOTA = IssueCode(
    "POLICY_SIZE_EXCEEDS_IDENTITY_POLICY_QUOTA", E, "Policy size exceeds identity policy quota"
)
POLICY_SIZE_EXCEEDS_RESOURCE_POLICY_QUOTA = IssueCode(
    "POLICY_SIZE_EXCEEDS_RESOURCE_POLICY_QUOTA", E, "Policy size exceeds resource policy quota"
)
POLICY_SIZE_EXCEEDS_ROLE_TRUST_POLICY_QUOTA = iamtwin_code(
    "POLICY_SIZE_EXCEEDS_ROLE_TRUST_POLICY_QUOTA", E, "Policy size exceeds role trust policy quota", QUOTAS_PAGE
)
POLICY_SIZE_EXCEEDS_SCP_QUOTA = iamtwin_code(
    "POLICY_SIZE_EXCEEDS_SCP_QUOTA", E, "Policy size exceeds SCP quota", ORG_QUOTAS_PAGE
)
POLICY_SIZE_EXCEEDS_RCP_QUOTA = iamtwin_code(
    "POLICY_SIZE_EXCEEDS_RCP_QUOTA", E, "Policy size exceeds RCP quota", ORG_QUOTAS_PAGE
)

CODES = (
    POLICY_SIZE_EXCEEDS_IDENTITY_POLICY_QUOTA,
    POLICY_SIZE_EXCEEDS_RESOURCE_POLICY_QUOTA,
    POLICY_SIZE_EXCEEDS_ROLE_TRUST_POLICY_QUOTA,
    POLICY_SIZE_EXCEEDS_SCP_QUOTA,
    POLICY_SIZE_EXCEEDS_RCP_QUOTA,
)

MANAGED_POLICY_QUOTA = 6144
TRUST_POLICY_QUOTA = 2048
ORGANIZATIONS_POLICY_QUOTA = 5120

_DEFAULTS: dict[PolicyType, tuple[IssueCode, int | None]] = {
    PolicyType.IDENTITY: (POLICY_SIZE_EXCEEDS_IDENTITY_POLICY_QUOTA, MANAGED_POLICY_QUOTA),
    PolicyType.TRUST: (POLICY_SIZE_EXCEEDS_ROLE_TRUST_POLICY_QUOTA, TRUST_POLICY_QUOTA),
    PolicyType.SCP: (POLICY_SIZE_EXCEEDS_SCP_QUOTA, ORGANIZATIONS_POLICY_QUOTA),
    PolicyType.RCP: (POLICY_SIZE_EXCEEDS_RCP_QUOTA, ORGANIZATIONS_POLICY_QUOTA),
    PolicyType.RESOURCE: (POLICY_SIZE_EXCEEDS_RESOURCE_POLICY_QUOTA, None),
}


def policy_size(ctx: CheckContext) -> int:
    """The policy's size as its policy type's quota counts it."""
    organizations = ctx.policy_type in (PolicyType.SCP, PolicyType.RCP)
    if organizations and ctx.source.text is not None:
        return len(ctx.source.text)
    compact = json.dumps(ctx.source.value, separators=(",", ":"), ensure_ascii=False)
    return len(compact)


def run(ctx: CheckContext) -> Iterator[Finding]:
    """Compare the policy's size with the quota of its policy type (or of its entity)."""
    issue, quota = _DEFAULTS[ctx.policy_type]
    if ctx.source.aws_managed:
        return
    if ctx.source.size_quota is not None:
        quota = ctx.source.size_quota
    if quota is None:
        return
    size = policy_size(ctx)
    if size > quota:
        message = f"the policy has {size:,} characters, more than the quota of {quota:,}"
        yield ctx.finding(issue, message, "")
