"""The validator's word on a policy before the orchestrator writes it.

Every check of `iamtwin validate` runs on the whole new resource policy, in process, as a resource
policy of the target's service, deployed in the target's account and region, with the world's
organization as the zone of trust. Findings of the blocking types of `iamtwin validate` (ERROR and
SECURITY_WARNING) refuse the change: the orchestrator never writes a policy the validator would fail.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..policy.arn import parse_arn
from ..validate.context import ValidateOptions
from ..validate.findings import Finding, PolicyType
from ..validate.run import DEFAULT_BLOCKING, check_policy
from ..validate.source import PolicySource
from .errors import GrantError, GrantErrorCode


def blocking_findings(resource: str, policy: Mapping[str, Any], text: str, org_id: str | None) -> list[Finding]:
    """The blocking findings of `policy` (stored as `text`) as the resource policy of `resource`."""
    arn = parse_arn(resource)
    assert arn is not None  # the request was checked
    options = ValidateOptions(
        region=arn.region or "us-east-1",
        account_id=arn.account,
        partition=arn.partition,
        zone="organization" if org_id else "account",
        org_id=org_id or "",
    )
    source = PolicySource(
        f"grant:{resource}",
        dict(policy),
        PolicyType.RESOURCE,
        resource=resource,
        policy="ResourcePolicy",
        text=text,
        resource_service=arn.service,
    )
    return [f for f in check_policy(source, options) if f.finding_type in DEFAULT_BLOCKING]


def require_valid(resource: str, policy: Mapping[str, Any], text: str, org_id: str | None) -> None:
    """Refuse (GRANT_POLICY_REJECTED, with the findings as details) a policy with blocking findings."""
    found = blocking_findings(resource, policy, text, org_id)
    if found:
        codes = ", ".join(sorted({f.code for f in found}))
        raise GrantError(
            GrantErrorCode.POLICY_REJECTED,
            f"the new policy of `{resource}` has blocking findings: {codes}",
            tuple(f.to_dict() for f in found),
        )
