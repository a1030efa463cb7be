"""Calls to AWS services iamtwin does not emulate: authenticated, identified, authorized, then answered.

The operation is found with botocore's model of the service (the `Action` parameter, the
`X-Amz-Target` header, or the REST method and path); the IAM action is `<service>:<Operation>`
(S3's own names where they differ) and the resource the call's ARN where it is plain (S3 buckets
and objects) or `*`. A denial is the service's own access-denied error; an allowed call is a 501
that says it was authorized but is not emulated, so users can see which of their calls would pass.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from urllib.parse import parse_qsl, unquote

from botocore.exceptions import UnknownServiceError
from botocore.model import ServiceModel
from starlette.responses import Response

from ..evaluate.message import denial_message
from .calls import CallContext
from .query_protocol import encode_query_error, service_model
from .toolbox_api import record_denial, with_authorization_id

# S3 actions that differ from the operation's name (https://docs.aws.amazon.com/AmazonS3/latest/API/API_Operations.html).
_S3_ACTIONS = {
    "ListObjectsV2": "ListBucket",
    "ListObjects": "ListBucket",
    "HeadBucket": "ListBucket",
    "HeadObject": "GetObject",
    "ListBuckets": "ListAllMyBuckets",
    "ListObjectVersions": "ListBucketVersions",
    "CopyObject": "PutObject",
}


@lru_cache(maxsize=64)
def model_for(signing_name: str) -> ServiceModel | None:
    """The botocore model of the service a credential scope names, or None."""
    try:
        return service_model(signing_name)
    except UnknownServiceError:
        return None


@lru_cache(maxsize=256)
def _route_patterns(service: str) -> list[tuple[str, re.Pattern[str], tuple[str, ...], int, str]]:
    model = service_model(service)
    out = []
    for name in model.operation_names:
        http = model.operation_model(name).http
        path, _, query = http.get("requestUri", "/").partition("?")
        pattern = re.sub(r"\\\{[^}]+?\\\+\\\}", ".+", re.sub(r"\\\{[^}+]+\\\}", "[^/]+", re.escape(path)))
        required = tuple(part.split("=")[0] for part in query.split("&") if part)
        literal = len(re.sub(r"\{[^}]+\}", "", path)) + 10 * len(required)
        out.append((http.get("method", "POST"), re.compile(f"^{pattern}/?$"), required, literal, name))
    return out


def identify(
    model: ServiceModel, method: str, path: str, query: str, headers: dict[str, str], body: bytes
) -> str | None:
    """The operation a request calls, by the service's protocol."""
    if model.protocol in ("query", "ec2"):
        params = dict(parse_qsl(query)) | dict(parse_qsl(body.decode("utf-8", "replace")))
        action = params.get("Action")
        return action if action in model.operation_names else None
    if model.protocol == "json":
        target = headers.get("x-amz-target", "")
        operation = target.rsplit(".", 1)[-1]
        return operation if operation in model.operation_names else None
    keys = {k for k, _ in parse_qsl(query, keep_blank_values=True)}
    best: tuple[int, str] | None = None
    for verb, pattern, required, literal, name in _route_patterns(model.service_name):
        matches = verb == method and pattern.match(path) and all(key in keys for key in required)
        if matches and (best is None or literal > best[0]):
            best = (literal, name)
    return best[1] if best else None


def _action_and_resource(model: ServiceModel, operation: str, path: str) -> tuple[str, str | None]:
    prefix = model.metadata.get("signingName") or model.metadata.get("endpointPrefix") or model.service_name
    if model.service_name != "s3":
        return f"{prefix}:{operation}", None
    parts = unquote(path).lstrip("/").split("/", 1)
    action = "s3:" + _S3_ACTIONS.get(operation, operation)
    if not parts[0]:
        return action, None
    return action, f"arn:aws:s3:::{parts[0]}" + (f"/{parts[1]}" if len(parts) > 1 and parts[1] else "")


def _error(model: ServiceModel, status: int, code: str, message: str, request_id: str) -> Response:
    headers = {"x-amzn-RequestId": request_id}
    if model.protocol == "ec2":
        body = (
            f"<Response><Errors><Error><Code>{code}</Code><Message>{_xml(message)}</Message></Error></Errors>"
            f"<RequestID>{request_id}</RequestID></Response>"
        ).encode()
        return Response(body, status_code=status, media_type="text/xml", headers=headers)
    if model.protocol == "query":
        body = encode_query_error(code, message, request_id, namespace=model.metadata.get("xmlNamespace"))
        return Response(body, status_code=status, media_type="text/xml", headers=headers)
    if model.protocol == "rest-xml":
        body = (
            f'<?xml version="1.0" encoding="UTF-8"?><Error><Code>{code}</Code><Message>{_xml(message)}'
            f"</Message><RequestId>{request_id}</RequestId></Error>"
        ).encode()
        return Response(body, status_code=status, media_type="application/xml", headers=headers)
    payload = json.dumps({"__type": code, "message": message, "Message": message}).encode()
    return Response(
        payload,
        status_code=status,
        media_type="application/x-amz-json-1.1",
        headers={**headers, "x-amzn-ErrorType": code},
    )


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# The code each protocol's services use when IAM refuses a call.
_DENIED = {
    "ec2": ("UnauthorizedOperation", 403),
    "query": ("AccessDenied", 403),
    "rest-xml": ("AccessDenied", 403),
    "json": ("AccessDeniedException", 400),
    "rest-json": ("AccessDeniedException", 403),
}


def answer(
    ctx: CallContext, signing_name: str, method: str, path: str, query: str, headers: dict[str, str], body: bytes
) -> Response:
    """Authorize a call to a service iamtwin does not emulate, and say what happened."""
    model = model_for(signing_name)
    if model is None:
        body_out = encode_query_error("InvalidAction", f"unknown service `{signing_name}`", ctx.request_id)
        return Response(body_out, status_code=400, media_type="text/xml")
    operation = identify(model, method, path, query, headers, body)
    if operation is None:
        return _error(
            model, 400, "InvalidAction", f"no operation of {model.service_name} matches this request", ctx.request_id
        )
    action, resource = _action_and_resource(model, operation, path)
    decision = ctx.world.authorize(
        ctx.caller, action, resource, {"aws:SourceIp": ctx.source_ip, "aws:RequestedRegion": ctx.region}, now=ctx.now
    )
    if not decision.allowed:
        code, status = _DENIED.get(model.protocol, ("AccessDenied", 403))
        message = with_authorization_id(
            denial_message(decision) or "Access denied", record_denial(ctx.world, ctx.caller, decision), ctx.region
        )
        return _error(model, status, code, message, ctx.request_id)
    message = (
        f"iamtwin authorized {action} on {resource or '*'} ({decision.outcome.value}) but does not "
        f"emulate {model.service_name}"
    )
    return _error(model, 501, "NotImplemented", message, ctx.request_id)
