"""Policy variables written so that IAM cannot substitute them.

Variables (`${aws:username}`, `${aws:PrincipalTag/team, 'none'}`) are substituted only in the
Resource element and in condition values, only with Version 2012-10-17, and only by string
and ARN operators
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ...policy.operators import split_operator
from ..check import condition_entries, condition_values, element_strings
from ..context import CheckContext
from ..findings import Finding, FindingType, IssueCode

E = FindingType.ERROR
MISSING_BRACE_IN_VARIABLE = IssueCode("MISSING_BRACE_IN_VARIABLE", E, "Missing brace in variable")
MISSING_QUOTE_IN_VARIABLE = IssueCode("MISSING_QUOTE_IN_VARIABLE", E, "Missing quote in variable")
UNSUPPORTED_SPACE_IN_VARIABLE = IssueCode("UNSUPPORTED_SPACE_IN_VARIABLE", E, "Unsupported space in variable")
EMPTY_VARIABLE = IssueCode("EMPTY_VARIABLE", E, "Empty variable")
VARIABLE_UNSUPPORTED_IN_ELEMENT = IssueCode("VARIABLE_UNSUPPORTED_IN_ELEMENT", E, "Variable unsupported in element")
VARIABLE_UNSUPPORTED_IN_VERSION = IssueCode("VARIABLE_UNSUPPORTED_IN_VERSION", E, "Variable unsupported in version")
INVALID_VARIABLE_FOR_OPERATOR = IssueCode("INVALID_VARIABLE_FOR_OPERATOR", E, "Invalid variable for operator")

CODES = (
    MISSING_BRACE_IN_VARIABLE,
    MISSING_QUOTE_IN_VARIABLE,
    UNSUPPORTED_SPACE_IN_VARIABLE,
    EMPTY_VARIABLE,
    VARIABLE_UNSUPPORTED_IN_ELEMENT,
    VARIABLE_UNSUPPORTED_IN_VERSION,
    INVALID_VARIABLE_FOR_OPERATOR,
)

_SPECIALS = ("${*}", "${?}", "${$}")
_KEY = r"[A-Za-z0-9_:/.\-@+=,]+"
_DEFAULT_QUOTED = re.compile(rf"^{_KEY}\s*,\s*'[^']*'$")
_NO_VARIABLE_ELEMENTS = ("Action", "NotAction", "Sid", "Effect")


def variable_problem(text: str) -> tuple[IssueCode, str] | None:
    """The first malformed variable in a text, with a message; None when every variable is well formed."""
    start = text.find("${")
    while start >= 0:
        end = text.find("}", start + 2)
        if end < 0:
            return MISSING_BRACE_IN_VARIABLE, f"`{text}`: the variable starting at `${{` has no closing `}}`"
        body = text[start + 2 : end]
        if text[start : end + 1] not in _SPECIALS:
            if body.strip() == "":
                return EMPTY_VARIABLE, f"`{text}`: `${{}}` names no variable"
            if "," in body:
                if not _DEFAULT_QUOTED.match(body.strip()):
                    return MISSING_QUOTE_IN_VARIABLE, f"`{text}`: the default value must be in single quotes"
            elif " " in body:
                return UNSUPPORTED_SPACE_IN_VARIABLE, f"`{text}`: a variable name cannot contain spaces"
        start = text.find("${", end + 1)
    return None


def run(ctx: CheckContext) -> Iterator[Finding]:
    """Check where variables appear and how they are written."""
    version_ok = ctx.version == "2012-10-17"
    for statement in ctx.raw_statements:
        for element in _NO_VARIABLE_ELEMENTS:
            for path, text in element_strings(statement, element):
                if "${" in text:
                    yield ctx.finding(VARIABLE_UNSUPPORTED_IN_ELEMENT, f"`{element}` cannot use policy variables", path)
        for element in ("Resource", "NotResource"):
            for path, text in element_strings(statement, element):
                yield from _value(ctx, path, text, version_ok)
        for operator, _key, path, values in condition_entries(statement):
            split = split_operator(operator)
            for value_path, value in condition_values(values, path):
                if not isinstance(value, str) or "${" not in value:
                    continue
                yield from _value(ctx, value_path, value, version_ok)
                if split is not None and not split[1].startswith(("String", "Arn")):
                    message = f"`{split[1]}` cannot substitute policy variables; use a string or ARN operator"
                    yield ctx.finding(INVALID_VARIABLE_FOR_OPERATOR, message, value_path)


def _value(ctx: CheckContext, path: str, text: str, version_ok: bool) -> Iterator[Finding]:
    problem = variable_problem(text)
    if problem is not None:
        yield ctx.finding(problem[0], problem[1], path)
    elif not version_ok and "${" in text:
        message = f'`{text}`: variables are substituted only with `"Version": "2012-10-17"`'
        yield ctx.finding(VARIABLE_UNSUPPORTED_IN_VERSION, message, path)
