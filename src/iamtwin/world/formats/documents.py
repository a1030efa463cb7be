"""Policy documents inside AWS exports: JSON objects, JSON text, or URL-encoded JSON text.

The AWS CLI prints the documents of `get-account-authorization-details` as JSON objects; the raw
API (and SDKs that do not decode) gives them URL-encoded per RFC 3986 (`%7B%22Version%22...`);
Organizations' `describe-policy` gives JSON text. Every form becomes a mapping, checked with
`iamtwin.policy.parse.parse_policy`; a bad document is an INVALID_POLICY_DOCUMENT error whose path
continues into the document (`RoleDetailList[3].AssumeRolePolicyDocument.Statement[0].Effect`)
and whose `cause_code` is the parser's code.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote

from ...errors import Location
from ...policy.errors import PolicySyntaxError
from ...policy.parse import parse_policy
from ..errors import WorldErrorCode
from ..fields import kind_of
from ..source import child_path
from .errors import ExportFileError
from .nodes import fail


class _NotPlainJson(Exception):
    """JSON that `json` reads but the policy grammar does not accept as is (a repeated key, NaN)."""


def _pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(items)
    if len(out) != len(items):
        raise _NotPlainJson
    return out


def _constant(name: str) -> Any:
    raise _NotPlainJson


def plain(value: Any) -> Any:
    """A JSON-ready copy: mappings become dicts, lists and tuples lists."""
    if isinstance(value, Mapping):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    return value


def decode_document(file: str | None, path: str, value: object) -> Mapping[str, Any]:
    """The policy document found at `path`, as a mapping, after checking its grammar."""
    if isinstance(value, Mapping):
        try:
            parse_policy(value)
        except PolicySyntaxError as exc:
            raise _reframe(file, path, exc, from_text=False) from None
        return value
    if not isinstance(value, str):
        fail(
            WorldErrorCode.WRONG_TYPE,
            f"a policy document must be an object or JSON text, found {kind_of(value)}",
            file,
            path,
        )
    # JSON text starts with `{`; URL-encoded JSON starts with `%7B`. Decoding plain JSON again
    # would corrupt a literal `%` in a condition value.
    text = value if value.lstrip().startswith("{") else unquote(value)
    try:
        document = json.loads(text, object_pairs_hook=_pairs, parse_constant=_constant)
        if not isinstance(document, dict):
            raise _NotPlainJson
        # Checking the mapping is several times faster than the positional text reader, which
        # is only needed to say where a problem is.
        parse_policy(document)
    except (ValueError, _NotPlainJson, PolicySyntaxError, RecursionError):
        try:
            parse_policy(text)
        except PolicySyntaxError as exc:
            raise _reframe(file, path, exc, from_text=True) from None
        fail(WorldErrorCode.INVALID_POLICY_DOCUMENT, "the policy document is not valid JSON", file, path)
    return document


def _reframe(file: str | None, path: str, exc: PolicySyntaxError, *, from_text: bool) -> ExportFileError:
    inner = exc.location.path if exc.location is not None else ""
    combined = child_path(path, inner) if inner and not inner.startswith("[") else path + inner
    message = exc.message
    if from_text and exc.location is not None and exc.location.line is not None:
        message += f" (line {exc.location.line}, column {exc.location.column} of the document)"
    return ExportFileError(
        WorldErrorCode.INVALID_POLICY_DOCUMENT, message, file=file, location=Location(combined), cause_code=exc.code
    )
