"""Sign-in and sign-out routes: start the OIDC flow, finish it at the callback, end the session."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ...errors import IamtwinError
from .context import context_of
from .csrf import FORM_FIELD, check_csrf
from .errors import WebError, WebErrorCode, http_status
from .identity import browser_session
from .pages import render, set_session_cookie
from .sessions import COOKIE_NAME


def safe_next(value: str | None) -> str:
    """A path on this site to return to after sign-in; anything else (another host, `//x`, `/\\x`) becomes `/`."""
    if not value or not value.startswith("/") or value.startswith(("//", "/\\")) or any(c in value for c in "\r\n"):
        return "/"
    return value


async def login(request: Request) -> Response:
    """Send the browser to the provider, remembering state, nonce and PKCE verifier server-side."""
    web = context_of(request)
    try:
        url, attempt = await web.oidc.start(safe_next(request.query_params.get("next")))
    except IamtwinError as error:
        return render(web, "error.html", None, http_status(error), code=error.code, message=error.message)
    session = web.sessions.new(login=attempt)
    response = RedirectResponse(url, status_code=303)
    set_session_cookie(web, response, session)
    return response


async def callback(request: Request) -> Response:
    """Finish the sign-in: the pending attempt is used once, and a new session id is issued for the person."""
    web = context_of(request)
    session = browser_session(web, request)
    try:
        if session is None or session.login is None:
            raise WebError(WebErrorCode.SIGN_IN_FAILED, "no sign-in is under way in this browser; start again")
        attempt = session.login
        web.sessions.without_login(session)
        done = await web.oidc.finish(attempt, dict(request.query_params))
    except IamtwinError as error:
        return render(web, "error.html", None, http_status(error), code=error.code, message=error.message)
    fresh = web.sessions.signed_in(session, done.person)
    response = RedirectResponse(attempt.next_path, status_code=303)
    set_session_cookie(web, response, fresh)
    return response


async def logout(request: Request) -> Response:
    """End the session (a POST with the CSRF token, so another site cannot sign people out)."""
    web = context_of(request)
    session = browser_session(web, request)
    form = await request.form()
    token = form.get(FORM_FIELD)
    try:
        check_csrf(session, token if isinstance(token, str) else None)
    except WebError as error:
        return render(web, "error.html", session, error.status, code=error.code, message=error.message)
    if session is not None:
        web.sessions.drop(session.id)
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(COOKIE_NAME, path="/", secure=web.config.secure_cookies, httponly=True, samesite="lax")
    return response
