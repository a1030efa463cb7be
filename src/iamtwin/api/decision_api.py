"""`POST /v1/authorize` (and its batch form): decisions for applications, with the reasons as JSON.

The caller is either a bearer token of the configured OIDC provider (see `authorizer.py`) or the
principal whose SigV4 signature is on the request. Bad input is a 400 with a code; a missing or
unacceptable token a 401, decided before any policy is read.

`DecisionEndpoint.answer` does the work on plain values (method, path, headers, body), so the same
answer is served by the Starlette routes of `app.py` and by the bare ASGI layer of `decision_asgi.py`
that keeps the busiest path of the server short.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..audit.decisions import EVERY_ALLOW, AllowSampling, record_decision
from ..audit.event import UserIdentity
from ..audit.identity import federated_subject, identity_of
from ..audit.recorder import Recorder
from ..errors import IamtwinError
from ..evaluate.decision import Decision
from ..evaluate.message import denial_message
from ..simulate.output import decision_to_json
from ..world.stored import World
from .authorizer import Authorizer, Unauthorized, parse_call
from .decision_openapi import OPENAPI
from .sigv4 import AuthError, authenticate

MAX_BATCH = 1000
MAX_BODY = 1024 * 1024
JSON_TYPE = "application/json"

__all__ = ["MAX_BATCH", "MAX_BODY", "OPENAPI", "DecisionEndpoint", "decision_routes"]


def _answer(decision: Decision) -> dict[str, Any]:
    return {
        "decision": decision.outcome.value,
        "allowed": decision.allowed,
        "message": denial_message(decision),
        "reasons": decision_to_json(decision),
    }


def _no_constants(name: str) -> Any:
    # `NaN` and `Infinity` are not JSON; Python's reader accepts them unless told not to.
    raise ValueError(f"`{name}` is not JSON")


# Built once: `json.dumps`/`json.loads` with options build a new encoder or decoder on every call.
_ENCODER = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",", ":"))
_DECODER = json.JSONDecoder(parse_constant=_no_constants)


def _json(value: Any) -> bytes:
    # The bytes Starlette's JSONResponse would send.
    return _ENCODER.encode(value).encode("utf-8")


def _problem(status: int, code: str, message: str) -> tuple[int, bytes]:
    return status, _json({"code": code, "message": message})


class _NoConfig:
    account = "000000000000"


_NO_CONFIG: Any = _NoConfig()


class DecisionEndpoint:
    """Answers decision requests over one world, with the bearer-token authorizer if one is configured.

    Each decision is an event of the audit trail on `recorder` (denials always, allows as `sampling` says).
    """

    def __init__(
        self,
        world: World,
        authorizer: Authorizer | None,
        recorder: Recorder | None = None,
        sampling: AllowSampling = EVERY_ALLOW,
    ) -> None:
        self.world = world
        self.authorizer = authorizer
        self.recorder = recorder
        self.sampling = sampling

    def _decider(
        self, method: str, path: str, raw_query: str, headers: Mapping[str, str], body: bytes, client: str
    ) -> Callable[[Mapping[str, Any]], Decision]:
        world, authorizer = self.world, self.authorizer
        header = headers.get("authorization", "")
        now = world.clock.now()
        if header.startswith("AWS4-HMAC-SHA256"):
            auth = authenticate(
                world, method=method, path=path, raw_query=raw_query, headers=dict(headers), body=body, now=now
            )
            signer = identity_of(world, auth.caller) if self.recorder is not None else None

            def signed(call: Mapping[str, Any]) -> Decision:
                action, resource, context = parse_call(call, authorizer.config if authorizer else _NO_CONFIG)
                decision = world.authorize(auth.caller, action, resource, context, now=now)
                self._record(decision, signer, context, headers, client, now)
                return decision

            return signed
        if authorizer is None:
            raise Unauthorized("Unauthorized")
        token = authorizer.verify(header or None, now)
        subject = federated_subject(token.issuer, token.audience, token.subject) if self.recorder is not None else None

        def bearer(call: Mapping[str, Any]) -> Decision:
            action, resource, context = parse_call(call, authorizer.config)
            decision = authorizer.decide(token, action, resource, context)
            self._record(decision, subject, context, headers, client, now)
            return decision

        return bearer

    def _record(
        self,
        decision: Decision,
        identity: UserIdentity | None,
        context: Mapping[str, Any],
        headers: Mapping[str, str],
        client: str,
        now: datetime,
    ) -> None:
        if self.recorder is None or identity is None:
            return
        record_decision(
            self.recorder,
            decision,
            identity=identity,
            request_id=str(uuid.uuid4()),
            source_ip=client,
            user_agent=headers.get("user-agent", ""),
            now=now,
            context=context,
            sampling=self.sampling,
        )

    def answer(
        self,
        method: str,
        path: str,
        raw_query: str,
        headers: Mapping[str, str],
        body: bytes,
        *,
        batch: bool,
        client: str = "127.0.0.1",
    ) -> tuple[int, bytes]:
        """The status and JSON body answering one request (`headers` with lower-case names)."""
        if len(body) > MAX_BODY:
            return _problem(413, "REQUEST_TOO_LARGE", f"the request body is larger than {MAX_BODY} bytes")
        try:
            decide = self._decider(method, path, raw_query, headers, body, client)
        except Unauthorized as err:
            return _problem(401, "Unauthorized", err.message)
        except AuthError as err:
            return _problem(err.http_status, err.code, err.message)
        try:
            payload = _DECODER.decode(body.decode("utf-8")) if body else {}
        except (ValueError, UnicodeDecodeError, RecursionError):
            return _problem(400, "INVALID_JSON", "the request body is not JSON")
        if not isinstance(payload, dict):
            return _problem(400, "INVALID_AUTHORIZE_REQUEST", "the request body must be a JSON object")
        try:
            if not batch:
                return 200, _json(_answer(decide(payload)))
            calls = payload.get("requests")
            if not isinstance(calls, list) or not all(isinstance(c, dict) for c in calls):
                return _problem(400, "INVALID_AUTHORIZE_REQUEST", "`requests` must be a list of objects")
            if len(calls) > MAX_BATCH:
                return _problem(400, "BATCH_TOO_LARGE", f"at most {MAX_BATCH} requests in one batch")
            return 200, _json({"results": [_answer(decide(call)) for call in calls]})
        except IamtwinError as err:
            return 400, _json(err.to_dict())


def decision_routes(endpoint: DecisionEndpoint) -> tuple[Callable[[Request], Any], ...]:
    """The Starlette endpoints of the decision API: authorize, batch, and the OpenAPI document."""

    async def _run(request: Request, batch: bool) -> Response:
        body = await request.body()
        headers = {k.lower(): v for k, v in request.headers.items()}
        status, payload = endpoint.answer(
            request.method,
            request.url.path,
            request.url.query,
            headers,
            body,
            batch=batch,
            client=request.client.host if request.client else "127.0.0.1",
        )
        return Response(payload, status_code=status, media_type=JSON_TYPE)

    async def authorize(request: Request) -> Response:
        return await _run(request, batch=False)

    async def authorize_batch(request: Request) -> Response:
        return await _run(request, batch=True)

    async def openapi(_: Request) -> Response:
        return JSONResponse(OPENAPI)

    return authorize, authorize_batch, openapi
