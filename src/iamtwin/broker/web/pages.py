"""Server-rendered pages: the requester's dashboard, the reviewer's queue and decision page, the auditor's history.

Unreviewed break-glass uses head the dashboard and the review queue in a block of their own, and a
break-glass request's page carries its review form for those who may complete it.

Every form carries the session's CSRF token and nothing else that decides anything: an approval
form holds the request id (in its URL) and the decision; the duration, role and account come from
the stored request. A refused call shows the broker's code and message with the matching status.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response

from ...errors import IamtwinError
from ..outputs import env_lines, process_json
from ..requests import GRANTED_STATES, RequestState
from ..reviews import ReviewOutcome
from .break_glass import read_review, reviewable_uses
from .context import WebContext, context_of
from .csrf import FORM_FIELD, check_csrf
from .errors import WebError, WebErrorCode, http_status
from .identity import Caller, browser_session, signed_in
from .presenting import export_csv, export_jsonl, export_rows, iso
from .queries import (
    audited_history,
    could_review,
    is_auditor,
    own_requests,
    read_ask,
    read_filter,
    scope_policy,
    to_review,
)
from .sessions import COOKIE_NAME, WebSession
from .simulation import simulate_scope

Page = Callable[[Request], Awaitable[Response]]


def render(web: WebContext, name: str, session: WebSession | None, status: int = 200, **values: Any) -> HTMLResponse:
    """A template rendered with the signed-in person and the CSRF token every form needs."""
    person = None if session is None else session.person
    body = web.templates.get_template(name).render(
        person=person,
        csrf_token="" if session is None else session.csrf_token,
        csrf_field=FORM_FIELD,
        iso=iso,
        **values,
    )
    return HTMLResponse(body, status_code=status, headers={"cache-control": "no-store"})


def set_session_cookie(web: WebContext, response: Response, session: WebSession) -> None:
    """The session id cookie: HttpOnly, SameSite=Lax, Secure unless configured off for plain-HTTP tests."""
    response.set_cookie(
        COOKIE_NAME,
        session.id,
        max_age=web.config.session_seconds,
        path="/",
        secure=web.config.secure_cookies,
        httponly=True,
        samesite="lax",
    )


def page(handler: Callable[[WebContext, Request, Caller], Awaitable[Response]]) -> Page:
    """A page for signed-in people: others are sent to sign in (GET) or refused; refusals become error pages."""

    async def endpoint(request: Request) -> Response:
        web = context_of(request)
        try:
            caller = signed_in(web, request)
        except WebError:
            if request.method == "GET":
                return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
            return render(web, "error.html", None, 401, code="NOT_SIGNED_IN", message="sign in first")
        try:
            if request.method == "POST":
                form = await request.form()
                token = form.get(FORM_FIELD)
                check_csrf(caller.session, token if isinstance(token, str) else None)
            response = await handler(web, request, caller)
        except IamtwinError as error:
            return render(web, "error.html", caller.session, http_status(error), code=error.code, message=error.message)
        if request.method == "POST" and response.status_code < 400:
            web.background.nudge()  # what the action queued is sent now, without the person waiting for it
        return response

    return endpoint


async def home(request: Request) -> Response:
    """The dashboard of a signed-in person; the sign-in button otherwise."""
    web = context_of(request)
    session = browser_session(web, request)
    if session is None or session.person is None:
        return render(web, "signed_out.html", None)
    person = session.person
    rules = await run_in_threadpool(web.broker.rules)
    mine = await run_in_threadpool(own_requests, web.broker, person)
    review = await run_in_threadpool(to_review, web.broker, person)
    unreviewed = await run_in_threadpool(web.broker.unreviewed_break_glass, person)
    return render(
        web,
        "home.html",
        session,
        requests=mine,
        review_count=len(review),
        auditor=is_auditor(rules, person),
        unreviewed=unreviewed,
        reviewable={u.request.id for u in unreviewed if could_review(rules, person, u.request)},
    )


async def _new(web: WebContext, request: Request, caller: Caller) -> Response:
    return render(web, "new.html", caller.session, values={}, eligible=await _eligible(web, caller), error=None)


async def _eligible(web: WebContext, caller: Caller) -> list[dict[str, Any]]:
    """The role/account pairs the rules make this person eligible for, to fill the form's choices."""
    rules = await run_in_threadpool(web.broker.rules)
    offers: list[dict[str, Any]] = []
    for rule in rules.eligibility:
        if rule.who.includes(caller.person):
            for role in sorted(rule.roles):
                for account in sorted(rule.accounts):
                    offers.append(
                        {"account": account, "role": role, "max": rule.max_seconds, "scopes": sorted(rule.scopes)}
                    )
    return offers


async def _create(web: WebContext, request: Request, caller: Caller) -> Response:
    form = await request.form()
    fields = {k: v for k, v in form.items() if isinstance(v, str) and k != FORM_FIELD}
    try:
        ask = read_ask(fields)
        created = await run_in_threadpool(web.broker.request, caller.person, ask)
    except IamtwinError as error:
        eligible = await _eligible(web, caller)
        return render(
            web, "new.html", caller.session, http_status(error), values=fields, eligible=eligible, error=error
        )
    return RedirectResponse(f"/requests/{created.id}", status_code=303)


async def _detail(web: WebContext, request: Request, caller: Caller) -> Response:
    request_id = request.path_params["request_id"]
    found, events = await run_in_threadpool(web.broker.history, request_id, caller.person)
    sessions = await run_in_threadpool(web.broker.sessions, request_id, caller.person)
    rules = await run_in_threadpool(web.broker.rules)
    reviewer = could_review(rules, caller.person, found)
    glass = None
    if found.ask.break_glass:
        glass = await run_in_threadpool(web.broker.break_glass_review, request_id, caller.person)
    simulation, simulation_error = None, None
    if reviewer:
        try:
            simulation = await run_in_threadpool(
                simulate_scope, web.world, found.role_arn, found.ask.scope, scope_policy(rules, found)
            )
        except IamtwinError as error:  # the decision page stays usable when the world cannot answer
            simulation_error = f"{error.code}: {error.message}"
    return render(
        web,
        "request.html",
        caller.session,
        request=found,
        events=events,
        sessions=sessions,
        reviewer=reviewer,
        requester=found.requester == caller.person.subject,
        pending=found.state == RequestState.PENDING,
        granted=found.state in GRANTED_STATES,
        simulation=simulation,
        simulation_error=simulation_error,
        glass=glass,
        outcomes=[o.value for o in ReviewOutcome],
    )


def _decision(action: str) -> Callable[[WebContext, Request, Caller], Awaitable[Response]]:
    async def decide(web: WebContext, request: Request, caller: Caller) -> Response:
        request_id = request.path_params["request_id"]
        form = await request.form()
        reason = form.get("reason")
        text = reason.strip()[:500] if isinstance(reason, str) else ""
        broker = web.broker
        if action == "approve":
            await run_in_threadpool(broker.approve, request_id, caller.person)
        elif action == "reject":
            await run_in_threadpool(broker.reject, request_id, caller.person, text)
        elif action == "cancel":
            await run_in_threadpool(broker.cancel, request_id, caller.person)
        else:
            await run_in_threadpool(broker.revoke, request_id, caller.person, text)
        return RedirectResponse(f"/requests/{request_id}", status_code=303)

    return decide


async def _review_break_glass(web: WebContext, request: Request, caller: Caller) -> Response:
    request_id = request.path_params["request_id"]
    form = await request.form()
    outcome, comment = read_review({k: v for k, v in form.items() if k in ("outcome", "comment")})
    await run_in_threadpool(web.broker.review_break_glass, request_id, caller.person, outcome, comment)
    return RedirectResponse(f"/requests/{request_id}", status_code=303)


async def _start_session(web: WebContext, request: Request, caller: Caller) -> Response:
    request_id = request.path_params["request_id"]
    creds = await run_in_threadpool(web.broker.start_session, request_id, caller.person)
    return render(
        web,
        "credentials.html",
        caller.session,
        request_id=request_id,
        creds=creds,
        env=env_lines(creds),
        process=process_json(creds),
    )


async def _console(web: WebContext, request: Request, caller: Caller) -> Response:
    # A page with the link rather than a redirect: the CSP's form-action 'self' also covers where a
    # form's redirect leads, and the person should see where the link goes before opening it.
    request_id = request.path_params["request_id"]
    sign_in = await run_in_threadpool(web.broker.console_url, request_id, caller.person)
    return render(web, "console.html", caller.session, request_id=request_id, console=sign_in)


async def _review(web: WebContext, request: Request, caller: Caller) -> Response:
    pending = await run_in_threadpool(to_review, web.broker, caller.person)
    uses = await run_in_threadpool(reviewable_uses, web.broker, caller.person)
    return render(web, "review.html", caller.session, requests=pending, unreviewed=uses, reviewable=None)


async def _audit(web: WebContext, request: Request, caller: Caller) -> Response:
    wanted = read_filter(request.query_params)
    history = await run_in_threadpool(audited_history, web.broker, caller.person, wanted)
    return render(
        web,
        "audit.html",
        caller.session,
        history=history,
        filters=dict(request.query_params),
        states=list(RequestState),
    )


async def _export(web: WebContext, request: Request, caller: Caller) -> Response:
    wanted = read_filter(request.query_params)
    fmt = request.query_params.get("format", "csv")
    if fmt not in ("csv", "jsonl"):
        raise WebError(WebErrorCode.INVALID_INPUT, f"`{fmt}` is not csv or jsonl")
    rows = export_rows(await run_in_threadpool(audited_history, web.broker, caller.person, wanted))
    if fmt == "csv":
        body, media = export_csv(rows), "text/csv; charset=utf-8"
    else:
        body, media = export_jsonl(rows), "application/jsonl; charset=utf-8"
    disposition = f'attachment; filename="broker-history.{fmt}"'
    return PlainTextResponse(body, media_type=media, headers={"content-disposition": disposition})


new_request = page(_new)
create_request = page(_create)
request_detail = page(_detail)
approve = page(_decision("approve"))
reject = page(_decision("reject"))
cancel = page(_decision("cancel"))
revoke = page(_decision("revoke"))
review_break_glass = page(_review_break_glass)
start_session = page(_start_session)
console = page(_console)
review = page(_review)
audit = page(_audit)
export = page(_export)
