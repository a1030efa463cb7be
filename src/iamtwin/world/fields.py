"""Typed reading of one mapping of a world file, with errors that name the path and line."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, NoReturn

from .errors import WorldErrorCode, WorldFileError
from .source import WorldSource, child_path, item_path

_ACCOUNT_ID = re.compile(r"^\d{12}$")
# IAM names: letters, digits and `+=,.@_-` (the IAM API's pattern for user, role, group, policy names).
_IAM_NAME = re.compile(r"^[\w+=,.@-]{1,128}$", re.ASCII)
_IAM_PATH = re.compile(r"^/(?:[\x21-\x7e]*/)?$")

_KIND = {dict: "a mapping", list: "a list", str: "a string", int: "a whole number", bool: "true or false"}


def kind_of(value: object) -> str:
    """How a value's type is named in messages."""
    if value is None:
        return "nothing (null)"
    for python_type, name in _KIND.items():
        if type(value) is python_type:
            return name
    return "a number" if isinstance(value, float) else "a value"


class Fields:
    """The keys of one mapping at `path`, read with type checks; unknown keys are an error."""

    def __init__(self, source: WorldSource, path: str, value: object, allowed: frozenset[str]) -> None:
        self.source = source
        self.path = path
        if not isinstance(value, Mapping):
            self.fail(WorldErrorCode.WRONG_TYPE, f"expected a mapping, found {kind_of(value)}")
        self.data: Mapping[Any, Any] = value
        for key in value:
            if key not in allowed:
                expected = ", ".join(f"`{k}`" for k in sorted(allowed))
                self.fail(
                    WorldErrorCode.UNKNOWN_KEY,
                    f"unknown key `{key}`; expected one of {expected}",
                    child_path(path, str(key)),
                )

    def fail(self, code: WorldErrorCode, message: str, path: str | None = None) -> NoReturn:
        """Raise a WorldFileError at `path` (this mapping by default)."""
        where = self.path if path is None else path
        raise WorldFileError(code, message, location=self.source.locate(where))

    def at(self, key: str) -> str:
        """The path of `key` in this mapping."""
        return child_path(self.path, key)

    def has(self, key: str) -> bool:
        """True if `key` is present and not null."""
        return self.data.get(key) is not None

    def raw(self, key: str, *, required: bool = False) -> Any:
        """The value of `key` unchecked; None when absent (an error if `required`)."""
        value = self.data.get(key)
        if value is None and required:
            self.fail(WorldErrorCode.MISSING_KEY, f"missing key `{key}`")
        return value

    def text(self, key: str, *, required: bool = False, default: str | None = None) -> str | None:
        """A string value."""
        value = self.raw(key, required=required)
        if value is None:
            return default
        if not isinstance(value, str):
            self.fail(WorldErrorCode.WRONG_TYPE, f"`{key}` must be a string, found {kind_of(value)}", self.at(key))
        return value

    def required_text(self, key: str) -> str:
        """A string value that must be present."""
        value = self.text(key, required=True)
        assert value is not None
        return value

    def flag(self, key: str, default: bool = False) -> bool:
        """A boolean value."""
        value = self.raw(key)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.fail(
                WorldErrorCode.WRONG_TYPE,
                f"`{key}` must be true or false, found {kind_of(value)}",
                self.at(key),
            )
        return value

    def whole_number(self, key: str) -> int | None:
        """An integer value."""
        value = self.raw(key)
        if value is None:
            return None
        if not isinstance(value, int) or isinstance(value, bool):
            self.fail(
                WorldErrorCode.WRONG_TYPE,
                f"`{key}` must be a whole number, found {kind_of(value)}",
                self.at(key),
            )
        return value

    def items(self, key: str) -> list[tuple[str, Any]]:
        """A list value as (item path, item) pairs; absent means empty."""
        value = self.raw(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.fail(WorldErrorCode.WRONG_TYPE, f"`{key}` must be a list, found {kind_of(value)}", self.at(key))
        return [(item_path(self.at(key), i), item) for i, item in enumerate(value)]

    def names(self, key: str) -> list[tuple[str, str]]:
        """A list of strings as (item path, string) pairs."""
        out = []
        for path, item in self.items(key):
            if not isinstance(item, str):
                self.fail(WorldErrorCode.WRONG_TYPE, f"expected a string, found {kind_of(item)}", path)
            out.append((path, item))
        return out

    def entries(self, key: str) -> list[tuple[str, str, Any]]:
        """A mapping value as (entry path, key, value) triples; absent means empty."""
        value = self.raw(key)
        if value is None:
            return []
        if not isinstance(value, Mapping):
            self.fail(WorldErrorCode.WRONG_TYPE, f"`{key}` must be a mapping, found {kind_of(value)}", self.at(key))
        out = []
        for name, item in value.items():
            if not isinstance(name, str):
                self.fail(WorldErrorCode.WRONG_TYPE, f"key `{name}` must be a string", self.at(key))
            out.append((child_path(self.at(key), name), name, item))
        return out

    def tags(self, key: str = "tags") -> dict[str, str]:
        """A tag mapping of strings to strings (quote `true`, numbers and dates in YAML)."""
        tags: dict[str, str] = {}
        for path, name, value in self.entries(key):
            if not isinstance(value, str):
                self.fail(
                    WorldErrorCode.WRONG_TYPE,
                    f"tag `{name}` must have a string value, found {kind_of(value)} (quote it in YAML)",
                    path,
                )
            tags[name] = value
        return tags


def check_account_id(fields: Fields, value: object, path: str) -> str:
    """An account id: twelve digits, written as a string (a 12-digit YAML number is accepted)."""
    if isinstance(value, int) and not isinstance(value, bool) and 10**11 <= value < 10**12:
        value = str(value)
    if not isinstance(value, str) or not _ACCOUNT_ID.match(value):
        shown = value if isinstance(value, str | int) else kind_of(value)
        fields.fail(WorldErrorCode.INVALID_ACCOUNT_ID, f"`{shown}` is not a 12-digit account id", path)
    return value


def check_name(fields: Fields, name: str, path: str) -> str:
    """An IAM name (user, group, role, policy)."""
    if not _IAM_NAME.match(name):
        fields.fail(WorldErrorCode.INVALID_VALUE, f"`{name}` is not a valid IAM name", path)
    return name


def check_iam_path(fields: Fields, key: str = "path") -> str:
    """An IAM path: `/` or `/a/b/`; `/` when absent."""
    value = fields.text(key, default="/")
    assert value is not None
    if not _IAM_PATH.match(value):
        fields.fail(
            WorldErrorCode.INVALID_VALUE,
            f"`{value}` is not an IAM path (it must start and end with `/`)",
            fields.at(key),
        )
    return value
