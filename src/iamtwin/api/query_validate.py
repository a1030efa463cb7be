"""A decoded request checked against its model's constraints, reported in AWS's words.

AWS's Query services report every failed constraint of a request in one `ValidationError`
(https://docs.aws.amazon.com/IAM/latest/APIReference/CommonErrors.html):

    2 validation errors detected: Value 'x…' at 'roleName' failed to satisfy constraint: Member must
    have length less than or equal to 64; Value null at 'assumeRolePolicyDocument' failed to satisfy
    constraint: Member must not be null

A member's path is its name with a lower-case first letter (`sAMLMetadataDocument`), joined with
dots; list elements are `name.N.member` (1-based), as in `tags.1.member.key`. Members are checked in
the model's order; for one value the pattern comes before the length, as AWS lists them. Values of
members the model marks sensitive are left out (`Value at 'webIdentityToken' …`).
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from botocore.model import Shape, StructureShape

from .java_regex import compile_java_pattern

_NUMBERS = frozenset({"integer", "long", "short", "byte", "float", "double", "bigInteger", "bigDecimal"})


def constraint_violations(shape: StructureShape, value: Mapping[str, Any]) -> list[str]:
    """Each constraint `value` breaks, as AWS words it, in the order AWS lists them."""
    out: list[str] = []
    _check_structure(shape, value, "", out)
    return out


def validation_message(violations: Sequence[str]) -> str:
    """AWS's `ValidationError` message for these violations."""
    count = len(violations)
    noun = "error" if count == 1 else "errors"
    return f"{count} validation {noun} detected: " + "; ".join(violations)


def _check_structure(shape: StructureShape, value: Mapping[str, Any], path: str, out: list[str]) -> None:
    required = set(shape.required_members)
    for name, member in shape.members.items():
        member_path = f"{path}.{_lower_first(name)}" if path else _lower_first(name)
        item = value.get(name)
        if item is None:
            if name in required:
                out.append(_violation(None, member_path, member, "Member must not be null"))
            continue
        _check(member, item, member_path, out)


def _check(shape: Shape, value: Any, path: str, out: list[str]) -> None:
    out.extend(_violation(value, path, shape, constraint) for constraint in _constraints(shape, value))
    kind = shape.type_name
    if kind == "structure":
        _check_structure(shape, value, path, out)
    elif kind == "list":
        for index, item in enumerate(value, 1):
            _check(shape.member, item, f"{path}.{index}.member", out)
    elif kind == "map":
        for index, (key, item) in enumerate(value.items(), 1):
            _check(shape.key, key, f"{path}.{index}.key", out)
            _check(shape.value, item, f"{path}.{index}.value", out)


def _constraints(shape: Shape, value: Any) -> list[str]:
    metadata = shape.metadata
    kind = shape.type_name
    found: list[str] = []
    if kind == "string":
        pattern = metadata.get("pattern")
        if pattern is not None and compile_java_pattern(pattern).fullmatch(value) is None:
            found.append(f"Member must satisfy regular expression pattern: {pattern}")
    if kind in ("string", "list", "map", "blob"):
        measure, size = "length", len(value)
    elif kind in _NUMBERS:
        measure, size = "value", value
    else:
        return found
    if "min" in metadata and size < metadata["min"]:
        found.append(f"Member must have {measure} greater than or equal to {metadata['min']}")
    if "max" in metadata and size > metadata["max"]:
        found.append(f"Member must have {measure} less than or equal to {metadata['max']}")
    enum = metadata.get("enum")
    if kind == "string" and enum and value not in enum:
        found.append(f"Member must satisfy enum value set: [{', '.join(enum)}]")
    return found


def _violation(value: Any, path: str, shape: Shape, constraint: str) -> str:
    if value is None:
        shown = "Value null"
    elif shape.metadata.get("sensitive"):
        shown = "Value"
    else:
        shown = f"Value '{_render(value)}'"
    return f"{shown} at '{path}' failed to satisfy constraint: {constraint}"


def _render(value: Any) -> str:
    # Lists print as Java prints them, `[a, b]`; structures as `{Key: a, Value: b}`.
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{key}: {_render(item)}" for key, item in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_render(item) for item in value) + "]"
    return str(value)


def _lower_first(name: str) -> str:
    return name[:1].lower() + name[1:]
