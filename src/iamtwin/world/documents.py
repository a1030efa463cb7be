"""Check a policy document embedded in a world file and report its problems at the world path.

The policy grammar is checked by `iamtwin.policy.parse.parse_policy`; its PolicySyntaxError
becomes a WorldFileError whose path continues into the document
(`accounts[0].roles[2].trust_policy.Statement[0].Effect`), keeping the parser's code as
`cause_code`. Values YAML reads as dates or other non-JSON types must be quoted.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, datetime

from ..errors import Location
from ..policy.errors import PolicySyntaxError
from ..policy.parse import parse_policy
from .errors import WorldErrorCode, WorldFileError
from .fields import Fields, kind_of
from .model import Document
from .source import child_path, item_path


def read_document(fields: Fields, path: str, value: object) -> Document:
    """Validate the policy document `value` found at `path`; return it as written."""
    if isinstance(value, str):
        _check_text(fields, path, value)
    elif isinstance(value, Mapping):
        _check_json_values(fields, path, value)
    else:
        fields.fail(
            WorldErrorCode.WRONG_TYPE,
            f"a policy document must be a mapping or JSON text, found {kind_of(value)}",
            path,
        )
    try:
        parse_policy(value)
    except PolicySyntaxError as exc:
        raise _reframe(fields, path, value, exc) from None
    return value


def _check_text(fields: Fields, path: str, text: str) -> None:
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        fields.fail(
            WorldErrorCode.INVALID_POLICY_DOCUMENT,
            f"the policy document is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno} of the document)",
            path,
        )


def _check_json_values(fields: Fields, path: str, value: object) -> None:
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                fields.fail(WorldErrorCode.WRONG_TYPE, f"key `{key}` must be a string (quote it in YAML)", path)
            _check_json_values(fields, child_path(path, key), item)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_json_values(fields, item_path(path, index), item)
    elif isinstance(value, datetime | date):
        fields.fail(WorldErrorCode.WRONG_TYPE, "YAML read this value as a date; quote it", path)
    elif value is not None and not isinstance(value, str | int | float | bool):
        fields.fail(WorldErrorCode.WRONG_TYPE, f"unexpected {kind_of(value)} in a policy document", path)


def _reframe(fields: Fields, path: str, value: object, exc: PolicySyntaxError) -> WorldFileError:
    inner = exc.location.path if exc.location is not None else ""
    combined = child_path(path, inner) if inner and not inner.startswith("[") else path + inner
    message = exc.message
    if isinstance(value, str):
        # Lines inside JSON text count from the document's first line, not the file's.
        if exc.location is not None and exc.location.line is not None:
            message += f" (line {exc.location.line}, column {exc.location.column} of the document)"
        found = fields.source.locate(path)
        location = Location(combined, found.line, found.column)
    else:
        location = fields.source.locate(combined)
    return WorldFileError(WorldErrorCode.INVALID_POLICY_DOCUMENT, message, location=location, cause_code=exc.code)
