"""Calls to AWS services iamtwin does not emulate: authenticated, identified, authorized, then answered.

The operation is found with botocore's model of the service (the `Action` parameter, the
`X-Amz-Target` header, or the REST method and path). The IAM action is the catalogue's action for
the operation (`lambda:InvokeFunction` for Lambda's Invoke, `s3:ListBucket` for ListObjectsV2), and
the resources are derived from the operation's identifying parameters and the catalogue's ARN
formats (`iamtwin.catalog.request_resources`): one authorization per resource, as AWS authorizes
each. A denial is the service's own access-denied error, with EC2's encoded authorization message
(https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html,
https://docs.aws.amazon.com/STS/latest/APIReference/API_DecodeAuthorizationMessage.html); an allowed
call is a 501 that says it was authorized but is not emulated, so users can see which calls would pass.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qsl, unquote

from botocore.exceptions import UnknownServiceError
from botocore.model import OperationModel, ServiceModel
from botocore.parsers import ResponseParserError, RpcV2CBORParser
from starlette.responses import Response

from .. import catalog
from ..evaluate.decision import Decision
from ..evaluate.message import denial_message
from ..sts.service import Sts
from .calls import CallContext
from .query_protocol import encode_query_error, service_model
from .toolbox_api import record_denial, with_authorization_id

# Signing names botocore files under another service name (CloudWatch signs as `monitoring`).
_BOTOCORE_NAMES = {
    "monitoring": "cloudwatch",
    "tagging": "resourcegroupstaggingapi",
    "mturk-requester": "mturk",
    "cloudcontrolapi": "cloudcontrol",
    "iotdata": "iot-data",
    "IoTSecuredTunneling": "iotsecuretunneling",
}


@lru_cache(maxsize=64)
def model_for(signing_name: str) -> ServiceModel | None:
    """The botocore model of the service a credential scope names, or None."""
    try:
        return service_model(_BOTOCORE_NAMES.get(signing_name, signing_name))
    except UnknownServiceError:
        return None


@lru_cache(maxsize=256)
def _route_patterns(service: str) -> list[tuple[str, re.Pattern[str], tuple[str, ...], tuple[str, ...], int, str]]:
    model = service_model(service)
    out = []
    for name in model.operation_names:
        operation = model.operation_model(name)
        http = operation.http
        path, _, query = http.get("requestUri", "/").partition("?")
        pattern = re.sub(r"\\\{[^}]+?\\\+\\\}", ".+", re.sub(r"\\\{[^}+]+\\\}", "[^/]+", re.escape(path)))
        required = tuple(part.split("=")[0] for part in query.split("&") if part)
        # Operations sharing a route differ by a required header (CopyObject's x-amz-copy-source).
        shape = operation.input_shape
        needed_headers = tuple(
            shape.members[m].serialization.get("name", m).lower()
            for m in (shape.required_members if shape is not None else ())
            if shape.members[m].serialization.get("location") == "header"
        )
        literal = len(re.sub(r"\{[^}]+\}", "", path)) + 10 * len(required) + 10 * len(needed_headers)
        out.append((http.get("method", "POST"), re.compile(f"^{pattern}/?$"), required, needed_headers, literal, name))
    return out


def wire_protocol(model: ServiceModel, path: str, headers: dict[str, str]) -> str:
    """The protocol a request speaks: services offering several (CloudWatch: CBOR, JSON, Query) accept each."""
    offered = model.metadata.get("protocols") or [model.protocol]
    if "smithy-rpc-v2-cbor" in offered and (headers.get("smithy-protocol") == "rpc-v2-cbor" or "/operation/" in path):
        return "smithy-rpc-v2-cbor"
    if "json" in offered and "x-amz-target" in headers:
        return "json"
    if "query" in offered and model.protocol not in ("query", "ec2"):
        return "query"
    return str(model.protocol)


def identify(
    model: ServiceModel, method: str, path: str, query: str, headers: dict[str, str], body: bytes
) -> str | None:
    """The operation a request calls, by the service's protocol."""
    protocol = wire_protocol(model, path, headers)
    if protocol in ("query", "ec2"):
        params = dict(parse_qsl(query)) | dict(parse_qsl(body.decode("utf-8", "replace")))
        action = params.get("Action")
        return action if action in model.operation_names else None
    if protocol == "json":
        target = headers.get("x-amz-target", "")
        operation = target.rsplit(".", 1)[-1]
        return operation if operation in model.operation_names else None
    if protocol == "smithy-rpc-v2-cbor":  # POST /service/<ServiceName>/operation/<Operation>
        operation = path.rstrip("/").rsplit("/operation/", 1)[-1] if "/operation/" in path else ""
        return operation if operation in model.operation_names else None
    keys = {k for k, _ in parse_qsl(query, keep_blank_values=True)}
    best: tuple[int, str] | None = None
    for verb, pattern, required, needed_headers, literal, name in _route_patterns(model.service_name):
        matches = (
            verb == method
            and pattern.match(path)
            and all(key in keys for key in required)
            and all(header in headers for header in needed_headers)
        )
        if matches and (best is None or literal > best[0]):
            best = (literal, name)
    return best[1] if best else None


def _uri_values(template: str, path: str) -> dict[str, str]:
    """The `{Name}` / `{Name+}` placeholders of a request URI template, as the path gives them."""
    names: list[str] = []

    def group(match: re.Match[str]) -> str:
        names.append(match.group(1))
        return f"(?P<g{len(names) - 1}>{'.+' if match.group(2) else '[^/]+'})"

    pattern = re.sub(r"\\\{([^}+\\]+)(\\\+)?\\\}", group, re.escape(template.partition("?")[0]))
    match = re.match(f"^{pattern}/?$", path)
    if match is None:
        return {}
    return {name: unquote(match.group(f"g{i}")) for i, name in enumerate(names)}


def _decode_body(protocol: str, body: bytes) -> Any:
    if not body.strip():
        return {}
    try:
        if protocol == "smithy-rpc-v2-cbor":
            parser = RpcV2CBORParser()
            return parser.parse_data_item(parser.get_peekable_stream_from_bytes(body))
        return json.loads(body)
    except (ValueError, IndexError, TypeError, ResponseParserError):
        return {}


def _form_values(operation: OperationModel, form: list[tuple[str, str]], ec2: bool) -> dict[str, Any]:
    """Top-level scalar and list-of-scalar members of a Query or EC2 request."""
    out: dict[str, Any] = {}
    for name, shape in operation.input_shape.members.items():
        wire = shape.serialization.get("queryName") or shape.serialization.get("name") or name
        wire = wire[:1].upper() + wire[1:] if ec2 else wire
        if shape.type_name == "list":
            item = re.compile(rf"^{re.escape(wire)}(\.member)?\.\d+$")
            values = [v for k, v in form if item.match(k)]
            if values:
                out[name] = values
        else:
            for key, value in form:
                if key == wire:
                    out[name] = value
    return out


def parameters(
    model: ServiceModel, operation: str, path: str, query: str, headers: dict[str, str], body: bytes
) -> dict[str, Any]:
    """The identifying parameters of a request, by member name of the operation's input shape."""
    op = model.operation_model(operation)
    if op.input_shape is None:
        return {}
    protocol = wire_protocol(model, path, headers)
    if protocol in ("query", "ec2"):
        form = parse_qsl(query) + parse_qsl(body.decode("utf-8", "replace"))
        return _form_values(op, form, protocol == "ec2")
    out: dict[str, Any] = {}
    if protocol in ("json", "rest-json", "smithy-rpc-v2-cbor"):
        decoded = _decode_body(protocol, body)
        if isinstance(decoded, dict) and "payload" not in op.input_shape.serialization:
            out.update({k: v for k, v in decoded.items() if k in op.input_shape.members})
    if protocol.startswith("rest"):
        uri = _uri_values(op.http.get("requestUri", "/"), path)
        querystring = dict(parse_qsl(query, keep_blank_values=True))
        for name, shape in op.input_shape.members.items():
            where, wire = shape.serialization.get("location"), shape.serialization.get("name", name)
            if where == "uri" and wire in uri:
                out[name] = uri[wire]
            elif where == "querystring" and wire in querystring:
                out[name] = querystring[wire]
            elif where == "header" and wire.lower() in headers:
                out[name] = headers[wire.lower()]
    return out


def action_and_resources(
    model: ServiceModel, operation: str, params: dict[str, Any], region: str, account: str
) -> tuple[str, tuple[str, ...]]:
    """The IAM action an operation is authorized as and the resources it is authorized on."""
    signing = model.metadata.get("signingName") or model.metadata.get("endpointPrefix") or model.service_name
    prefix = catalog.service_prefix_for(signing)
    act = catalog.action_for_operation(prefix, operation)
    if act is None:  # an operation the reference does not list: its own name, on `*`
        return f"{prefix}:{operation}", ("*",)
    scope = catalog.RequestScope(catalog.partition_of(region), region, account)
    return act.full_name, catalog.request_resources(act, params, scope)


def _error(model: ServiceModel, protocol: str, status: int, code: str, message: str, request_id: str) -> Response:
    headers = {"x-amzn-RequestId": request_id}
    if protocol == "ec2":
        body = (
            f"<Response><Errors><Error><Code>{code}</Code><Message>{_xml(message)}</Message></Error></Errors>"
            f"<RequestID>{request_id}</RequestID></Response>"
        ).encode()
        return Response(body, status_code=status, media_type="text/xml", headers=headers)
    if protocol == "query":
        body = encode_query_error(code, message, request_id, namespace=model.metadata.get("xmlNamespace"))
        return Response(body, status_code=status, media_type="text/xml", headers=headers)
    if protocol == "rest-xml":
        body = (
            f'<?xml version="1.0" encoding="UTF-8"?><Error><Code>{code}</Code><Message>{_xml(message)}'
            f"</Message><RequestId>{request_id}</RequestId></Error>"
        ).encode()
        return Response(body, status_code=status, media_type="application/xml", headers=headers)
    if model.metadata.get("awsQueryCompatible") is not None:
        # Services moved from the Query protocol keep their Query error codes in this header.
        query_code = "AccessDenied" if code == "AccessDeniedException" else code
        headers["x-amzn-query-error"] = f"{query_code};Sender"
    if protocol == "smithy-rpc-v2-cbor":
        return Response(
            _cbor_map({"__type": code, "message": message}),
            status_code=status,
            media_type="application/cbor",
            headers={**headers, "smithy-protocol": "rpc-v2-cbor"},
        )
    payload = json.dumps({"__type": code, "message": message, "Message": message}).encode()
    return Response(
        payload,
        status_code=status,
        media_type="application/x-amz-json-1.1",
        headers={**headers, "x-amzn-ErrorType": code},
    )


def _cbor_head(major: int, length: int) -> bytes:
    if length < 24:
        return bytes([major << 5 | length])
    for info, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if length < 1 << (8 * size):
            return bytes([major << 5 | info]) + length.to_bytes(size, "big")
    raise ValueError("too long for CBOR")


def _cbor_map(entries: dict[str, str]) -> bytes:
    """A CBOR map of text strings (RFC 8949), the error body of Smithy RPC v2 CBOR services."""
    out = bytearray(_cbor_head(5, len(entries)))
    for key, value in entries.items():
        for text in (key.encode(), value.encode()):
            out += _cbor_head(3, len(text)) + text
    return bytes(out)


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# The code each protocol's services use when IAM refuses a call.
_DENIED = {
    "ec2": ("UnauthorizedOperation", 403),
    "smithy-rpc-v2-cbor": ("AccessDeniedException", 403),
    "query": ("AccessDenied", 403),
    "rest-xml": ("AccessDenied", 403),
    "json": ("AccessDeniedException", 400),
    "rest-json": ("AccessDeniedException", 403),
}


def _denied(ctx: CallContext, model: ServiceModel, protocol: str, decision: Decision) -> Response:
    code, status = _DENIED.get(protocol, ("AccessDenied", 403))
    if model.metadata.get("awsQueryCompatible") is not None:
        status = 403  # the status these services answered with under the Query protocol
    message = with_authorization_id(
        denial_message(decision) or "Access denied", record_denial(ctx.world, ctx.caller, decision), ctx.region
    )
    if protocol == "ec2":
        # EC2 keeps the decision's details for sts:DecodeAuthorizationMessage; iamtwin's STS decodes its own.
        encoded = Sts(ctx.world).encode_authorization_message(decision)
        message = (
            f"You are not authorized to perform this operation. {message}. "
            f"Encoded authorization failure message: {encoded}"
        )
    return _error(model, protocol, status, code, message, ctx.request_id)


def answer(
    ctx: CallContext, signing_name: str, method: str, path: str, query: str, headers: dict[str, str], body: bytes
) -> Response:
    """Authorize a call to a service iamtwin does not emulate, and say what happened."""
    model = model_for(signing_name)
    if model is None:
        body_out = encode_query_error("InvalidAction", f"unknown service `{signing_name}`", ctx.request_id)
        return Response(body_out, status_code=400, media_type="text/xml")
    protocol = wire_protocol(model, path, headers)
    operation = identify(model, method, path, query, headers, body)
    if operation is None:
        return _error(
            model,
            protocol,
            400,
            "InvalidAction",
            f"no operation of {model.service_name} matches this request",
            ctx.request_id,
        )
    params = parameters(model, operation, path, query, headers, body)
    action, resources = action_and_resources(model, operation, params, ctx.region, ctx.account)
    outcomes = []
    for resource in resources:
        decision = ctx.decide(action, resource)
        if not decision.allowed:
            return _denied(ctx, model, protocol, decision)
        outcomes.append(decision.outcome.value)
    message = (
        f"iamtwin authorized {action} on {', '.join(resources)} ({', '.join(dict.fromkeys(outcomes))}) "
        f"but does not emulate {model.service_name}"
    )
    return _error(model, protocol, 501, "NotImplemented", message, ctx.request_id)
