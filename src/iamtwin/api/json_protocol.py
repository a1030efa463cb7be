"""The AWS JSON 1.1 protocol (AWS Organizations' wire format), driven by botocore's service models.

The server calls, for each request::

    model = service_model("organizations")
    operation = find_json_operation(model, headers["x-amz-target"])   # AWSOrganizationsV20161128.ListRoots
    params = decode_json_request(operation, body, invalid_input="InvalidInputException")
    body = encode_json_response(operation, result)
    # or, on any refusal:
    body = encode_json_error(code, message, reason=...)

A request is one JSON object whose members are the input shape's; members the model lacks are
ignored, as AWS's JSON services ignore them. A value of the wrong JSON type, or a body that is not
a JSON object, is `SerializationException`; constraint failures (required, lengths, patterns,
enums, from `query_validate`) are one error whose `Reason` names the first kind of failure
(https://docs.aws.amazon.com/organizations/latest/APIReference/CommonErrors.html,
https://docs.aws.amazon.com/organizations/latest/APIReference/API_InvalidInputException.html).
Timestamps travel as epoch seconds and blobs as base64, both ways. An error is
`{"__type": code, "Message": …}` (plus `Reason` where the exception has one) with content type
`application/x-amz-json-1.1`; botocore's JSON parser reads the code from `__type`.

Hierarchy::

    IamtwinError
    └── JsonError   an AWS error answer of a JSON service: code (`__type`), message, reason, status
"""

from __future__ import annotations

import base64
import binascii
import json
import math
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from enum import Enum
from functools import cache
from typing import Any

from botocore.model import OperationModel, ServiceModel, Shape, StructureShape

from ..errors import IamtwinError, Location
from .query_validate import constraint_violations, validation_message

JSON_CONTENT_TYPE = "application/x-amz-json-1.1"
SERIALIZATION = "SerializationException"
UNKNOWN_OPERATION = "UnknownOperationException"
INTERNAL_FAILURE = "InternalFailure"
# JSON services name two SigV4 failures differently from the Query services (IAM, STS).
_AUTH_CODES = {
    "InvalidClientTokenId": "UnrecognizedClientException",
    "SignatureDoesNotMatch": "InvalidSignatureException",
}
_INTEGERS = frozenset({"integer", "long", "short", "byte"})
_FLOATS = frozenset({"float", "double"})
# The Reason AWS gives for each kind of failed constraint, keyed by the start of query_validate's wording.
_REASONS = (
    ("Member must not be null", "INPUT_REQUIRED"),
    ("Member must satisfy regular expression", "INVALID_PATTERN"),
    ("Member must have length greater", "MIN_LENGTH_EXCEEDED"),
    ("Member must have length less", "MAX_LENGTH_EXCEEDED"),
    ("Member must have value greater", "MIN_VALUE_EXCEEDED"),
    ("Member must have value less", "MAX_VALUE_EXCEEDED"),
    ("Member must satisfy enum", "INVALID_ENUM"),
)


class JsonError(IamtwinError):
    """An error a JSON 1.1 service answers with; `code` is its `__type`."""

    code = "JsonError"

    def __init__(
        self, code: str, message: str, *, reason: str | None = None, status: int = 400, location: Location | None = None
    ) -> None:
        super().__init__(message, code=code, location=location)
        self.reason = reason
        self.status = status


def find_json_operation(model: ServiceModel, target: str) -> OperationModel:
    """The operation an `X-Amz-Target` header names; `UnknownOperationException` for any other."""
    prefix, _, name = target.partition(".")
    if prefix != model.metadata.get("targetPrefix") or name not in model.operation_names:
        raise JsonError(UNKNOWN_OPERATION, f"operation `{target}` is not known")
    return _operation(model, name)


@cache
def _operation(model: ServiceModel, name: str) -> OperationModel:
    # botocore builds a new OperationModel on every call; one per operation is kept.
    return model.operation_model(name)


def decode_json_request(
    operation: OperationModel, body: bytes, *, invalid_input: str = "ValidationException"
) -> dict[str, Any]:
    """The request's parameters, typed by the input shape and checked against its constraints."""
    try:
        data = json.loads(body.decode("utf-8")) if body.strip() else {}
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise JsonError(SERIALIZATION, f"the request body is not JSON: {err}") from None
    if not isinstance(data, dict):
        raise JsonError(SERIALIZATION, "the request body is not a JSON object")
    shape = operation.input_shape
    if shape is None:
        return {}
    decoded = _read_structure(shape, data, "")
    violations = constraint_violations(shape, decoded)
    if violations:
        constraint = violations[0].rsplit("failed to satisfy constraint: ", 1)[-1]
        reason = next((r for start, r in _REASONS if constraint.startswith(start)), None)
        raise JsonError(invalid_input, validation_message(violations), reason=reason)
    return decoded


def _read_structure(shape: StructureShape, value: Any, path: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _unreadable(path, "an object")
    out: dict[str, Any] = {}
    for name, member in shape.members.items():
        item = value.get(name)
        if item is not None:  # null is the member left out
            out[name] = _read(member, item, f"{path}.{name}" if path else name)
    return out


def _read(shape: Shape, value: Any, path: str) -> Any:
    kind = shape.type_name
    if kind == "structure":
        return _read_structure(shape, value, path)
    if kind == "list":
        if not isinstance(value, list):
            raise _unreadable(path, "an array")
        return [_read(shape.member, item, f"{path}[{i}]") for i, item in enumerate(value)]
    if kind == "map":
        if not isinstance(value, dict):
            raise _unreadable(path, "an object")
        return {key: _read(shape.value, item, f"{path}.{key}") for key, item in value.items()}
    if kind == "boolean" and isinstance(value, bool):
        return value
    if isinstance(value, bool):
        raise _unreadable(path, f"a {kind}")
    if kind in _INTEGERS and isinstance(value, int):
        return value
    if kind in _FLOATS and isinstance(value, int | float):
        return float(value)
    if kind == "timestamp" and isinstance(value, int | float):
        try:
            return datetime.fromtimestamp(value, tz=UTC)
        except (OverflowError, OSError, ValueError):  # beyond the years a datetime holds
            raise _unreadable(path, "a timestamp within years 1–9999") from None
    if kind == "blob" and isinstance(value, str):
        try:
            return base64.b64decode(value, validate=True)
        except binascii.Error:
            raise _unreadable(path, "base64 text") from None
    if kind in ("string", "character") and isinstance(value, str):
        return value
    raise _unreadable(path, f"a {kind}")


def _unreadable(path: str, expected: str) -> JsonError:
    return JsonError(SERIALIZATION, f"`{path or 'body'}` must be {expected}", location=Location(path=path))


def encode_json_response(operation: OperationModel, result: Mapping[str, Any]) -> bytes:
    """The JSON body AWS sends for a successful call of `operation` returning `result`."""
    shape = operation.output_shape
    if shape is None:
        return b"{}"
    return json.dumps(_write_structure(shape, result, operation.name), separators=(",", ":")).encode("utf-8")


def encode_json_error(code: str, message: str, *, reason: str | None = None) -> bytes:
    """AWS's JSON error body: `__type`, `Message`, and `Reason` when the exception has one."""
    body: dict[str, str] = {"__type": code, "Message": message}
    if reason is not None:
        body["Reason"] = reason
    return json.dumps(body).encode("utf-8")


def json_auth_error_code(code: str) -> str:
    """The code a JSON service answers a SigV4 failure with, given the Query services' code."""
    return _AUTH_CODES.get(code, code)


def _write_structure(shape: StructureShape, value: Any, path: str) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise _unwritable(path, "a structure")
    # A key the model lacks would vanish from the answer unseen: a handler's slip, shown at once.
    unknown = sorted(str(key) for key in value if key not in shape.members)
    if unknown:
        raise JsonError(
            INTERNAL_FAILURE,
            f"result `{path}` has members the model does not define: `{'`, `'.join(unknown)}`",
            status=500,
        )
    return {
        name: _write(member, value[name], f"{path}.{name}")
        for name, member in shape.members.items()
        if value.get(name) is not None
    }


def _write(shape: Shape, value: Any, path: str) -> Any:
    kind = shape.type_name
    if isinstance(value, Enum):
        value = value.value
    if kind == "structure":
        return _write_structure(shape, value, path)
    if kind == "list":
        if isinstance(value, str | bytes) or not isinstance(value, Sequence):
            raise _unwritable(path, "a list")
        return [_write(shape.member, item, f"{path}[{i}]") for i, item in enumerate(value)]
    if kind == "map":
        if not isinstance(value, Mapping):
            raise _unwritable(path, "a map")
        return {str(key): _write(shape.value, item, f"{path}.{key}") for key, item in value.items()}
    if kind == "boolean" and isinstance(value, bool):
        return value
    if isinstance(value, bool):
        raise _unwritable(path, f"a {kind}")
    if kind in _INTEGERS and isinstance(value, int):
        return value
    if kind in _FLOATS and isinstance(value, int | float) and math.isfinite(value):
        return value
    if kind == "timestamp" and isinstance(value, datetime):
        return _epoch(value)
    if kind == "blob" and isinstance(value, bytes | str):
        return base64.b64encode(value.encode("utf-8") if isinstance(value, str) else value).decode("ascii")
    if kind in ("string", "character") and isinstance(value, str):
        return value
    raise _unwritable(path, f"a {kind}")


def _epoch(moment: datetime) -> int | float:
    # A naive datetime is taken as UTC; whole seconds stay integers, as AWS writes them.
    utc = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
    seconds = utc.timestamp()
    return int(seconds) if seconds == int(seconds) else round(seconds, 3)


def _unwritable(path: str, expected: str) -> JsonError:
    return JsonError(INTERNAL_FAILURE, f"result member `{path}` is not {expected}", status=500)
