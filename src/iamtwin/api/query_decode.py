"""The form parameters of an AWS Query request read into the operation's input, as boto3 gave it.

The Query protocol flattens the input into dotted names
(https://docs.aws.amazon.com/IAM/latest/UserGuide/programming.html, and botocore's `QuerySerializer`,
which every SDK call to IAM and STS goes through):

- a structure's members are `Parent.Member` (the member's `locationName` where the model sets one);
- a list is `Name.member.N`, N from 1 (the member's `locationName` instead of `member` where set);
  a flattened list drops the `member` level and, with a member `locationName`, renames `Name`;
  an empty list is `Name=` with nothing after it;
- a map is `Name.entry.N.key` and `Name.entry.N.value` (`entry` dropped when flattened; `key` and
  `value` renamed by their `locationName`s).

Scalars are read by type. A value that cannot be read as its type is refused with `MalformedInput`,
the code AWS's Query services give input they cannot deserialize; then the whole input is checked
against the model's constraints (`query_validate`). Parameters the model does not define are
ignored, as AWS ignores them.
"""

from __future__ import annotations

import base64
import binascii
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from botocore.model import ListShape, MapShape, OperationModel, Shape, StructureShape

from ..errors import Location
from .query_errors import QueryErrorCode, QueryProtocolError
from .query_validate import constraint_violations, validation_message

# The protocol's own parameters, never members of an input.
PROTOCOL_PARAMETERS = frozenset({"Action", "Version"})

_INTEGER = re.compile(r"[+-]?[0-9]+")
_FLOAT = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_SPECIAL_FLOATS = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}
_INTEGER_BITS = {"byte": 8, "short": 16, "integer": 32, "long": 64}
_INDEX = re.compile(r"[1-9][0-9]*")


@dataclass(slots=True)
class _Node:
    """One dotted name segment of the form: its value if the name itself was sent, and what follows it."""

    value: str | None = None
    children: dict[str, _Node] = field(default_factory=dict)


def decode_query_request(operation: OperationModel, params: Mapping[str, str]) -> dict[str, Any]:
    """The operation's input from a Query request's form parameters, checked against the model's constraints."""
    shape = operation.input_shape
    if shape is None:
        return {}
    root = _Node()
    for key, value in params.items():
        if key in PROTOCOL_PARAMETERS:
            continue
        node = root
        for part in key.split("."):
            node = node.children.setdefault(part, _Node())
        node.value = value
    decoded = _structure(shape, root, "")
    violations = constraint_violations(shape, decoded)
    if violations:
        raise QueryProtocolError(
            QueryErrorCode.VALIDATION_ERROR, validation_message(violations), violations=tuple(violations)
        )
    return decoded


def _structure(shape: StructureShape, node: _Node, key: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, member in shape.members.items():
        wire = _wire_name(member, name)
        child = node.children.get(wire)
        if child is None and wire != name and member.type_name == "list":
            # botocore sends an empty flattened list under the member's own name, not the renamed one.
            child = node.children.get(name)
        if child is None:
            continue
        value = _value(member, child, f"{key}.{wire}" if key else wire)
        if value is not None:
            out[name] = value
    return out


def _value(shape: Shape, node: _Node, key: str) -> Any:
    kind = shape.type_name
    if kind == "structure":
        return _structure(shape, node, key) if node.children else None
    if kind == "list":
        return _list(shape, node, key)
    if kind == "map":
        return _map(shape, node, key)
    if node.value is None:
        return None
    return _scalar(shape, node.value, key)


def _list(shape: ListShape, node: _Node, key: str) -> list[Any] | None:
    member = shape.member
    if shape.serialization.get("flattened"):
        items, items_key = node, key
    else:
        name = member.serialization.get("name", "member")
        items, items_key = node.children.get(name, _Node()), f"{key}.{name}"
    out = [
        value
        for index, child in _indexed(items)
        if (value := _value(member, child, f"{items_key}.{index}")) is not None
    ]
    if out or node.value == "":
        return out
    if node.value is not None:
        raise _malformed(key, node.value, f"a list, sent as `{items_key}.N`")
    return None


def _map(shape: MapShape, node: _Node, key: str) -> dict[Any, Any] | None:
    entries = node if shape.serialization.get("flattened") else node.children.get("entry", _Node())
    key_name = shape.key.serialization.get("name", "key")
    value_name = shape.value.serialization.get("name", "value")
    out: dict[Any, Any] = {}
    for index, entry in _indexed(entries):
        entry_key = f"{key}.{index}" if shape.serialization.get("flattened") else f"{key}.entry.{index}"
        key_node = entry.children.get(key_name)
        value_node = entry.children.get(value_name)
        if key_node is None or value_node is None:
            continue
        map_key = _value(shape.key, key_node, f"{entry_key}.{key_name}")
        map_value = _value(shape.value, value_node, f"{entry_key}.{value_name}")
        if map_key is not None and map_value is not None:
            out[map_key] = map_value
    if out or node.value == "":
        return out
    return None


def _indexed(node: _Node) -> list[tuple[int, _Node]]:
    # Elements are ordered by their index, not by the order the parameters arrived in.
    return sorted(
        ((int(name), child) for name, child in node.children.items() if _INDEX.fullmatch(name)),
        key=lambda pair: pair[0],
    )


def _scalar(shape: Shape, text: str, key: str) -> Any:
    kind = shape.type_name
    if kind in _INTEGER_BITS:
        bits = _INTEGER_BITS[kind]
        if _INTEGER.fullmatch(text) is None:
            raise _malformed(key, text, "an integer")
        number = int(text)
        if not -(2 ** (bits - 1)) <= number < 2 ** (bits - 1):
            raise _malformed(key, text, f"a {bits}-bit integer")
        return number
    if kind == "boolean":
        if text.lower() not in ("true", "false"):
            raise _malformed(key, text, "`true` or `false`")
        return text.lower() == "true"
    if kind in ("float", "double"):
        if text in _SPECIAL_FLOATS:
            return _SPECIAL_FLOATS[text]
        if _FLOAT.fullmatch(text) is None:
            raise _malformed(key, text, "a number")
        return float(text)
    if kind == "timestamp":
        return _timestamp(text, key)
    if kind == "blob":
        try:
            return base64.b64decode(text, validate=True)
        except binascii.Error:
            raise _malformed(key, text, "base64") from None
    return text


def _timestamp(text: str, key: str) -> datetime:
    # Query requests carry ISO 8601 by default; epoch seconds are accepted as AWS accepts them.
    if _FLOAT.fullmatch(text) is not None:
        try:
            return datetime.fromtimestamp(float(text), tz=UTC)
        except (OverflowError, OSError, ValueError):
            raise _malformed(key, text, "a timestamp") from None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise _malformed(key, text, "an ISO 8601 timestamp") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _wire_name(member: Shape, name: str) -> str:
    if member.type_name == "list" and member.serialization.get("flattened"):
        element_name = member.member.serialization.get("name")
        if element_name:
            return str(element_name)
    return str(member.serialization.get("name", name))


def _malformed(key: str, text: str, expected: str) -> QueryProtocolError:
    return QueryProtocolError(
        QueryErrorCode.MALFORMED_INPUT,
        f"Invalid value '{text}' for parameter {key}: expected {expected}",
        location=Location(path=key),
    )
