"""Read a world file's text (YAML, or JSON) into plain values and remember where each value is.

PyYAML's safe loader builds the values; its node tree gives the line and column of every key and
list item, by path (`accounts[0].roles[2].trust_policy`). PyYAML keeps the last of two equal keys
silently, so the same walk reports a key written twice.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..errors import Location
from .errors import WorldErrorCode, WorldFileError

_MERGE_TAG = "tag:yaml.org,2002:merge"


@dataclass(frozen=True, slots=True)
class WorldSource:
    """The values of a world file and the (line, column) of each path, 1-based."""

    data: Any
    marks: Mapping[str, tuple[int, int]] = field(default_factory=dict)
    origin: str = "<text>"

    def locate(self, path: str) -> Location:
        """The location of `path`, with the line of the nearest enclosing value that has one."""
        probe = path
        while True:
            mark = self.marks.get(probe)
            if mark is not None:
                return Location(path, mark[0], mark[1])
            if not probe:
                return Location(path)
            probe = parent_path(probe)


def child_path(path: str, key: str) -> str:
    """The path of member `key` of the mapping at `path`."""
    return f"{path}.{key}" if path else key


def item_path(path: str, index: int) -> str:
    """The path of item `index` of the list at `path`."""
    return f"{path}[{index}]"


def parent_path(path: str) -> str:
    """The path one level up (`a.b[2]` → `a.b`, `a.b` → `a`, `a` → ``)."""
    cut = max(path.rfind("."), path.rfind("["))
    return path[:cut] if cut > 0 else ""


def read_world_text(source: str | Path) -> WorldSource:
    """Read a world file from a path, or from text (a str holding a newline or starting with `{`)."""
    if isinstance(source, Path) or ("\n" not in source and not source.lstrip().startswith("{")):
        path = Path(source)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise WorldFileError(
                WorldErrorCode.FILE_NOT_FOUND, f"cannot read world file `{path}`: {exc.strerror}"
            ) from None
        return parse_world_text(text, origin=str(path))
    return parse_world_text(source)


def parse_world_text(text: str, *, origin: str = "<text>") -> WorldSource:
    """Parse YAML or JSON text into a WorldSource; JSON is read with `json` for exact numbers."""
    if text.lstrip().startswith("{"):
        marks: dict[str, tuple[int, int]] = {}
        duplicates: list[tuple[str, tuple[int, int]]] = []
        try:
            node = yaml.compose(text, Loader=yaml.SafeLoader)
        except yaml.YAMLError:
            node = None  # valid JSON that PyYAML's YAML 1.1 reader refuses: no line numbers then
        if node is not None:
            _walk(node, "", marks, duplicates, set())
        _raise_duplicate(duplicates)
        return WorldSource(_load_json(text), marks, origin)
    try:
        loader = yaml.SafeLoader(text)
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        location = Location("", mark.line + 1, mark.column + 1) if mark is not None else None
        raise WorldFileError(
            WorldErrorCode.SYNTAX, f"not valid YAML: {exc.problem or exc.context}", location=location
        ) from None
    except yaml.YAMLError as exc:
        raise WorldFileError(WorldErrorCode.SYNTAX, f"not valid YAML: {exc}") from None
    marks = {}
    duplicates = []
    if node is not None:
        _walk(node, "", marks, duplicates, set())
    _raise_duplicate(duplicates)
    return WorldSource(data, marks, origin)


def _raise_duplicate(duplicates: list[tuple[str, tuple[int, int]]]) -> None:
    if duplicates:
        path, (line, column) = duplicates[0]
        key = path.rsplit(".", 1)[-1]
        raise WorldFileError(
            WorldErrorCode.DUPLICATE_KEY, f"key `{key}` is written twice", location=Location(path, line, column)
        )


def _load_json(text: str) -> Any:
    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in items:
            if key in out:
                raise WorldFileError(WorldErrorCode.DUPLICATE_KEY, f"key `{key}` is written twice")
            out[key] = value
        return out

    try:
        return json.loads(text, object_pairs_hook=pairs)
    except json.JSONDecodeError as exc:
        raise WorldFileError(
            WorldErrorCode.SYNTAX, f"not valid JSON: {exc.msg}", location=Location("", exc.lineno, exc.colno)
        ) from None


def _walk(
    node: yaml.Node,
    path: str,
    marks: dict[str, tuple[int, int]],
    duplicates: list[tuple[str, tuple[int, int]]],
    active: set[int],
) -> None:
    marks.setdefault(path, (node.start_mark.line + 1, node.start_mark.column + 1))
    if id(node) in active:  # a recursive alias: its values were walked already
        return
    active.add(id(node))
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG or not isinstance(key_node, yaml.ScalarNode):
                continue
            key = str(key_node.value)
            sub = child_path(path, key)
            where = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            if key in seen:
                duplicates.append((sub, where))
            seen.add(key)
            marks[sub] = where
            _walk(value_node, sub, marks, duplicates, active)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, item_path(path, index), marks, duplicates, active)
    active.discard(id(node))
