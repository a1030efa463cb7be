"""Actions, resources and statements that add nothing because something else already covers them.

An action or resource is redundant when another entry of the same element matches it (a
wildcard covering a named entry, or the same entry twice); a statement is redundant when an
earlier one has the same effect, principals, actions, resources and conditions, whatever its Sid
(https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping

from ...policy.arn import arn_matches
from ...policy.patterns import compile_glob, has_wildcard
from ..check import element_strings
from ..context import CheckContext
from ..findings import Finding, FindingType, IssueCode

S = FindingType.SUGGESTION
REDUNDANT_ACTION = IssueCode("REDUNDANT_ACTION", S, "Redundant action")
REDUNDANT_RESOURCE = IssueCode("REDUNDANT_RESOURCE", S, "Redundant resource")
REDUNDANT_STATEMENT = IssueCode("REDUNDANT_STATEMENT", S, "Redundant statement")

CODES = (REDUNDANT_ACTION, REDUNDANT_RESOURCE, REDUNDANT_STATEMENT)


def _covered(
    entries: list[tuple[str, str]], ignore_case: bool, matches: Callable[[str, str], bool]
) -> Iterator[tuple[str, str, str]]:
    """(path, entry, covering entry) for each entry another entry covers.

    A named entry is covered by a pattern that matches it; a pattern only by the same pattern
    written earlier (comparing two patterns needs more than matching text).
    """
    first: dict[str, str] = {}
    patterns = [entry for _path, entry in entries if has_wildcard(entry)]
    for path, entry in entries:
        folded = entry.lower() if ignore_case else entry
        if folded in first:
            yield path, entry, first[folded]
            continue
        first[folded] = entry
        if has_wildcard(entry):
            continue
        cover = next((p for p in patterns if matches(p, entry)), None)
        if cover is not None:
            yield path, entry, cover


def _action_matches(pattern: str, action: str) -> bool:
    """Actions match without regard to case, `*` and `?` spanning any characters."""
    return compile_glob(pattern, True).fullmatch(action) is not None


def _canonical(statement: Mapping[str, object]) -> str:
    """The statement without its Sid, with element arrays sorted, as comparable text."""
    normal: dict[str, object] = {}
    for name, value in statement.items():
        if name == "Sid":
            continue
        if isinstance(value, list):
            normal[name] = sorted(json.dumps(v, sort_keys=True) for v in value)
        else:
            normal[name] = value
    return json.dumps(normal, sort_keys=True, default=str)


def run(ctx: CheckContext) -> Iterator[Finding]:
    """Report redundant actions, resources and whole statements."""
    statements: dict[str, str] = {}
    for statement in ctx.raw_statements:
        for element in ("Action", "NotAction"):
            entries = list(element_strings(statement, element))
            for path, entry, other in _covered(entries, True, _action_matches):
                yield ctx.finding(REDUNDANT_ACTION, f"`{entry}` is already covered by `{other}`", path)
        for element in ("Resource", "NotResource"):
            entries = list(element_strings(statement, element))
            for path, entry, other in _covered(entries, False, arn_matches):
                yield ctx.finding(REDUNDANT_RESOURCE, f"`{entry}` is already covered by `{other}`", path)
        key = _canonical(statement.value)
        if key in statements:
            message = f"the statement grants exactly what `{statements[key]}` grants"
            yield ctx.finding(REDUNDANT_STATEMENT, message, statement.path)
        else:
            statements[key] = statement.path
