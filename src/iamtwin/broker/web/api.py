"""The JSON REST API under /api/v1, with the pages' authorization: the same person, the same `Broker` checks.

Errors are `{"error": {"code", "message"}}` with the status of `errors.http_status`. Bodies of the
decision calls are read for `reason` only: anything else a client puts there (a duration, a role,
an account) is ignored, since the stored request decides those. Unreviewed break-glass uses come
first in lists (`unreviewedBreakGlass`) until someone reviews them (`POST …/review`).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from ...errors import IamtwinError
from ..requests import RequestState
from .break_glass import read_review, review_json, reviewable_uses, use_json
from .context import WebContext, context_of
from .errors import WebError, WebErrorCode, http_status
from .identity import Caller, api_caller
from .openapi import openapi_document
from .presenting import (
    credentials_json,
    event_json,
    export_csv,
    export_jsonl,
    export_rows,
    request_json,
    session_json,
)
from .queries import audited_history, could_review, is_auditor, read_ask, read_filter, scope_policy, to_review
from .simulation import simulate_scope

Handler = Callable[[WebContext, Request, Caller], Awaitable[Response]]
MAX_BODY = 64 * 1024


def _error(error: IamtwinError) -> JSONResponse:
    return JSONResponse({"error": {"code": error.code, "message": error.message}}, status_code=http_status(error))


def endpoint(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    """An API route: the caller authenticated (and CSRF-checked for cookie writes), refusals as JSON."""

    async def run(request: Request) -> Response:
        web = context_of(request)
        try:
            caller = await api_caller(web, request)
            response = await handler(web, request, caller)
        except IamtwinError as error:
            response = _error(error)
        else:
            if request.method == "POST":
                web.background.nudge()  # what the action queued is sent now, without the caller waiting for it
        response.headers["cache-control"] = "no-store"
        return response

    return run


async def _body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw:
        return {}
    if len(raw) > MAX_BODY:
        raise WebError(WebErrorCode.INVALID_INPUT, "the body is too large")
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise WebError(WebErrorCode.INVALID_INPUT, "the body is not JSON") from exc
    if not isinstance(data, dict):
        raise WebError(WebErrorCode.INVALID_INPUT, "the body must be a JSON object")
    return data


async def _me(web: WebContext, request: Request, caller: Caller) -> Response:
    rules = await run_in_threadpool(web.broker.rules)
    person = caller.person
    return JSONResponse(
        {
            "subject": person.subject,
            "groups": sorted(person.groups),
            "attributes": dict(person.attributes),
            "auditor": is_auditor(rules, person),
            "csrfToken": None if caller.session is None else caller.session.csrf_token,
        }
    )


async def _list(web: WebContext, request: Request, caller: Caller) -> Response:
    view = request.query_params.get("view", "visible")
    if view == "review":  # pending requests and break-glass uses this caller could decide on
        found = await run_in_threadpool(to_review, web.broker, caller.person)
        uses = await run_in_threadpool(reviewable_uses, web.broker, caller.person)
    elif view == "visible":
        state = request.query_params.get("state")
        try:
            states = () if not state else (RequestState(state),)
        except ValueError as exc:
            raise WebError(WebErrorCode.INVALID_INPUT, f"`{state}` is not a request state") from exc
        found = await run_in_threadpool(lambda: web.broker.list_for(caller.person, states=states))
        uses = await run_in_threadpool(web.broker.unreviewed_break_glass, caller.person)
    else:
        raise WebError(WebErrorCode.INVALID_INPUT, f"`{view}` is not `visible` or `review`")
    open_ids = {use.request.id for use in uses}
    # Unreviewed break-glass uses come first, however old, as in `iamtwin broker list`.
    ordered = [r for r in found if r.id in open_ids] + [r for r in found if r.id not in open_ids]
    return JSONResponse(
        {
            "unreviewedBreakGlass": [use_json(use) for use in uses],
            "requests": [{**request_json(r), "unreviewedBreakGlass": r.id in open_ids} for r in ordered],
        }
    )


async def _create(web: WebContext, request: Request, caller: Caller) -> Response:
    ask = read_ask(await _body(request))
    created = await run_in_threadpool(web.broker.request, caller.person, ask)
    return JSONResponse(request_json(created), status_code=201, headers={"location": f"/api/v1/requests/{created.id}"})


async def _show(web: WebContext, request: Request, caller: Caller) -> Response:
    request_id = request.path_params["request_id"]
    found, events = await run_in_threadpool(web.broker.history, request_id, caller.person)
    sessions = await run_in_threadpool(web.broker.sessions, request_id, caller.person)
    glass = await run_in_threadpool(web.broker.break_glass_review, request_id, caller.person)
    return JSONResponse(
        {
            **request_json(found),
            "events": [event_json(e) for e in events],
            "sessions": [session_json(s) for s in sessions],
            "breakGlassReview": None if glass is None else review_json(glass),
        }
    )


def _decision(action: str) -> Handler:
    async def decide(web: WebContext, request: Request, caller: Caller) -> Response:
        request_id = request.path_params["request_id"]
        reason = (await _body(request)).get("reason", "")
        text = reason.strip()[:500] if isinstance(reason, str) else ""
        broker = web.broker
        if action == "approve":
            done = await run_in_threadpool(broker.approve, request_id, caller.person)
        elif action == "reject":
            done = await run_in_threadpool(broker.reject, request_id, caller.person, text)
        elif action == "cancel":
            done = await run_in_threadpool(broker.cancel, request_id, caller.person)
        else:
            done = await run_in_threadpool(broker.revoke, request_id, caller.person, text)
        return JSONResponse(request_json(done))

    return decide


async def _review(web: WebContext, request: Request, caller: Caller) -> Response:
    outcome, comment = read_review(await _body(request))
    done = await run_in_threadpool(
        web.broker.review_break_glass, request.path_params["request_id"], caller.person, outcome, comment
    )
    return JSONResponse(review_json(done))


async def _session(web: WebContext, request: Request, caller: Caller) -> Response:
    creds = await run_in_threadpool(web.broker.start_session, request.path_params["request_id"], caller.person)
    return JSONResponse(credentials_json(creds), status_code=201)


async def _simulation(web: WebContext, request: Request, caller: Caller) -> Response:
    request_id = request.path_params["request_id"]
    found, _ = await run_in_threadpool(web.broker.history, request_id, caller.person)
    rules = await run_in_threadpool(web.broker.rules)
    if not could_review(rules, caller.person, found) and not is_auditor(rules, caller.person):
        raise WebError(WebErrorCode.NOT_AN_AUDITOR, "only the request's reviewers and auditors see its simulation")
    policy = scope_policy(rules, found)
    result = await run_in_threadpool(simulate_scope, web.world, found.role_arn, found.ask.scope, policy)
    return JSONResponse(
        {
            "roleArn": result.role_arn,
            "scope": result.scope,
            "actionsDecided": result.actions_decided,
            "truncated": result.truncated,
            "counts": [
                {"service": c.service, "accessLevel": c.access_level, "role": c.role, "scoped": c.scoped}
                for c in result.counts
            ],
            "removedByScope": list(result.removed_by_scope),
            "removedCount": result.removed_count,
        }
    )


async def _history(web: WebContext, request: Request, caller: Caller) -> Response:
    wanted = read_filter(request.query_params)
    history = await run_in_threadpool(audited_history, web.broker, caller.person, wanted)
    rows = export_rows(history)
    fmt = request.query_params.get("format", "json")
    if fmt == "csv":
        return PlainTextResponse(export_csv(rows), media_type="text/csv; charset=utf-8")
    if fmt == "jsonl":
        return PlainTextResponse(export_jsonl(rows), media_type="application/jsonl; charset=utf-8")
    if fmt != "json":
        raise WebError(WebErrorCode.INVALID_INPUT, f"`{fmt}` is not json, jsonl or csv")
    kept = {found.id for found, _ in history}
    uses = await run_in_threadpool(web.broker.unreviewed_break_glass, caller.person)
    return JSONResponse({"unreviewedBreakGlass": [use_json(u) for u in uses if u.request.id in kept], "events": rows})


async def openapi(request: Request) -> Response:
    """The OpenAPI 3.1 document of this API."""
    return JSONResponse(openapi_document(str(request.base_url).rstrip("/")))


def api_routes() -> list[Route]:
    """The API's routes, mounted under /api/v1."""
    return [
        Route("/api/v1/openapi.json", openapi, methods=["GET"]),
        Route("/api/v1/me", endpoint(_me), methods=["GET"]),
        Route("/api/v1/requests", endpoint(_list), methods=["GET"]),
        Route("/api/v1/requests", endpoint(_create), methods=["POST"]),
        Route("/api/v1/requests/{request_id}", endpoint(_show), methods=["GET"]),
        Route("/api/v1/requests/{request_id}/approve", endpoint(_decision("approve")), methods=["POST"]),
        Route("/api/v1/requests/{request_id}/reject", endpoint(_decision("reject")), methods=["POST"]),
        Route("/api/v1/requests/{request_id}/cancel", endpoint(_decision("cancel")), methods=["POST"]),
        Route("/api/v1/requests/{request_id}/revoke", endpoint(_decision("revoke")), methods=["POST"]),
        Route("/api/v1/requests/{request_id}/review", endpoint(_review), methods=["POST"]),
        Route("/api/v1/requests/{request_id}/sessions", endpoint(_session), methods=["POST"]),
        Route("/api/v1/requests/{request_id}/simulation", endpoint(_simulation), methods=["GET"]),
        Route("/api/v1/history", endpoint(_history), methods=["GET"]),
    ]
