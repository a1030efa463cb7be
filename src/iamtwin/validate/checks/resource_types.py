"""Resource ARNs checked against the resource types of the statement's actions.

Each action acts on the resource types the Service Authorization Reference lists for it, each
with an ARN format; an ARN in `Resource` that fits no resource type of any of the statement's
actions can never match a request, so Access Analyzer reports UNSUPPORTED_RESOURCE_ARN_IN_POLICY
(https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html).
Whether a service's ARNs carry a Region and an account is read from its formats too: S3 bucket
ARNs have neither (ARN_ACCOUNT_NOT_ALLOWED, ARN_REGION_NOT_ALLOWED), SQS queue ARNs need a
Region (MISSING_ARN_REGION) (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html).
An empty account is not reported: AWS-owned resources (SSM documents and public parameters,
managed views) have ARNs without one.
An ARN pattern fits a resource type when some ARN matches both, its wildcards applied as the
engine applies them (`catalog.match_resource_type`,
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html#reference_policies_elements_resource_wildcards),
so `arn:aws:ec2:*:*:snapshot/*` fits snapshots, whose ARNs have no account, and
`task-definition/*` fits `task-definition/family:1`.
Statements with NotAction, with `*` as an action, or with unresolved values are not judged.
"""

from __future__ import annotations

from collections.abc import Iterator

from ... import catalog
from ..check import element_strings
from ..context import CheckContext, RawStatement
from ..findings import Finding, FindingType, IssueCode
from .arn_format import ARN_REGION_NOT_ALLOWED, arn_problem
from .expansion import expand

E = FindingType.ERROR
UNSUPPORTED_RESOURCE_ARN_IN_POLICY = IssueCode(
    "UNSUPPORTED_RESOURCE_ARN_IN_POLICY", E, "Unsupported resource ARN in policy"
)
ARN_ACCOUNT_NOT_ALLOWED = IssueCode("ARN_ACCOUNT_NOT_ALLOWED", E, "ARN account not allowed")
MISSING_ARN_REGION = IssueCode("MISSING_ARN_REGION", E, "Missing ARN Region")

CODES = (UNSUPPORTED_RESOURCE_ARN_IN_POLICY, ARN_ACCOUNT_NOT_ALLOWED, MISSING_ARN_REGION)

# Above this many actions (`ec2:*` has hundreds) the statement's resource types are nearly a
# whole service's; matching each ARN against every one of them would cost more than it tells.
_MAX_ACTIONS = 400


def statement_actions(statement: RawStatement) -> tuple[catalog.Action, ...] | None:
    """The catalogue actions an Action element covers; None when it cannot be known (NotAction, `*`, unknown)."""
    if "NotAction" in statement.value or "Action" not in statement.value:
        return None
    entries = [text for _path, text in element_strings(statement, "Action")]
    value = statement.value["Action"]
    written = 1 if isinstance(value, str) else len(value) if isinstance(value, list) else 0
    if len(entries) != written:
        return None
    found: dict[str, catalog.Action] = {}
    for entry in entries:
        if entry == "*" or entry.split(":", 1)[0] in ("*", ""):
            return None
        for act in expand(entry):
            found[act.full_name.lower()] = act
        if len(found) > _MAX_ACTIONS:
            return None
    return tuple(found.values())


def _repair(arn: str, actions: tuple[catalog.Action, ...]) -> tuple[IssueCode, str] | None:
    """Which Region or account slot, emptied or filled, would make the ARN fit an action's resource type."""
    parts = arn.split(":", 5)
    service, region, account = parts[2], parts[3], parts[4]

    def fits(new_region: str, new_account: str) -> bool:
        candidate = ":".join([*parts[:3], new_region, new_account, parts[5]])
        return any(catalog.match_resource_type(act, candidate) is not None for act in actions)

    if region and fits("", account):
        return ARN_REGION_NOT_ALLOWED, f"`{service}` ARNs of this type have no Region; remove `{region}` from `{arn}`"
    if account and fits(region, ""):
        return (
            ARN_ACCOUNT_NOT_ALLOWED,
            f"`{service}` ARNs of this type have no account; remove `{account}` from `{arn}`",
        )
    return None


# Services renamed with both prefixes kept: AWS CodeStar Connections became AWS CodeConnections;
# actions under either prefix act on connections of either, whose ARNs keep the prefix they were
# created under (https://docs.aws.amazon.com/dtconsole/latest/userguide/rename.html).
_ARN_SERVICE_ALIASES = {"codestar-connections": "codeconnections", "codeconnections": "codestar-connections"}


def _match(act: catalog.Action, arn: str) -> catalog.ActionResourceType | None:
    """The resource type of the action the ARN is of, also under the other name of a renamed service."""
    found = catalog.match_resource_type(act, arn)
    parts = arn.split(":", 5)
    if found is None and len(parts) == 6 and parts[2] in _ARN_SERVICE_ALIASES:
        parts[2] = _ARN_SERVICE_ALIASES[parts[2]]
        found = catalog.match_resource_type(act, ":".join(parts))
    return found


def _missing_slot(arn: str, arn_format: str) -> tuple[IssueCode, str] | None:
    """An empty Region in an ARN whose resource type's format has a Region."""
    parts = arn.split(":", 5)
    slots = arn_format.split(":", 5)
    if len(slots) == 6 and not parts[3] and slots[3]:
        return MISSING_ARN_REGION, f"`{parts[2]}` ARNs of this type need a Region; `{arn}` has none"
    return None


def run(ctx: CheckContext) -> Iterator[Finding]:
    """Check each Resource ARN against the resource types of the statement's actions."""
    for statement in ctx.raw_statements:
        actions = statement_actions(statement)
        if not actions:
            continue
        takes_star_only = all(act.takes_any_resource for act in actions)
        for path, arn in element_strings(statement, "Resource"):
            if arn == "*" or "${" in arn or arn_problem(arn) is not None:
                continue
            matched = next(
                (m for act in actions if (m := _match(act, arn)) is not None),
                None,
            )
            if matched is not None:
                missing = _missing_slot(arn, matched.arn_format)
                if missing is not None:
                    yield ctx.finding(missing[0], missing[1], path)
                continue
            repaired = _repair(arn, actions)
            if repaired is not None:
                yield ctx.finding(repaired[0], repaired[1], path)
                continue
            if takes_star_only and ("*" in arn or "?" in arn):
                # Such actions are authorized on a resource of the service's own choosing
                # (`s3:ListAllMyBuckets` on `arn:aws:s3:::*` works); only a named ARN surely misses it.
                continue
            names = ", ".join(f"`{a.full_name}`" for a in actions[:3]) + (", …" if len(actions) > 3 else "")
            if takes_star_only:
                message = f'{names} support no resource-level permissions; use `"Resource": "*"` instead of `{arn}`'
            else:
                message = f"`{arn}` is of no resource type that {names} act on"
            yield ctx.finding(UNSUPPORTED_RESOURCE_ARN_IN_POLICY, message, path)
