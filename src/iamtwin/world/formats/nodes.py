"""Typed reading of AWS CLI JSON output, with errors that name the file and the JSON path.

A `Node` is one JSON object of an export. Keys the reader does not use are ignored, since AWS
adds response fields over time (`RoleLastUsed`, `CreateDate`, `AttachmentCount`, ...); keys it
uses are checked for their JSON type.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NoReturn

from ...errors import Location
from ..errors import WorldErrorCode
from ..fields import kind_of
from ..source import child_path, item_path
from .errors import ExportFileError


def fail(code: WorldErrorCode, message: str, file: str | None, path: str, cause_code: str | None = None) -> NoReturn:
    """Raise an ExportFileError at `path` of `file`."""
    raise ExportFileError(code, message, file=file, location=Location(path), cause_code=cause_code)


class Node:
    """One JSON object of an export file, read key by key with type checks."""

    __slots__ = ("data", "file", "path")

    def __init__(self, file: str | None, path: str, value: object) -> None:
        self.file = file
        self.path = path
        if not isinstance(value, Mapping):
            fail(WorldErrorCode.WRONG_TYPE, f"expected an object, found {kind_of(value)}", file, path)
        self.data: Mapping[Any, Any] = value

    def fail(self, code: WorldErrorCode, message: str, path: str | None = None) -> NoReturn:
        """Raise an ExportFileError at `path` (this object by default)."""
        fail(code, message, self.file, self.path if path is None else path)

    def at(self, key: str) -> str:
        """The path of `key` in this object."""
        return child_path(self.path, key)

    def raw(self, key: str, *, required: bool = False) -> Any:
        """The value of `key` unchecked; None when absent (an error if `required`)."""
        value = self.data.get(key)
        if value is None and required:
            self.fail(WorldErrorCode.MISSING_KEY, f"missing key `{key}`")
        return value

    def text(self, key: str, *, required: bool = False) -> str | None:
        """A string value."""
        value = self.raw(key, required=required)
        if value is not None and not isinstance(value, str):
            self.fail(WorldErrorCode.WRONG_TYPE, f"`{key}` must be a string, found {kind_of(value)}", self.at(key))
        return value

    def required_text(self, key: str) -> str:
        """A string value that must be present and not empty."""
        value = self.text(key, required=True)
        assert value is not None
        if not value:
            self.fail(WorldErrorCode.INVALID_VALUE, f"`{key}` must not be empty", self.at(key))
        return value

    def flag(self, key: str) -> bool | None:
        """A boolean value."""
        value = self.raw(key)
        if value is not None and not isinstance(value, bool):
            self.fail(WorldErrorCode.WRONG_TYPE, f"`{key}` must be true or false, found {kind_of(value)}", self.at(key))
        return value

    def whole_number(self, key: str) -> int | None:
        """An integer value."""
        value = self.raw(key)
        if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
            self.fail(
                WorldErrorCode.WRONG_TYPE, f"`{key}` must be a whole number, found {kind_of(value)}", self.at(key)
            )
        return value

    def child(self, key: str, *, required: bool = False) -> Node | None:
        """A nested object."""
        value = self.raw(key, required=required)
        return None if value is None else Node(self.file, self.at(key), value)

    def _list(self, key: str) -> list[Any]:
        value = self.raw(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.fail(WorldErrorCode.WRONG_TYPE, f"`{key}` must be a list, found {kind_of(value)}", self.at(key))
        return value

    def children(self, key: str) -> list[Node]:
        """A list of objects; absent means empty."""
        path = self.at(key)
        return [Node(self.file, item_path(path, i), item) for i, item in enumerate(self._list(key))]

    def strings(self, key: str) -> list[tuple[str, str]]:
        """A list of strings as (item path, string) pairs; absent means empty."""
        out = []
        path = self.at(key)
        for i, item in enumerate(self._list(key)):
            if not isinstance(item, str):
                self.fail(WorldErrorCode.WRONG_TYPE, f"expected a string, found {kind_of(item)}", item_path(path, i))
            out.append((item_path(path, i), item))
        return out

    def tags(self, key: str = "Tags") -> dict[str, str]:
        """AWS tags, a list of `{"Key": k, "Value": v}`, as a mapping; a key given twice is an error."""
        tags: dict[str, str] = {}
        for entry in self.children(key):
            name = entry.required_text("Key")
            value = entry.text("Value", required=True)
            assert value is not None
            if name in tags:
                entry.fail(WorldErrorCode.DUPLICATE_KEY, f"tag `{name}` is given twice", entry.at("Key"))
            tags[name] = value
        return tags


def load_json_file(path: Path) -> Any:
    """The JSON value in the file at `path`; a missing or malformed file is an ExportFileError."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        fail(WorldErrorCode.FILE_NOT_FOUND, f"cannot read `{path}`: {exc.strerror}", str(path), "")
    except UnicodeDecodeError:
        fail(WorldErrorCode.SYNTAX, "the file is not UTF-8 text", str(path), "")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ExportFileError(
            WorldErrorCode.SYNTAX,
            f"not valid JSON: {exc.msg}",
            file=str(path),
            location=Location("", exc.lineno, exc.colno),
        ) from None
    except RecursionError:
        fail(WorldErrorCode.SYNTAX, "the JSON nests too deeply", str(path), "")
