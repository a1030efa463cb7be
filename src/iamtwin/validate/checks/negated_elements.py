"""Allow statements written with NotPrincipal, NotAction or NotResource.

An Allow with NotPrincipal grants access to every principal but the listed ones, anonymous
users included (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html);
an Allow with NotAction or NotResource grants everything not listed, including actions and
resources AWS adds later
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notresource.html).
"""

from __future__ import annotations

from collections.abc import Iterator

from ...policy.source import child_path
from ..context import CheckContext
from ..findings import Finding, FindingType, IssueCode, iamtwin_code

SW = FindingType.SECURITY_WARNING
ALLOW_WITH_NOT_PRINCIPAL = IssueCode("ALLOW_WITH_NOT_PRINCIPAL", SW, "Allow with NotPrincipal")
ALLOW_WITH_NOT_ACTION = iamtwin_code(
    "ALLOW_WITH_NOT_ACTION",
    SW,
    "Allow with NotAction",
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html",
)
ALLOW_WITH_NOT_RESOURCE = iamtwin_code(
    "ALLOW_WITH_NOT_RESOURCE",
    SW,
    "Allow with NotResource",
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notresource.html",
)

CODES = (ALLOW_WITH_NOT_PRINCIPAL, ALLOW_WITH_NOT_ACTION, ALLOW_WITH_NOT_RESOURCE)

_ELEMENTS = (
    ("NotPrincipal", ALLOW_WITH_NOT_PRINCIPAL, "every principal except those listed, anonymous users included"),
    ("NotAction", ALLOW_WITH_NOT_ACTION, "every action except those listed, including actions added later"),
    ("NotResource", ALLOW_WITH_NOT_RESOURCE, "every resource except those listed"),
)


def run(ctx: CheckContext) -> Iterator[Finding]:
    """Report every Allow statement that grants by exclusion."""
    for statement in ctx.raw_statements:
        if statement.value.get("Effect") != "Allow":
            continue
        for element, issue, what in _ELEMENTS:
            if element in statement.value:
                yield ctx.finding(issue, f"`Allow` with `{element}` grants {what}", child_path(statement.path, element))
