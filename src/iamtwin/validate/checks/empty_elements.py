"""Empty arrays and objects: an element written but holding nothing.

Access Analyzer suggests removing them
(https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html):
a statement with no actions or no resources does nothing, an empty Principal names nobody,
an empty Condition block or operator block tests nothing.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from ...policy.source import child_path
from ..context import CheckContext
from ..findings import Finding, FindingType, IssueCode

S = FindingType.SUGGESTION
EMPTY_ARRAY_ACTION = IssueCode("EMPTY_ARRAY_ACTION", S, "Empty array action")
EMPTY_ARRAY_RESOURCE = IssueCode("EMPTY_ARRAY_RESOURCE", S, "Empty array resource")
EMPTY_ARRAY_PRINCIPAL = IssueCode("EMPTY_ARRAY_PRINCIPAL", S, "Empty array principal")
EMPTY_OBJECT_PRINCIPAL = IssueCode("EMPTY_OBJECT_PRINCIPAL", S, "Empty object principal")
EMPTY_OBJECT_CONDITION = IssueCode("EMPTY_OBJECT_CONDITION", S, "Empty object condition")

CODES = (
    EMPTY_ARRAY_ACTION,
    EMPTY_ARRAY_RESOURCE,
    EMPTY_ARRAY_PRINCIPAL,
    EMPTY_OBJECT_PRINCIPAL,
    EMPTY_OBJECT_CONDITION,
)

_ARRAYS = (
    ("Action", EMPTY_ARRAY_ACTION),
    ("NotAction", EMPTY_ARRAY_ACTION),
    ("Resource", EMPTY_ARRAY_RESOURCE),
    ("NotResource", EMPTY_ARRAY_RESOURCE),
)


def run(ctx: CheckContext) -> Iterator[Finding]:
    """Report each empty array or object in a statement."""
    for statement in ctx.raw_statements:
        value = statement.value
        for element, issue in _ARRAYS:
            if value.get(element) == []:
                yield ctx.finding(issue, f"`{element}` is an empty array", child_path(statement.path, element))
        for element in ("Principal", "NotPrincipal"):
            block = value.get(element)
            path = child_path(statement.path, element)
            if isinstance(block, Mapping):
                if not block:
                    yield ctx.finding(EMPTY_OBJECT_PRINCIPAL, f"`{element}` is an empty object", path)
                for kind, ids in block.items():
                    if ids == []:
                        message = f"`{element}.{kind}` is an empty array"
                        yield ctx.finding(EMPTY_ARRAY_PRINCIPAL, message, child_path(path, str(kind)))
        condition = value.get("Condition")
        path = child_path(statement.path, "Condition")
        if isinstance(condition, Mapping):
            if not condition:
                yield ctx.finding(EMPTY_OBJECT_CONDITION, "`Condition` is an empty object", path)
            for operator, keys in condition.items():
                if isinstance(keys, Mapping) and not keys:
                    message = f"condition operator `{operator}` has no keys"
                    yield ctx.finding(EMPTY_OBJECT_CONDITION, message, child_path(path, str(operator)))
