"""The ASGI application: AWS's Query protocol for IAM and STS on one port, every call signed and authorized.

The service is the one named in the SigV4 credential scope (`…/us-east-1/iam/aws4_request`); the
operation is the `Action` parameter, read and validated with botocore's model of the service. No
request ends in a server error: every failure is the AWS error document a client expects.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..errors import IamtwinError, RefusalError
from ..sts.oidc_discovery import HttpJwksSource
from ..world.errors import WorldFileError
from ..world.iam_errors import IamError
from ..world.stored import World
from . import iam_api, iam_simulate, organizations_api, other_services, sts_api, toolbox_api
from .authorizer import Authorizer
from .calls import ApiAccessDenied, CallContext
from .decision_api import decision_routes
from .federation_api import unsigned_sts_call
from .json_protocol import JSON_CONTENT_TYPE, encode_json_error, json_auth_error_code
from .query_protocol import (
    QueryProtocolError,
    decode_query_request,
    encode_query_error,
    encode_query_response,
    service_model,
)
from .sigv4 import AuthError, authenticate
from .toolbox_api import record_denial, with_authorization_id

MAX_BODY = 1024 * 1024
_HANDLERS: dict[str, dict[str, Callable[[CallContext, dict[str, Any]], dict[str, Any]]]] = {
    "iam": {**iam_api.HANDLERS, **iam_simulate.HANDLERS},
    "sts": sts_api.HANDLERS,
}
log = logging.getLogger("iamtwin.access")


def _error(code: str, message: str, request_id: str, status: int, service: str = "iam") -> Response:
    namespace = service_model(service).metadata.get("xmlNamespace")
    body = encode_query_error(code, message, request_id, sender=status < 500, namespace=namespace)
    return Response(body, status_code=status, media_type="text/xml", headers={"x-amzn-RequestId": request_id})


def _status(err: IamtwinError) -> int:
    if isinstance(err, ApiAccessDenied):
        return 403
    if isinstance(err, IamError):
        return err.iam_code.http_status
    status = getattr(getattr(err, "sts_code", None), "http_status", None)
    return int(status) if status is not None else 400


def create_app(world: World, authorizer: Authorizer | None = None) -> Starlette:
    """The iamtwin server over one world (with the decision API's bearer-token authorizer, if given)."""
    jwks = HttpJwksSource()  # web-identity providers' keys, cached for the server's life

    async def aws(request: Request) -> Response:
        request_id = str(uuid.uuid4())
        started = time.perf_counter()
        response = await _handle(request, request_id)
        log.info(
            "%s %s %s %d %.1fms",
            request.client.host if request.client else "-",
            request.method,
            request.headers.get("x-amz-target") or "query",
            response.status_code,
            (time.perf_counter() - started) * 1000,
        )
        return response

    async def _handle(request: Request, request_id: str) -> Response:
        body = await request.body()
        if len(body) > MAX_BODY:
            return _error("RequestEntityTooLarge", "Request body too large", request_id, 413)
        headers = {k.lower(): v for k, v in request.headers.items()}
        now = world.clock.now()
        if "authorization" not in headers and "X-Amz-Algorithm" not in request.url.query:
            unsigned = unsigned_sts_call(world, body, request_id, jwks)
            if unsigned is not None:
                return unsigned
        try:
            auth = authenticate(
                world,
                method=request.method,
                path=request.url.path,
                raw_query=request.url.query,
                headers=headers,
                body=body,
                now=now,
            )
        except AuthError as err:
            if "x-amz-target" in headers:  # a JSON-protocol client (Organizations) reads only JSON errors
                return Response(
                    encode_json_error(json_auth_error_code(err.code), err.message),
                    status_code=err.http_status,
                    media_type=JSON_CONTENT_TYPE,
                    headers={"x-amzn-RequestId": request_id},
                )
            return _error(err.code, err.message, request_id, err.http_status)
        client = request.client.host if request.client else "127.0.0.1"
        ctx = CallContext(world, auth.caller, auth.region, request_id, client, request.url.scheme == "https", now)
        if auth.service == "organizations" and "x-amz-target" in headers:
            # AWS Organizations speaks JSON 1.1, not the Query protocol: organizations_api answers it whole.
            status, payload = organizations_api.answer(ctx, headers["x-amz-target"], body)
            return Response(
                payload, status_code=status, media_type=JSON_CONTENT_TYPE, headers={"x-amzn-RequestId": request_id}
            )
        if auth.service == "iam" and request.url.path.startswith("/authorization-details/"):
            return toolbox_api.answer(ctx, request.url.path, request.url.query)
        handlers = _HANDLERS.get(auth.service)
        if handlers is None:  # a service iamtwin does not emulate: authorize the call, say it is not emulated
            return other_services.answer(
                ctx, auth.service, request.method, request.url.path, request.url.query, headers, body
            )
        params = dict(parse_qsl(request.url.query, keep_blank_values=True))
        try:
            params.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
        except UnicodeDecodeError:
            return _error(
                "MalformedQueryString", "The request body is not UTF-8 form data", request_id, 400, auth.service
            )
        for name in [k for k in params if k.startswith("X-Amz-")]:
            del params[name]
        action = params.pop("Action", "")
        params.pop("Version", None)
        model = service_model(auth.service)
        if action not in model.operation_names:
            return _error(
                "InvalidAction",
                f"Could not find operation {action} for version {model.api_version}",
                request_id,
                400,
                auth.service,
            )
        handler = handlers.get(action)
        if handler is None:
            return _error("InvalidAction", f"iamtwin does not implement {action} yet", request_id, 400, auth.service)
        operation = model.operation_model(action)
        try:
            decoded = decode_query_request(operation, params)
            result = handler(ctx, decoded)
        except QueryProtocolError as err:
            return _error(err.code, err.message, request_id, err.http_status, auth.service)
        except (RefusalError, ApiAccessDenied) as err:
            message = err.message
            decision = getattr(err, "decision", None)  # engine denials carry an authorization id, as AWS's do
            if decision is not None:
                message = with_authorization_id(message, record_denial(world, ctx.caller, decision), auth.region)
            return _error(err.code, message, request_id, _status(err), auth.service)
        except WorldFileError as err:
            return _error("ValidationError", err.message, request_id, 400, auth.service)
        except IamtwinError as err:
            return _error("ValidationError", err.message, request_id, 400, auth.service)
        return Response(
            encode_query_response(operation, result, request_id),
            media_type="text/xml",
            headers={"x-amzn-RequestId": request_id},
        )

    async def health(_: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def ready(_: Request) -> Response:
        from sqlalchemy import text

        try:
            with world.engine.connect() as conn:
                conn.execute(text("select 1"))
        except Exception as exc:  # any database failure means not ready
            return JSONResponse({"status": "not ready", "reason": str(exc)}, status_code=503)
        return JSONResponse({"status": "ready"})

    authorize, authorize_batch, openapi = decision_routes(world, authorizer)
    return Starlette(
        routes=[
            Route("/health", health),
            Route("/ready", ready),
            Route("/v1/authorize", authorize, methods=["POST"]),
            Route("/v1/authorize/batch", authorize_batch, methods=["POST"]),
            Route("/openapi.json", openapi),
            Route("/", aws, methods=["GET", "POST", "PUT", "DELETE", "HEAD", "PATCH"]),
            # REST services (S3, Lambda, …) put the operation in the path.
            Route("/{path:path}", aws, methods=["GET", "POST", "PUT", "DELETE", "HEAD", "PATCH"]),
        ]
    )
