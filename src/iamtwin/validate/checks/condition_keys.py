"""The shape of condition keys and of the values their operators compare as strings.

- A key is `prefix:name` (`aws:SourceIp`, `s3:prefix`, `token.actions.githubusercontent.com:sub`).
- `Bool` cannot compare one key with both `true` and `false`.
- `StringEquals`/`ArnEquals` treat `*` and `?` literally; a wildcard there was meant for `...Like`.
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ...policy.operators import split_operator
from ..check import condition_entries, condition_values
from ..context import CheckContext
from ..findings import Finding, FindingType, IssueCode
from ..source import is_unresolved

E, W = FindingType.ERROR, FindingType.WARNING
INVALID_CONDITION_KEY_FORMAT = IssueCode("INVALID_CONDITION_KEY_FORMAT", E, "Invalid condition key format")
INVALID_CONDITION_MULTIPLE_BOOLEAN = IssueCode(
    "INVALID_CONDITION_MULTIPLE_BOOLEAN", E, "Invalid condition multiple Boolean"
)
WILDCARD_WITHOUT_LIKE_OPERATOR = IssueCode("WILDCARD_WITHOUT_LIKE_OPERATOR", W, "Wildcard without like operator")

CODES = (INVALID_CONDITION_KEY_FORMAT, INVALID_CONDITION_MULTIPLE_BOOLEAN, WILDCARD_WITHOUT_LIKE_OPERATOR)

_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*:[^\s:][^\s]*$")
_EXACT = {
    "StringEquals",
    "StringNotEquals",
    "StringEqualsIgnoreCase",
    "StringNotEqualsIgnoreCase",
    "ArnEquals",
    "ArnNotEquals",
}


def run(ctx: CheckContext) -> Iterator[Finding]:
    """Check each condition key's format and its values against the operator's intent."""
    for statement in ctx.raw_statements:
        for operator, key, path, values in condition_entries(statement):
            split = split_operator(operator)
            if not is_unresolved(key) and not _KEY.match(key):
                message = f"condition key `{key}` is not of the form `service:keyname`"
                yield ctx.finding(INVALID_CONDITION_KEY_FORMAT, message, path)
            if split is None:
                continue
            base = split[1]
            texts = [(p, v) for p, v in condition_values(values, path) if isinstance(v, str | bool)]
            if base == "Bool":
                seen = {str(v).lower() for _, v in texts if str(v).lower() in ("true", "false")}
                if len(seen) == 2:
                    message = f"`{key}` cannot be compared with both `true` and `false`"
                    yield ctx.finding(INVALID_CONDITION_MULTIPLE_BOOLEAN, message, path)
            if base in _EXACT:
                for value_path, value in texts:
                    if isinstance(value, str) and not is_unresolved(value) and _has_wildcard(value):
                        like = base.replace("Equals", "Like").replace("IgnoreCase", "")
                        message = f"`{base}` compares `{value}` literally; use `{like}` for wildcards"
                        yield ctx.finding(WILDCARD_WITHOUT_LIKE_OPERATOR, message, value_path)


def _has_wildcard(value: str) -> bool:
    """A `*` or `?` outside the `${*}` and `${?}` specials."""
    stripped = value.replace("${*}", "").replace("${?}", "")
    return "*" in stripped or "?" in stripped
