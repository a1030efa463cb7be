"""`POST /v1/authorize` (and its batch form): decisions for applications, with the reasons as JSON.

The caller is either a bearer token of the configured OIDC provider (see `authorizer.py`) or the
principal whose SigV4 signature is on the request. Bad input is a 400 with a code; a missing or
unacceptable token a 401, decided before any policy is read.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..errors import IamtwinError
from ..evaluate.decision import Decision
from ..evaluate.message import denial_message
from ..simulate.output import decision_to_json
from ..world.stored import World
from .authorizer import Authorizer, Unauthorized, parse_call
from .sigv4 import AuthError, authenticate

MAX_BATCH = 1000


def _answer(decision: Decision) -> dict[str, Any]:
    return {
        "decision": decision.outcome.value,
        "allowed": decision.allowed,
        "message": denial_message(decision),
        "reasons": decision_to_json(decision),
    }


def _problem(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"code": code, "message": message}, status_code=status)


def decision_routes(world: World, authorizer: Authorizer | None) -> tuple[Callable[[Request], Any], ...]:
    """The endpoints of the decision API: authorize, batch, and the OpenAPI document."""

    async def _decider(request: Request, body: bytes) -> Callable[[dict[str, Any]], Decision]:
        header = request.headers.get("authorization", "")
        now = world.clock.now()
        if header.startswith("AWS4-HMAC-SHA256"):
            auth = authenticate(
                world,
                method=request.method,
                path=request.url.path,
                raw_query=request.url.query,
                headers={k.lower(): v for k, v in request.headers.items()},
                body=body,
                now=now,
            )

            def signed(call: dict[str, Any]) -> Decision:
                action, resource, context = parse_call(call, authorizer.config if authorizer else _NO_CONFIG)
                return world.authorize(auth.caller, action, resource, context, now=now)

            return signed
        if authorizer is None:
            raise Unauthorized("Unauthorized")
        token = authorizer.verify(header or None, now)

        def bearer(call: dict[str, Any]) -> Decision:
            action, resource, context = parse_call(call, authorizer.config)
            return authorizer.decide(token, action, resource, context)

        return bearer

    async def _run(request: Request, batch: bool) -> Response:
        body = await request.body()
        try:
            decide = await _decider(request, body)
        except Unauthorized as err:
            return _problem(401, "Unauthorized", err.message)
        except AuthError as err:
            return _problem(err.http_status, err.code, err.message)
        try:
            payload = json.loads(body or b"{}")
        except (json.JSONDecodeError, UnicodeDecodeError):
            return _problem(400, "INVALID_JSON", "the request body is not JSON")
        if not isinstance(payload, dict):
            return _problem(400, "INVALID_AUTHORIZE_REQUEST", "the request body must be a JSON object")
        try:
            if not batch:
                return JSONResponse(_answer(decide(payload)))
            calls = payload.get("requests")
            if not isinstance(calls, list) or not all(isinstance(c, dict) for c in calls):
                return _problem(400, "INVALID_AUTHORIZE_REQUEST", "`requests` must be a list of objects")
            if len(calls) > MAX_BATCH:
                return _problem(400, "BATCH_TOO_LARGE", f"at most {MAX_BATCH} requests in one batch")
            return JSONResponse({"results": [_answer(decide(call)) for call in calls]})
        except IamtwinError as err:
            return JSONResponse(err.to_dict(), status_code=400)

    async def authorize(request: Request) -> Response:
        return await _run(request, batch=False)

    async def authorize_batch(request: Request) -> Response:
        return await _run(request, batch=True)

    async def openapi(_: Request) -> Response:
        return JSONResponse(OPENAPI)

    return authorize, authorize_batch, openapi


class _NoConfig:
    account = "000000000000"


_NO_CONFIG: Any = _NoConfig()

_CALL = {
    "type": "object",
    "properties": {
        "action": {"type": "string", "example": "execute-api:Invoke"},
        "resource": {"type": "string"},
        "context": {"type": "object", "additionalProperties": True},
        "source_ip": {"type": "string", "example": "192.0.2.15"},
        "method": {"type": "string", "example": "GET"},
        "path": {"type": "string", "example": "/petstore/v1/pets"},
        "stage": {"type": "string", "example": "prod"},
        "api_id": {"type": "string", "example": "a1b2c3d4e5"},
        "region": {"type": "string", "example": "us-east-1"},
        "account": {"type": "string"},
    },
}
_ANSWER = {
    "type": "object",
    "properties": {
        "decision": {"type": "string", "enum": ["Allowed", "ExplicitDeny", "ImplicitDeny"]},
        "allowed": {"type": "boolean"},
        "message": {"type": ["string", "null"]},
        "reasons": {"type": "object"},
    },
}
_PROBLEM = {"type": "object", "properties": {"code": {"type": "string"}, "message": {"type": "string"}}}


def _operation(summary: str, request: dict[str, Any], response: dict[str, Any]) -> dict[str, Any]:
    problem = {"content": {"application/json": {"schema": _PROBLEM}}}
    return {
        "post": {
            "summary": summary,
            "security": [{"bearer": []}, {"sigv4": []}],
            "requestBody": {"required": True, "content": {"application/json": {"schema": request}}},
            "responses": {
                "200": {"description": "decided", "content": {"application/json": {"schema": response}}},
                "400": {"description": "bad request", **problem},
                "401": {"description": "no or unacceptable token", **problem},
                "403": {"description": "bad signature", **problem},
            },
        }
    }


OPENAPI: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "iamtwin decision API", "version": "1"},
    "paths": {
        "/v1/authorize": _operation("Decide one call", _CALL, _ANSWER),
        "/v1/authorize/batch": _operation(
            "Decide many calls",
            {"type": "object", "properties": {"requests": {"type": "array", "items": _CALL}}},
            {"type": "object", "properties": {"results": {"type": "array", "items": _ANSWER}}},
        ),
    },
    "components": {
        "securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
            "sigv4": {"type": "apiKey", "in": "header", "name": "Authorization"},
        }
    },
}
