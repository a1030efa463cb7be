"""CSRF protection: a per-session token in every form (and API calls' `X-CSRF-Token` header), checked on each POST.

The token is random and bound to the server-side session (the synchronizer token pattern of
https://cheatsheetseries.owasp.org/cheatsheets/Cross-Site_Request_Forgery_Prevention_Cheat_Sheet.html),
so a form captured from one person's page is refused in anyone else's session; the session cookie
is also SameSite=Lax.
"""

from __future__ import annotations

import secrets

from .errors import WebError, WebErrorCode
from .sessions import WebSession

FORM_FIELD = "csrf_token"
HEADER = "x-csrf-token"


def check_csrf(session: WebSession | None, presented: str | None) -> None:
    """Refuse unless the presented token is this session's."""
    if session is None or not presented or not secrets.compare_digest(presented, session.csrf_token):
        raise WebError(WebErrorCode.CSRF_FAILED, "the form's CSRF token is missing or not this session's")
