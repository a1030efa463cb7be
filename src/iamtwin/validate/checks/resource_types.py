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
A `*` in a policy ARN matches any text, colons and the empty string included
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html#reference_policies_elements_resource_wildcards),
so `arn:aws:ec2:*:*:snapshot/*` fits snapshots, whose ARNs have no account, and
`task-definition/*` fits `task-definition/family:1`.
Statements with NotAction, with `*` as an action, or with unresolved values are not judged.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

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


def _missing_slot(arn: str, arn_format: str) -> tuple[IssueCode, str] | None:
    """An empty Region in an ARN whose resource type's format has a Region."""
    parts = arn.split(":", 5)
    slots = arn_format.split(":", 5)
    if len(slots) == 6 and not parts[3] and slots[3]:
        return MISSING_ARN_REGION, f"`{parts[2]}` ARNs of this type need a Region; `{arn}` has none"
    return None


def _slot_variants(arn: str) -> list[str]:
    """The ARN, and the ARN with a lone `*` Region or account emptied (a `*` also matches nothing)."""
    parts = arn.split(":", 5)
    variants = [arn]
    for slot in (3, 4):
        if parts[slot] == "*":
            for variant in list(variants):
                pieces = variant.split(":", 5)
                pieces[slot] = ""
                variants.append(":".join(pieces))
    return variants


def _literal_prefix(text: str, stops: str) -> str:
    """The text up to its first character in `stops`."""
    cut = min((i for i in (text.find(c) for c in stops) if i >= 0), default=len(text))
    return text[:cut]


def _wildcard_fits(arn: str, formats: list[str]) -> bool:
    """Whether a wildcard in the ARN's resource part can reach a format the exact match missed.

    The catalogue matches a `*` within one segment; IAM's `*` also spans `:` and `/`. A pattern
    fits a format of its service when their literal resource prefixes agree and the Region and
    account slots agree (present, absent, or a wildcard).
    """
    parts = arn.split(":", 5)
    if "*" not in parts[5] and "?" not in parts[5]:
        return False
    arn_prefix = _literal_prefix(parts[5], "*?")
    for arn_format in formats:
        slots = arn_format.split(":", 5)
        if len(slots) < 6 or slots[2] != parts[2]:
            continue
        slots_agree = all("*" in parts[i] or bool(parts[i]) == bool(slots[i]) for i in (3, 4))
        format_prefix = _literal_prefix(slots[5], "$")
        if slots_agree and (format_prefix.startswith(arn_prefix) or arn_prefix.startswith(format_prefix)):
            return True
    return False


@lru_cache(maxsize=4096)
def _loose_regex(arn_format: str) -> re.Pattern[str]:
    """A format's regex where each `${Var}` may hold any text, `/` and `:` included."""
    return re.compile("^" + re.sub(r"\\\$\\\{[^}]*\\\}", ".+", re.escape(arn_format)) + "$", re.IGNORECASE)


def _loosely_fits(arn: str, formats: list[str]) -> bool:
    """Whether the ARN fits a format when names may contain `/` and `:` (`servicesetting/ssm/opsdata/x`)."""
    return any(_loose_regex(f).match(variant) for variant in _slot_variants(arn) for f in formats)


def _formats(actions: tuple[catalog.Action, ...]) -> list[str]:
    """Every ARN format of the actions' resource types (some catalogue entries join several with `, `)."""
    found: dict[str, None] = {}
    for act in actions:
        for arn_format in catalog.arn_formats(act):
            found.update(dict.fromkeys(f.strip() for f in arn_format.split(", ")))
    return list(found)


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
                (
                    m
                    for variant in _slot_variants(arn)
                    for act in actions
                    if (m := catalog.match_resource_type(act, variant)) is not None
                ),
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
            formats = _formats(actions)
            if _loosely_fits(arn, formats) or _wildcard_fits(arn, formats):
                continue
            names = ", ".join(f"`{a.full_name}`" for a in actions[:3]) + (", …" if len(actions) > 3 else "")
            if takes_star_only:
                message = f'{names} support no resource-level permissions; use `"Resource": "*"` instead of `{arn}`'
            else:
                message = f"`{arn}` is of no resource type that {names} act on"
            yield ctx.finding(UNSUPPORTED_RESOURCE_ARN_IN_POLICY, message, path)
