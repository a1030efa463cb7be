"""The XML documents an AWS Query service answers with: an operation's result, and an error.

A result (the shapes of https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetRole.html and
the other operations' "Response Elements")::

    <GetRoleResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
      <GetRoleResult><Role>…</Role></GetRoleResult>
      <ResponseMetadata><RequestId>…</RequestId></ResponseMetadata>
    </GetRoleResponse>

Members are written in the model's order and absent (or `None`) members are left out, while a
member the model does not define is refused (`InternalFailure`) rather than dropped; lists are
`<member>` children (or repeated elements when flattened), maps `<entry><key/><value/></entry>`,
timestamps ISO 8601 in UTC with `Z` (milliseconds when there are any), booleans `true`/`false`,
blobs base64. Operations without an output shape answer with the metadata alone.

An error (IAM's and STS's alike, each in its own service namespace)::

    <ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
      <Error><Type>Sender</Type><Code>ValidationError</Code><Message>…</Message></Error>
      <RequestId>…</RequestId>
    </ErrorResponse>
"""

from __future__ import annotations

import base64
import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from enum import Enum
from typing import Any

from botocore.model import OperationModel, Shape, StructureShape

from ..errors import Location
from .query_errors import QueryErrorCode, QueryProtocolError

# Characters XML 1.0 cannot carry at all, even as character references.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def encode_query_response(operation: OperationModel, result: Mapping[str, Any], request_id: str) -> bytes:
    """The XML document AWS sends for a successful call of `operation` returning `result`."""
    name = operation.name
    root = ET.Element(f"{name}Response", {"xmlns": operation.metadata["xmlNamespace"]})
    shape = operation.output_shape
    if shape is not None:
        wrapper = shape.serialization.get("resultWrapper")
        target = ET.SubElement(root, wrapper) if wrapper else root
        _write_structure(target, shape, result, name)
    metadata = ET.SubElement(root, "ResponseMetadata")
    _text(ET.SubElement(metadata, "RequestId"), request_id, "RequestId")
    return _serialize(root)


def encode_query_error(
    code: str, message: str, request_id: str, *, sender: bool = True, namespace: str | None = None
) -> bytes:
    """AWS's Query error document; `namespace` is the service's `xmlNamespace` (IAM and STS each send theirs)."""
    root = ET.Element("ErrorResponse", {"xmlns": namespace} if namespace else {})
    error = ET.SubElement(root, "Error")
    _text(ET.SubElement(error, "Type"), "Sender" if sender else "Receiver", "Type")
    _text(ET.SubElement(error, "Code"), code, "Code")
    _text(ET.SubElement(error, "Message"), message, "Message")
    _text(ET.SubElement(root, "RequestId"), request_id, "RequestId")
    return _serialize(root)


def _write_structure(parent: ET.Element, shape: StructureShape, value: Any, path: str) -> None:
    if not isinstance(value, Mapping):
        raise _unwritable(path, "a structure")
    # A key the model lacks would vanish from the answer unseen: a handler's slip, shown at once.
    unknown = sorted(str(key) for key in value if key not in shape.members)
    if unknown:
        raise QueryProtocolError(
            QueryErrorCode.INTERNAL_FAILURE,
            f"result `{path}` has members the model does not define: `{'`, `'.join(unknown)}`",
            location=Location(path=path),
        )
    for name, member in shape.members.items():
        item = value.get(name)
        if item is None:
            continue
        member_path = f"{path}.{name}"
        if member.type_name == "list" and member.serialization.get("flattened"):
            element_name = member.member.serialization.get("name") or member.serialization.get("name", name)
            for index, element in enumerate(_sequence(item, member_path)):
                _write(ET.SubElement(parent, element_name), member.member, element, f"{member_path}[{index}]")
        elif member.type_name == "map" and member.serialization.get("flattened"):
            for key, entry in _mapping(item, member_path).items():
                entry_element = ET.SubElement(parent, member.serialization.get("name", name))
                _write_entry(entry_element, member, key, entry, member_path)
        else:
            _write(ET.SubElement(parent, member.serialization.get("name", name)), member, item, member_path)


def _write(element: ET.Element, shape: Shape, value: Any, path: str) -> None:
    kind = shape.type_name
    if kind == "structure":
        _write_structure(element, shape, value, path)
    elif kind == "list":
        element_name = shape.member.serialization.get("name", "member")
        for index, item in enumerate(_sequence(value, path)):
            _write(ET.SubElement(element, element_name), shape.member, item, f"{path}[{index}]")
    elif kind == "map":
        for key, item in _mapping(value, path).items():
            _write_entry(ET.SubElement(element, "entry"), shape, key, item, path)
    else:
        _text(element, _scalar(shape, value, path), path)


def _write_entry(entry: ET.Element, shape: Shape, key: Any, value: Any, path: str) -> None:
    key_name = shape.key.serialization.get("name", "key")
    value_name = shape.value.serialization.get("name", "value")
    _write(ET.SubElement(entry, key_name), shape.key, key, f"{path}.{key}")
    _write(ET.SubElement(entry, value_name), shape.value, value, f"{path}[{key}]")


def _scalar(shape: Shape, value: Any, path: str) -> str:
    kind = shape.type_name
    if isinstance(value, Enum):
        value = value.value
    if kind == "boolean" and isinstance(value, bool):
        return "true" if value else "false"
    if kind in ("integer", "long", "short", "byte") and isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if kind in ("float", "double") and isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
        if math.isnan(number):
            return "NaN"
        if math.isinf(number):
            return "Infinity" if number > 0 else "-Infinity"
        return repr(number)
    if kind == "timestamp" and isinstance(value, datetime):
        return _iso8601(value)
    if kind == "blob" and isinstance(value, bytes | str):
        raw = value.encode("utf-8") if isinstance(value, str) else value
        return base64.b64encode(raw).decode("ascii")
    if kind in ("string", "character") and isinstance(value, str):
        return value
    raise _unwritable(path, f"a {kind}")


def _iso8601(moment: datetime) -> str:
    # A naive datetime is taken as UTC, the only zone AWS writes.
    utc = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    if utc.microsecond:
        return utc.strftime("%Y-%m-%dT%H:%M:%S") + f".{utc.microsecond // 1000:03d}Z"
    return utc.strftime("%Y-%m-%dT%H:%M:%SZ")


def _text(element: ET.Element, text: str, path: str) -> None:
    if _NOT_XML.search(text):
        raise _unwritable(path, "text XML 1.0 can carry")
    element.text = text


def _serialize(root: ET.Element) -> bytes:
    # ElementTree leaves a carriage return in text as it is, and XML parsers turn it into a line
    # feed; a character reference keeps it. Attributes are escaped already, so no raw CR is left there.
    return ET.tostring(root, encoding="unicode").replace("\r", "&#13;").encode("utf-8")


def _sequence(value: Any, path: str) -> Sequence[Any]:
    if isinstance(value, str | bytes) or not isinstance(value, Sequence):
        raise _unwritable(path, "a list")
    return value


def _mapping(value: Any, path: str) -> Mapping[Any, Any]:
    if not isinstance(value, Mapping):
        raise _unwritable(path, "a map")
    return value


def _unwritable(path: str, expected: str) -> QueryProtocolError:
    return QueryProtocolError(
        QueryErrorCode.INTERNAL_FAILURE,
        f"result member `{path}` is not {expected}",
        location=Location(path=path),
    )
