"""`/v1/grants`: the permission orchestrator over HTTP, for callers who sign with SigV4.

`POST /v1/grants` asks for a grant (201 when the policy changed, 200 when it already held it),
`GET /v1/grants` lists the caller's own (`?includeRevoked=true` for all), `DELETE /v1/grants/{id}`
revokes one. The caller is the principal whose signature `sigv4.authenticate` verifies, exactly as
for `/v1/authorize`: the request body says what is asked, never who asks. Errors are JSON objects
with a stable `code` (GRANT_* from iamtwin.grants, or the SigV4 error AWS would return).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..audit.api_call import signed_access_key_id
from ..errors import IamtwinError
from ..grants import CallOrigin, GrantError, GrantOrchestrator, GrantRequest
from ..world.stored import Caller, World
from .decision_api import MAX_BODY
from .sigv4 import AuthError, authenticate

Endpoint = Callable[[Request], Awaitable[Response]]


def _problem(status: int, code: str, message: str) -> Response:
    return JSONResponse({"code": code, "message": message}, status_code=status)


def _refusal(err: IamtwinError) -> Response:
    status = err.http_status if isinstance(err, GrantError) else 400
    return JSONResponse(err.to_dict(), status_code=status)


def grants_routes(world: World) -> tuple[Endpoint, Endpoint, Endpoint]:
    """The Starlette endpoints of `/v1/grants`: create, list, and revoke (`/v1/grants/{grant_id}`)."""
    orchestrator = GrantOrchestrator(world)

    async def _authenticated(request: Request, name: str) -> tuple[Caller, bytes, CallOrigin] | Response:
        body = await request.body()
        headers = {k.lower(): v for k, v in request.headers.items()}
        client = request.client.host if request.client else "127.0.0.1"
        origin = CallOrigin(client, headers.get("user-agent", ""))
        if len(body) > MAX_BODY:
            return _problem(413, "REQUEST_TOO_LARGE", f"the request body is larger than {MAX_BODY} bytes")
        try:
            auth = authenticate(
                world,
                method=request.method,
                path=request.url.path,
                raw_query=request.url.query,
                headers=headers,
                body=body,
                now=world.clock.now(),
            )
        except AuthError as err:
            # Refused before anyone is known, and recorded all the same, as AWS records failed sign-ins.
            key = signed_access_key_id(headers, request.url.query)
            orchestrator.refuse(name, None, origin, err, access_key_id=key)
            return _problem(err.http_status, err.code, err.message)
        return auth.caller, body, origin

    async def create(request: Request) -> Response:
        found = await _authenticated(request, "RequestGrant")
        if isinstance(found, Response):
            return found
        caller, body, origin = found
        try:
            payload: Any = json.loads(body.decode("utf-8")) if body else None
        except (ValueError, UnicodeDecodeError):
            unreadable = IamtwinError("the request body is not JSON", code="INVALID_JSON")
            orchestrator.refuse("RequestGrant", caller, origin, unreadable)
            return _problem(400, unreadable.code, unreadable.message)
        try:
            asked = GrantRequest.from_json(payload)
        except IamtwinError as err:
            orchestrator.refuse("RequestGrant", caller, origin, err)
            return _refusal(err)
        try:
            outcome = orchestrator.apply(caller, asked, origin)
        except IamtwinError as err:
            return _refusal(err)
        return JSONResponse(outcome.to_json(), status_code=201 if outcome.changed else 200)

    async def listing(request: Request) -> Response:
        found = await _authenticated(request, "ListGrants")
        if isinstance(found, Response):
            return found
        caller, _, origin = found
        include_revoked = request.query_params.get("includeRevoked", "false").lower() == "true"
        try:
            grants = orchestrator.list_grants(caller, origin, include_revoked=include_revoked)
        except IamtwinError as err:
            return _refusal(err)
        return JSONResponse({"grants": [g.to_json() for g in grants]})

    async def revoke(request: Request) -> Response:
        found = await _authenticated(request, "RevokeGrant")
        if isinstance(found, Response):
            return found
        caller, _, origin = found
        try:
            outcome = orchestrator.revoke(caller, request.path_params["grant_id"], origin)
        except IamtwinError as err:
            return _refusal(err)
        return JSONResponse(outcome.to_json())

    return create, listing, revoke
