"""Resource and trust policies that grant access to principals outside the zone of trust.

A resource-based policy can grant access to other accounts and to everyone (`*`); IAM Access
Analyzer reports such grants as external access
(https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-resources.html), and the
CloudFormation policy validator reports them as the SECURITY_WARNING `EXTERNAL_PRINCIPAL`
unless they are in `--allow-external-principals`. The zone of trust is the account given with
`--account-id`, or with `--zone organization` the organization `--org-id`.

A grant to `*` or to another account stays inside the zone when the statement has a condition
that limits callers to it: `StringEquals`/`StringLike`/`ArnEquals`/`ArnLike` (without `IfExists`
or a set qualifier) on `aws:PrincipalAccount` or `aws:SourceAccount` naming only the account,
on `aws:PrincipalArn` or `aws:SourceArn` naming only ARNs of the account, or, in the organization
zone, on `aws:PrincipalOrgID`/`aws:SourceOrgID` naming only the organization or
`aws:PrincipalOrgPaths`/`aws:SourceOrgPaths` paths under it
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html).
Which accounts belong to the organization cannot be known offline: name them in
`--allow-external-principals`. Service and federated principals are not accounts and are not
reported here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

from ...policy.operators import split_operator
from ...policy.source import child_path
from ..check import condition_entries, condition_values, strings_at
from ..context import CheckContext, RawStatement
from ..findings import Finding, FindingType, PolicyType, iamtwin_code

EXTERNAL_PRINCIPAL = iamtwin_code(
    "EXTERNAL_PRINCIPAL",
    FindingType.SECURITY_WARNING,
    "External principal",
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-resources.html",
)
CODES = (EXTERNAL_PRINCIPAL,)

_ACCOUNT = re.compile(r"^\d{12}$")
_ACCOUNT_KEYS = ("aws:principalaccount", "aws:sourceaccount")
_ARN_KEYS = ("aws:principalarn", "aws:sourcearn")
_ORG_KEYS = ("aws:principalorgid", "aws:sourceorgid")
_PATH_KEYS = ("aws:principalorgpaths", "aws:sourceorgpaths")
_POSITIVE = ("StringEquals", "StringLike", "ArnEquals", "ArnLike")


def _inside(ctx: CheckContext, key: str, value: str) -> bool:
    """Whether a condition value names only callers inside the zone of trust."""
    account = ctx.options.account_id
    org = ctx.options.org_id if ctx.options.zone == "organization" else ""
    if key in _ACCOUNT_KEYS:
        return value == account
    if key in _ARN_KEYS:
        parts = value.split(":")
        return len(parts) >= 6 and parts[4] == account
    if key in _ORG_KEYS:
        return bool(org) and value == org
    if key in _PATH_KEYS:
        segments = value.split("/")
        return bool(org) and len(segments) > 1 and segments[0] == org and "*" not in segments[0]
    return False


def limited_to_zone(ctx: CheckContext, statement: RawStatement) -> bool:
    """Whether a condition of the statement admits only callers inside the zone of trust."""
    for operator, key, path, values in condition_entries(statement):
        split = split_operator(operator)
        if split is None or split[0] is not None or split[2] or split[1] not in _POSITIVE:
            continue
        texts = [v for _p, v in condition_values(values, path)]
        if texts and all(isinstance(v, str) and _inside(ctx, key.lower(), v) for v in texts):
            return True
    return False


def principal_account(value: str) -> str | None:
    """The account of an AWS principal value (an account ID or an IAM/STS ARN); `*` for everyone."""
    if value == "*":
        return "*"
    if _ACCOUNT.match(value):
        return value
    parts = value.split(":")
    if len(parts) >= 6 and parts[0] == "arn" and _ACCOUNT.match(parts[4]):
        return parts[4]
    return None


def run(ctx: CheckContext) -> Iterator[Finding]:
    """Report each AWS principal of an Allow statement that lies outside the zone of trust."""
    if ctx.policy_type not in (PolicyType.RESOURCE, PolicyType.TRUST):
        return
    allowed = ctx.options.allowed_external_principals
    for statement in ctx.raw_statements:
        if statement.value.get("Effect") != "Allow":
            continue
        if limited_to_zone(ctx, statement):
            continue
        principal = statement.value.get("Principal")
        base = child_path(statement.path, "Principal")
        if principal == "*":
            values = [(base, "*")]
        elif isinstance(principal, Mapping):
            values = list(strings_at(principal.get("AWS"), child_path(base, "AWS")))
        else:
            continue
        for path, value in values:
            account = principal_account(value)
            if account is None or account == ctx.options.account_id:
                continue
            if "*" in allowed or value in allowed or account in allowed:
                continue
            who = "everyone" if account == "*" else f"account {account}"
            zone = (
                f"the organization {ctx.options.org_id}"
                if ctx.options.zone == "organization"
                else f"the account {ctx.options.account_id}"
            )
            message = f"the policy grants access to `{value}` ({who}), outside {zone}"
            yield ctx.finding(EXTERNAL_PRINCIPAL, message, path)
