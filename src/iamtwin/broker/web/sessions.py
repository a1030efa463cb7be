"""Server-side sessions: a random id in an HttpOnly cookie, everything else kept in this process.

The store is in memory, so the web app runs as one process (one uvicorn worker); a restart signs
everybody out, which is the safe direction. The id is 256 random bits; it is replaced at sign-in
(so an id planted before sign-in is worthless afterwards) and deleted at sign-out.
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from ...clock import Clock
from ..rules import Person
from .oidc import LoginAttempt

COOKIE_NAME = "iamtwin_broker_session"
PENDING_LOGIN_SECONDS = 600


@dataclass(frozen=True, slots=True)
class WebSession:
    """One browser's session: its CSRF token, the signed-in person (if any) and a sign-in under way."""

    id: str
    csrf_token: str
    expires_at: datetime
    person: Person | None = None
    login: LoginAttempt | None = None


class SessionStore:
    """Sessions by id, in memory, each ending at its `expires_at` by the injected clock."""

    def __init__(self, clock: Clock, lifetime_seconds: int) -> None:
        self.clock = clock
        self.lifetime = timedelta(seconds=lifetime_seconds)
        self._sessions: dict[str, WebSession] = {}
        self._lock = threading.Lock()

    def get(self, session_id: str | None) -> WebSession | None:
        """The live session of this id, or None (also for an expired one, which is forgotten)."""
        if not session_id:
            return None
        with self._lock:
            found = self._sessions.get(session_id)
            if found is not None and found.expires_at <= self.clock.now():
                del self._sessions[session_id]
                return None
            return found

    def new(self, *, login: LoginAttempt | None = None, person: Person | None = None) -> WebSession:
        """A fresh session (new id, new CSRF token); a pending sign-in lives only a few minutes."""
        seconds = timedelta(seconds=PENDING_LOGIN_SECONDS) if person is None else self.lifetime
        session = WebSession(
            secrets.token_urlsafe(32), secrets.token_urlsafe(32), self.clock.now() + seconds, person, login
        )
        with self._lock:
            self._sweep()
            self._sessions[session.id] = session
        return session

    def signed_in(self, previous: WebSession, person: Person) -> WebSession:
        """Replace the pre-sign-in session with a signed-in one under a new id."""
        self.drop(previous.id)
        return self.new(person=person)

    def without_login(self, session: WebSession) -> WebSession:
        """The session with its pending sign-in consumed (a callback can be used once)."""
        updated = replace(session, login=None)
        with self._lock:
            if session.id in self._sessions:
                self._sessions[session.id] = updated
        return updated

    def drop(self, session_id: str) -> None:
        """Forget a session (sign-out)."""
        with self._lock:
            self._sessions.pop(session_id, None)

    def _sweep(self) -> None:
        now = self.clock.now()
        for session_id in [k for k, v in self._sessions.items() if v.expires_at <= now]:
            del self._sessions[session_id]
