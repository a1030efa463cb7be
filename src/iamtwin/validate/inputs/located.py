"""Documents read with the (line, column) of every value, by JSON path.

JSON goes through the project's own reader (policy.source), which also reports keys written
twice; YAML goes through cfn-lint's template decoder, which understands CloudFormation's
short-form tags (`!Ref`, `!GetAtt`, `!Sub`) and marks every node with its position.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from ...errors import IamtwinError, Location
from ...policy.errors import PolicySyntaxError
from ...policy.source import child_path, item_path, read_json


@dataclass(frozen=True, slots=True)
class Located:
    """A document's value (plain dicts, lists and scalars) and the positions of its values."""

    value: object
    positions: Mapping[str, tuple[int, int]] = field(default_factory=dict)
    duplicate_keys: tuple[str, ...] = ()


class DocumentError(IamtwinError):
    """A document that cannot be read as JSON or YAML."""


def read_json_document(text: str) -> Located:
    """Read JSON text; raise DocumentError (code JSON_SYNTAX_ERROR) with line and column."""
    try:
        parsed = read_json(text)
    except PolicySyntaxError as err:
        problem = err.problems[0]
        raise DocumentError(problem.message, code="JSON_SYNTAX_ERROR", location=problem.location) from None
    duplicates = tuple(p.location.path for p in parsed.duplicates)
    return Located(parsed.value, parsed.positions, duplicates)


def read_yaml_document(text: str, filename: str) -> Located:
    """Read YAML (CloudFormation short forms allowed); raise DocumentError (TEMPLATE_SYNTAX_ERROR)."""
    from cfnlint.decode import decode_str  # type: ignore[import-untyped]

    try:
        node, matches = decode_str(text)
    except RecursionError:
        raise DocumentError("the document is nested too deeply", code="TEMPLATE_SYNTAX_ERROR") from None
    if matches or node is None:
        first = matches[0] if matches else None
        message = first.message if first is not None else "the document could not be read"
        location = Location("", first.linenumber, first.columnnumber) if first is not None else None
        raise DocumentError(f"{filename}: {message}", code="TEMPLATE_SYNTAX_ERROR", location=location)
    positions: dict[str, tuple[int, int]] = {}
    value = _plain(node, "", positions, 0)
    return Located(value, positions)


_MAX_DEPTH = 256


def _plain(node: object, path: str, positions: dict[str, tuple[int, int]], depth: int) -> object:
    """Copy cfn-lint's nodes into plain values, recording each node's start position."""
    if depth > _MAX_DEPTH:
        raise DocumentError("the document is nested too deeply", code="TEMPLATE_SYNTAX_ERROR")
    mark = getattr(node, "start_mark", None)
    if mark is not None:
        positions[path] = (mark.line + 1, mark.column + 1)
    if isinstance(node, Mapping):
        return {str(k): _plain(v, child_path(path, str(k)), positions, depth + 1) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v, item_path(path, i), positions, depth + 1) for i, v in enumerate(node)]
    if isinstance(node, str):
        return str(node)
    if isinstance(node, datetime | date):
        # YAML reads an unquoted `2012-10-17` as a date; CloudFormation keeps the text.
        return node.isoformat()
    if node is None or isinstance(node, bool | int | float):
        return node
    # Other YAML types (binary, sets) are not JSON values; their text stands for them.
    return str(node)


class PositionIndex:
    """The positions of a document, sorted by path so one subtree's are found without a full scan."""

    def __init__(self, positions: Mapping[str, tuple[int, int]]) -> None:
        self.positions = positions
        # Every path under a prefix sorts right after the prefix itself.
        self.paths = sorted(positions)

    def subtree(self, prefix: str) -> dict[str, tuple[int, int]]:
        """The positions under `prefix`, with paths relative to it (`prefix` itself becomes `""`)."""
        found: dict[str, tuple[int, int]] = {}
        for index in range(bisect_left(self.paths, prefix), len(self.paths)):
            path = self.paths[index]
            if not path.startswith(prefix):
                break
            position = self.positions[path]
            if path == prefix:
                found[""] = position
            elif path.startswith(prefix + "."):
                found[path[len(prefix) + 1 :]] = position
            elif path.startswith(prefix + "["):
                found[path[len(prefix) :]] = position
        return found
