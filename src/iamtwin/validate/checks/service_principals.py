"""Service principals in resource policies without a condition naming the calling resource.

When a service acts for a customer, `aws:SourceArn`, `aws:SourceAccount`, `aws:SourceOrgID`
or `aws:SourceOrgPaths` keep it from being used as a confused deputy by another account
(https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from ...policy.source import child_path
from ..check import condition_entries, strings_at
from ..context import CheckContext
from ..findings import Finding, FindingType, PolicyType, iamtwin_code

MISSING_SOURCE_CONDITION_FOR_SERVICE_PRINCIPAL = iamtwin_code(
    "MISSING_SOURCE_CONDITION_FOR_SERVICE_PRINCIPAL",
    FindingType.SECURITY_WARNING,
    "Missing source condition for service principal",
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html",
)
CODES = (MISSING_SOURCE_CONDITION_FOR_SERVICE_PRINCIPAL,)

_SOURCE_KEYS = ("aws:sourcearn", "aws:sourceaccount", "aws:sourceorgid", "aws:sourceorgpaths")


def run(ctx: CheckContext) -> Iterator[Finding]:
    """Report Allow statements of resource policies granting a service without a source condition."""
    if ctx.policy_type is not PolicyType.RESOURCE:
        return
    for statement in ctx.raw_statements:
        principal = statement.value.get("Principal")
        if statement.value.get("Effect") != "Allow" or not isinstance(principal, Mapping):
            continue
        path = child_path(child_path(statement.path, "Principal"), "Service")
        services = [value for _p, value in strings_at(principal.get("Service"), path)]
        if not services:
            continue
        keys = {key.lower() for _operator, key, _path, _values in condition_entries(statement)}
        if keys.intersection(_SOURCE_KEYS):
            continue
        shown = ", ".join(f"`{s}`" for s in services)
        message = f"{shown} may act for any account; add `aws:SourceArn` or `aws:SourceAccount` to the condition"
        yield ctx.finding(MISSING_SOURCE_CONDITION_FOR_SERVICE_PRINCIPAL, message, path)
