"""Who is calling: a person from a server-side session (pages, and API calls with the CSRF header) or a bearer ID token.

A bearer token is an ID token of the configured provider for this client, checked as at sign-in
(signature against the JWKS, issuer, audience, expiry), so scripts call the API with the same
identity and authorization as the browser. A cookie-authenticated API call that changes anything
must carry the session's CSRF token in `X-CSRF-Token`; a bearer call carries no ambient credential,
so it needs none.
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request

from ..rules import Person
from .context import WebContext
from .csrf import HEADER, check_csrf
from .errors import WebError, WebErrorCode
from .sessions import COOKIE_NAME, WebSession

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True, slots=True)
class Caller:
    """The person calling, and the session they called through (None for a bearer token)."""

    person: Person
    session: WebSession | None


def browser_session(web: WebContext, request: Request) -> WebSession | None:
    """The live server-side session named by the request's cookie, if any."""
    return web.sessions.get(request.cookies.get(COOKIE_NAME))


def signed_in(web: WebContext, request: Request) -> Caller:
    """The signed-in person of a page request, or NOT_SIGNED_IN."""
    session = browser_session(web, request)
    if session is None or session.person is None:
        raise WebError(WebErrorCode.NOT_SIGNED_IN, "sign in first")
    return Caller(session.person, session)


async def api_caller(web: WebContext, request: Request) -> Caller:
    """The person of an API call: a bearer ID token, or a session cookie (with the CSRF header to change anything)."""
    authorization = request.headers.get("authorization", "")
    scheme, _, token = authorization.partition(" ")
    if authorization:
        if scheme.lower() != "bearer" or not token.strip():
            raise WebError(WebErrorCode.INVALID_TOKEN, "the Authorization header must be `Bearer <ID token>`")
        claims = await web.oidc.validate(token.strip())
        return Caller(web.oidc.person(claims), None)
    caller = signed_in(web, request)
    if request.method not in SAFE_METHODS:
        check_csrf(caller.session, request.headers.get(HEADER))
    return caller
