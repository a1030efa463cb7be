"""Actions checked against the service catalogue: the service must exist and so must the action.

An action is `service:action` where the service prefix and the action name are those of the
Service Authorization Reference
(https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html);
IAM ignores case in both. A name that matches no action grants or denies nothing, so Access
Analyzer reports it as an error, suggesting the closest real name
(https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html).
A wildcard pattern that matches no action (`s3:Gett*`) is just as dead.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from ... import catalog
from ..check import element_strings
from ..context import CheckContext
from ..findings import Finding, FindingType, IssueCode
from .action_format import ACTION_SHAPE
from .expansion import expand

E = FindingType.ERROR
INVALID_ACTION = IssueCode("INVALID_ACTION", E, "Invalid action")
INVALID_SERVICE = IssueCode("INVALID_SERVICE", E, "Invalid service")

CODES = (INVALID_ACTION, INVALID_SERVICE)


def closest(word: str, choices: list[str]) -> str | None:
    """The choice closest to `word` ignoring case (difflib's ratio), or None when none is close."""
    lowered = {choice.lower(): choice for choice in choices}
    found = difflib.get_close_matches(word.lower(), list(lowered), n=1, cutoff=0.75)
    return lowered[found[0]] if found else None


def action_problem(text: str) -> tuple[IssueCode, str] | None:
    """The catalogue's objection to one Action entry, or None when it names real actions."""
    service, _colon, name = text.partition(":")
    # A malformed entry is the format check's finding; a wildcard service prefix is not judged.
    if text == "*" or not ACTION_SHAPE.match(text) or "*" in service or "?" in service:
        return None
    if catalog.service(service) is None:
        guess = closest(service, sorted(catalog.service_prefixes()))
        hint = f"; did you mean `{guess}`?" if guess else ""
        return INVALID_SERVICE, f"the service prefix `{service}` in `{text}` does not exist{hint}"
    if "*" in name or "?" in name:
        if not expand(text):
            return INVALID_ACTION, f"`{text}` matches no action of the service `{service}`"
        return None
    if catalog.action(service, name) is None:
        names = [a.name for a in catalog.actions(service)]
        guess = closest(name, names)
        hint = f"; did you mean `{service}:{guess}`?" if guess else ""
        return INVALID_ACTION, f"the action `{text}` does not exist{hint}"
    return None


def run(ctx: CheckContext) -> Iterator[Finding]:
    """Report each Action or NotAction entry that names no real service or action."""
    for statement in ctx.raw_statements:
        for element in ("Action", "NotAction"):
            for path, text in element_strings(statement, element):
                problem = action_problem(text)
                if problem is not None:
                    yield ctx.finding(problem[0], problem[1], path)
