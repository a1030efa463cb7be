"""Actions of another service in a resource policy: a bucket policy can only govern S3 actions.

A resource-based policy is evaluated for requests to its resource, so an action of another
service never matches; Access Analyzer reports it as UNSUPPORTED_ACTION_IN_POLICY
(https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html).
Known only when the input says which service's resource holds the policy (a template or plan
resource type); `*` and wildcard service prefixes are not judged.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..check import element_strings
from ..context import CheckContext
from ..findings import Finding, FindingType, IssueCode, PolicyType

UNSUPPORTED_ACTION_IN_POLICY = IssueCode(
    "UNSUPPORTED_ACTION_IN_POLICY", FindingType.ERROR, "Unsupported action in policy"
)
CODES = (UNSUPPORTED_ACTION_IN_POLICY,)


def run(ctx: CheckContext) -> Iterator[Finding]:
    """Report each Action entry naming a service other than the one whose resource holds the policy."""
    service = ctx.source.resource_service
    if not service or ctx.policy_type is not PolicyType.RESOURCE:
        return
    for statement in ctx.raw_statements:
        for path, action in element_strings(statement, "Action"):
            prefix, colon, _name = action.partition(":")
            if not colon or any(c in prefix for c in "*?") or prefix.lower() == service:
                continue
            message = f"`{action}` is not an action of `{service}`; this {service} resource policy never applies to it"
            yield ctx.finding(UNSUPPORTED_ACTION_IN_POLICY, message, path)
