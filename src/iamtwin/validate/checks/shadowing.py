"""Statements that can never take effect because another statement of the policy covers them.

An explicit Deny overrides any Allow
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html), so an
Allow whose every action and resource an unconditional Deny of the same policy also names grants
nothing (ALLOW_SHADOWED_BY_DENY). An Allow whose actions and resources an unconditional Allow of
the same policy already grants adds nothing (STATEMENT_SUBSUMED_BY_ALLOW). Coverage is decided
soundly: actions by expanding both sides through the service catalogue, resources by matching a
named ARN against a pattern or by one pattern being a prefix-wildcard of the other. Statements with
NotAction, NotResource, NotPrincipal or unresolved values are not compared.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from ...policy.arn import arn_matches
from ...policy.patterns import has_wildcard
from ..check import element_strings
from ..context import CheckContext, RawStatement
from ..findings import Finding, FindingType, iamtwin_code
from .expansion import expanded_names

EVALUATION_PAGE = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html"
ALLOW_SHADOWED_BY_DENY = iamtwin_code(
    "ALLOW_SHADOWED_BY_DENY", FindingType.WARNING, "Allow shadowed by Deny", EVALUATION_PAGE
)
STATEMENT_SUBSUMED_BY_ALLOW = iamtwin_code(
    "STATEMENT_SUBSUMED_BY_ALLOW", FindingType.SUGGESTION, "Statement subsumed by Allow", EVALUATION_PAGE
)
CODES = (ALLOW_SHADOWED_BY_DENY, STATEMENT_SUBSUMED_BY_ALLOW)

_NEGATED = ("NotAction", "NotResource", "NotPrincipal")


def _entries(statement: RawStatement, element: str) -> list[str] | None:
    """Every entry of an element, or None when one is unresolved or not a string."""
    value = statement.value.get(element)
    written = 1 if isinstance(value, str) else len(value) if isinstance(value, list) else -1
    entries = [text for _path, text in element_strings(statement, element)]
    return entries if len(entries) == written else None


def _actions_covered(inner: list[str], outer: list[str]) -> bool:
    if "*" in outer:
        return True
    if any(entry.split(":", 1)[0] in ("*", "") for entry in inner):
        return False
    covered = frozenset().union(*(expanded_names(pattern) for pattern in outer))
    return all(expanded_names(pattern) and expanded_names(pattern) <= covered for pattern in inner)


def _resource_covered(inner: str, outer: str) -> bool:
    if outer == "*" or inner == outer:
        return True
    if not has_wildcard(inner):
        return arn_matches(outer, inner)
    # A pattern covers another when it is a prefix followed by `*` that the other begins with.
    return outer.endswith("*") and not has_wildcard(outer[:-1]) and inner.startswith(outer[:-1])


def _resources_covered(inner: list[str], outer: list[str]) -> bool:
    return all(any(_resource_covered(i, o) for o in outer) for i in inner)


def _comparable(statement: RawStatement) -> tuple[list[str], list[str]] | None:
    value = statement.value
    if any(name in value for name in _NEGATED):
        return None
    actions = _entries(statement, "Action")
    resources = _entries(statement, "Resource") if "Resource" in value else ["*"]
    if not actions or not resources:
        return None
    return actions, resources


def _name(statement: RawStatement) -> str:
    sid = statement.value.get("Sid")
    return f"`{sid}`" if isinstance(sid, str) and sid else f"`{statement.path}`"


def _same_principals(a: Mapping[str, object], b: Mapping[str, object]) -> bool:
    return a.get("Principal") == b.get("Principal")


def run(ctx: CheckContext) -> Iterator[Finding]:
    """Report Allow statements that an unconditional Deny overrides or an unconditional Allow contains."""
    statements = [(s, _comparable(s)) for s in ctx.raw_statements]
    for statement, parts in statements:
        if statement.value.get("Effect") != "Allow" or parts is None:
            continue
        for other, other_parts in statements:
            if other is statement or other_parts is None or "Condition" in other.value:
                continue
            deny = other.value.get("Effect") == "Deny"
            principal_ok = _same_principals(statement.value, other.value) or (
                deny and other.value.get("Principal") in (None, "*")
            )
            if not principal_ok or other.value == statement.value:
                continue
            if not (_resources_covered(parts[1], other_parts[1]) and _actions_covered(parts[0], other_parts[0])):
                continue
            if deny:
                message = f"the unconditional Deny {_name(other)} denies everything this statement allows"
                yield ctx.finding(ALLOW_SHADOWED_BY_DENY, message, statement.path)
                break
            if other.value.get("Effect") == "Allow" and not _mutual(parts, other_parts):
                message = f"the unconditional Allow {_name(other)} already grants everything this statement allows"
                yield ctx.finding(STATEMENT_SUBSUMED_BY_ALLOW, message, statement.path)
                break


def _mutual(parts: tuple[list[str], list[str]], other: tuple[list[str], list[str]]) -> bool:
    """Two statements covering each other are equal in effect; REDUNDANT_STATEMENT speaks for the later one."""
    return _actions_covered(other[0], parts[0]) and _resources_covered(other[1], parts[1])
