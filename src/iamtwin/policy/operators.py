"""The names of the condition operators the policy grammar accepts."""

from __future__ import annotations

from .model import SetQualifier

BASE_OPERATORS: tuple[str, ...] = (
    "StringEquals",
    "StringNotEquals",
    "StringEqualsIgnoreCase",
    "StringNotEqualsIgnoreCase",
    "StringLike",
    "StringNotLike",
    "NumericEquals",
    "NumericNotEquals",
    "NumericLessThan",
    "NumericLessThanEquals",
    "NumericGreaterThan",
    "NumericGreaterThanEquals",
    "DateEquals",
    "DateNotEquals",
    "DateLessThan",
    "DateLessThanEquals",
    "DateGreaterThan",
    "DateGreaterThanEquals",
    "Bool",
    "BinaryEquals",
    "IpAddress",
    "NotIpAddress",
    "ArnEquals",
    "ArnLike",
    "ArnNotEquals",
    "ArnNotLike",
    "Null",
)

_BY_LOWER = {name.lower(): name for name in BASE_OPERATORS}
_QUALIFIERS = {q.value.lower(): q for q in SetQualifier}
_IF_EXISTS = "ifexists"


def split_operator(text: str) -> tuple[SetQualifier | None, str, bool] | None:
    """Split `ForAllValues:StringLikeIfExists` into (qualifier, base, if_exists); None if unknown.

    Operator names are matched without regard to case, as AWS accepts them.
    """
    qualifier: SetQualifier | None = None
    rest = text
    if ":" in text:
        prefix, rest = text.split(":", 1)
        found = _QUALIFIERS.get(prefix.lower())
        if found is None:
            return None
        qualifier = found
    lowered = rest.lower()
    if_exists = False
    if lowered.endswith(_IF_EXISTS) and lowered not in _BY_LOWER:
        if_exists = True
        lowered = lowered[: -len(_IF_EXISTS)]
    base = _BY_LOWER.get(lowered)
    if base is None:
        return None
    return qualifier, base, if_exists
