"""The ASGI application: AWS's Query protocol for IAM and STS on one port, every call signed and authorized.

The service is the one named in the SigV4 credential scope (`…/us-east-1/iam/aws4_request`); the
operation is the `Action` parameter, read and validated with botocore's model of the service. No
request ends in a server error: every failure is the AWS error document a client expects.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import parse_qsl

from botocore.parsers import QueryParser
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..audit.api_call import ApiCall, event_for
from ..audit.decisions import EVERY_ALLOW, AllowSampling, summarize
from ..audit.event import UserIdentity
from ..audit.identity import identity_of, unknown_identity, web_identity_user
from ..audit.recorder import AuditRecorder, Recorder
from ..audit.store import AuditStore
from ..errors import IamtwinError, RefusalError
from ..sts.oidc_discovery import HttpJwksSource
from ..world.errors import WorldFileError
from ..world.iam_errors import IamError
from ..world.stored import World
from . import iam_api, iam_simulate, organizations_api, other_services, sts_api, toolbox_api
from .access_log import log_access
from .authorizer import Authorizer
from .calls import ApiAccessDenied, CallContext
from .decision_api import DecisionEndpoint, decision_routes
from .federation_api import unsigned_sts_call
from .federation_signin import federation_routes
from .grants_api import grants_routes
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


def _json_object(data: bytes) -> dict[str, Any] | None:
    try:
        parsed = json.loads(data or b"{}")
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None
    return parsed if isinstance(parsed, dict) else None


def _unsigned_call_seen(call: ApiCall, body: bytes, response: Response) -> None:
    """What the trail keeps of an unsigned STS call (AssumeRoleWithWebIdentity, AssumeRoleWithSAML)."""
    params = dict(parse_qsl(body.decode("utf-8", "replace")))
    call.service, call.operation = "sts", params.pop("Action", None)
    params.pop("Version", None)
    call.request_parameters = params
    role_arn = params.get("RoleArn", "")
    call.account = role_arn.split(":")[4] if role_arn.count(":") >= 5 else None
    if call.operation == "AssumeRoleWithWebIdentity":
        call.identity = web_identity_user(params.get("WebIdentityToken", ""))
    else:
        call.identity = UserIdentity("SAMLUser", identity_provider=params.get("PrincipalArn"))
    model = service_model("sts")
    if response.status_code == 200 and call.operation in model.operation_names:
        shape = model.operation_model(call.operation).output_shape
        parsed = QueryParser().parse({"body": bytes(response.body), "headers": {}, "status_code": 200}, shape)
        parsed.pop("ResponseMetadata", None)
        call.response_elements = parsed


def create_app(
    world: World,
    authorizer: Authorizer | None = None,
    recorder: Recorder | None = None,
    allow_sampling: AllowSampling = EVERY_ALLOW,
) -> Starlette:
    """The iamtwin server over one world (with the decision API's bearer-token authorizer, if given).

    Every call through the AWS protocols is recorded on `recorder` (by default one over the world
    database, written by a background thread the app's lifespan starts and stops; `app.state.audit`)
    and logged as one JSON object on the `iamtwin.access` logger; so is every decision of the decision
    API, its allows at the rate `allow_sampling` says.
    """
    jwks = HttpJwksSource()  # web-identity providers' keys, cached for the server's life
    audit: Recorder = recorder or AuditRecorder(AuditStore(world.engine))

    def _access(
        request: Request, request_id: str, started: float, status: int, service: str | None, **fields: Any
    ) -> None:
        client = request.client.host if request.client else None
        now = world.clock.now()
        log_access(now, request_id, client, request.method, request.url.path, service, status, started, **fields)

    async def aws(request: Request) -> Response:
        request_id = str(uuid.uuid4())
        started = time.perf_counter()
        call = ApiCall(
            request_id,
            world.clock.now(),
            request.client.host if request.client else "127.0.0.1",
            request.headers.get("user-agent", ""),
        )
        response = await _handle(request, call)
        event = event_for(call, response.status_code, bytes(response.body))
        # A change that happened is written before the answer leaves; reads, refusals and failures, which
        # changed nothing, are buffered (see audit/recorder.py).
        audit.record(event, durable=not event.read_only and event.error_code is None)
        _access(
            request,
            request_id,
            started,
            response.status_code,
            call.service,
            operation=call.operation,
            caller=event.user_identity.arn,
            errorCode=event.error_code,
        )
        return response

    def logged(endpoint: Callable[[Request], Awaitable[Response]], operation: str) -> Callable[..., Any]:
        async def answer(request: Request) -> Response:
            started = time.perf_counter()
            response = await endpoint(request)
            error = _json_object(bytes(response.body)) if response.status_code >= 400 else None
            _access(
                request,
                response.headers.get("x-amzn-RequestId", str(uuid.uuid4())),
                started,
                response.status_code,
                "iamtwin",
                operation=operation,
                caller=None,
                errorCode=error.get("code") if error else None,
            )
            return response

        return answer

    async def _handle(request: Request, call: ApiCall) -> Response:
        request_id = call.request_id
        body = await request.body()
        if len(body) > MAX_BODY:
            return _error("RequestEntityTooLarge", "Request body too large", request_id, 413)
        headers = {k.lower(): v for k, v in request.headers.items()}
        now = call.now
        if "authorization" not in headers and "X-Amz-Algorithm" not in request.url.query:
            unsigned = unsigned_sts_call(world, body, request_id, jwks)
            if unsigned is not None:
                _unsigned_call_seen(call, body, unsigned)
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
            call.identity = unknown_identity(call.read_scope(headers, request.url.query))
            call.read_operation(headers, request.url.query, body)
            if "x-amz-target" in headers:  # a JSON-protocol client (Organizations) reads only JSON errors
                return Response(
                    encode_json_error(json_auth_error_code(err.code), err.message),
                    status_code=err.http_status,
                    media_type=JSON_CONTENT_TYPE,
                    headers={"x-amzn-RequestId": request_id},
                )
            return _error(err.code, err.message, request_id, err.http_status)
        call.service, call.region = auth.service, auth.region
        call.identity = identity_of(world, auth.caller)
        client = request.client.host if request.client else "127.0.0.1"
        secure = request.url.scheme == "https"
        ctx = CallContext(world, auth.caller, auth.region, request_id, client, secure, now, call.decisions)
        if auth.service == "organizations" and "x-amz-target" in headers:
            # AWS Organizations speaks JSON 1.1, not the Query protocol: organizations_api answers it whole.
            call.operation = headers["x-amz-target"].rsplit(".", 1)[-1]
            call.request_parameters = _json_object(body)
            status, payload = organizations_api.answer(ctx, headers["x-amz-target"], body)
            if status == 200:
                call.response_elements = _json_object(payload)
            return Response(
                payload, status_code=status, media_type=JSON_CONTENT_TYPE, headers={"x-amzn-RequestId": request_id}
            )
        if auth.service == "iam" and request.url.path.startswith("/authorization-details/"):
            parts = request.url.path.strip("/").split("/")
            call.operation = (
                "GetRequestAuthorizationPolicy" if parts[-1] == "policy" else "GetRequestAuthorizationDetails"
            )
            call.request_parameters = {"authorizationId": parts[1] if len(parts) > 1 else ""}
            return toolbox_api.answer(ctx, request.url.path, request.url.query)
        handlers = _HANDLERS.get(auth.service)
        if handlers is None:  # a service iamtwin does not emulate: authorize the call, say it is not emulated
            model = other_services.model_for(auth.service)
            if model is not None:
                call.operation = other_services.identify(
                    model, request.method, request.url.path, request.url.query, headers, body
                )
                if model.protocol in ("query", "ec2"):
                    form = dict(parse_qsl(request.url.query)) | dict(parse_qsl(body.decode("utf-8", "replace")))
                    call.request_parameters = {k: v for k, v in form.items() if k not in ("Action", "Version")}
                elif model.protocol == "json":
                    call.request_parameters = _json_object(body)
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
        call.operation = action or None
        call.request_parameters = params
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
            call.request_parameters = decoded
            result = handler(ctx, decoded)
        except QueryProtocolError as err:
            return _error(err.code, err.message, request_id, err.http_status, auth.service)
        except (RefusalError, ApiAccessDenied) as err:
            message = err.message
            decision = getattr(err, "decision", None)  # engine denials carry an authorization id, as AWS's do
            if decision is not None:
                authorization_id = record_denial(world, ctx.caller, decision)
                call.decision = summarize(decision, authorization_id)
                message = with_authorization_id(message, authorization_id, auth.region)
            return _error(err.code, message, request_id, _status(err), auth.service)
        except WorldFileError as err:
            return _error("ValidationError", err.message, request_id, 400, auth.service)
        except IamtwinError as err:
            return _error("ValidationError", err.message, request_id, 400, auth.service)
        call.response_elements = result
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

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        audit.start()
        try:
            yield
        finally:
            audit.stop()  # writes what is still buffered

    authorize, authorize_batch, openapi = decision_routes(DecisionEndpoint(world, authorizer, audit, allow_sampling))
    create_grant, list_grants, revoke_grant = grants_routes(world)
    app = Starlette(
        lifespan=lifespan,
        routes=[
            Route("/health", health),
            Route("/ready", ready),
            Route("/v1/authorize", logged(authorize, "Authorize"), methods=["POST"]),
            Route("/v1/authorize/batch", logged(authorize_batch, "AuthorizeBatch"), methods=["POST"]),
            Route("/v1/grants", logged(create_grant, "RequestGrant"), methods=["POST"]),
            Route("/v1/grants", logged(list_grants, "ListGrants"), methods=["GET"]),
            Route("/v1/grants/{grant_id}", logged(revoke_grant, "RevokeGrant"), methods=["DELETE"]),
            Route("/openapi.json", openapi),
            *federation_routes(world, audit),  # console sign-in (getSigninToken, login)
            Route("/", aws, methods=["GET", "POST", "PUT", "DELETE", "HEAD", "PATCH"]),
            # REST services (S3, Lambda, …) put the operation in the path.
            Route("/{path:path}", aws, methods=["GET", "POST", "PUT", "DELETE", "HEAD", "PATCH"]),
        ],
    )
    app.state.audit = audit
    app.state.allow_sampling = allow_sampling
    return app
