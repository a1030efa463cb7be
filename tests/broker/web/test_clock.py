"""Time through the web edge, the clock moved by the test: zones, windows, expiries of requests, sessions, tokens.

Times are ISO 8601 and must name their zone; an offset is the same instant as its UTC form. A
session is at least 900 seconds (https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html),
so none starts in a window's last 15 minutes; an ID token past `exp` is refused
(https://openid.net/specs/openid-connect-core-1_0.html#IDTokenValidation).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import httpx
import pytest

from .conftest import WebBroker, csrf_of, id_token, sign_in

INCIDENT = "INC-1042: restore bucket policy"


def _ask(client: httpx.Client, **changes: Any) -> httpx.Response:
    body = {
        "account": "111122223333",
        "role": "TempAccessRoleS3Admin",
        "durationSeconds": 3600,
        "justification": INCIDENT,
        **changes,
    }
    return client.post("/api/v1/requests", json=body, headers={"x-csrf-token": csrf_of(client)})


def _post(client: httpx.Client, path: str) -> httpx.Response:
    return client.post(path, headers={"x-csrf-token": csrf_of(client)})


def test_a_start_time_must_name_its_zone_and_an_offset_is_the_same_instant(web: WebBroker) -> None:
    """`…T10:00` is refused; `+05:00` is stored as the UTC instant; a start in the past once converted is refused."""
    alice = sign_in(web, "alice")
    naive = _ask(alice, start="2030-01-01T10:00:00")
    assert (naive.status_code, naive.json()["error"]["code"]) == (400, "INVALID_TIME")
    later = (web.clock.now() + timedelta(hours=3)).astimezone(timezone(timedelta(hours=5))).replace(microsecond=0)
    created = _ask(alice, start=later.isoformat())
    assert created.status_code == 201, created.text
    in_utc = later.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert created.json()["scheduledStart"] == in_utc
    assert alice.get(f"/api/v1/requests/{created.json()['id']}").json()["scheduledStart"] == in_utc
    # Ten minutes ago, written in a zone 14 hours ahead: the wall time looks like tomorrow, the instant is past.
    past = (web.clock.now() - timedelta(minutes=10)).astimezone(timezone(timedelta(hours=14)))
    refused = _ask(alice, start=past.isoformat())
    assert (refused.status_code, refused.json()["error"]["code"]) == (400, "SCHEDULED_IN_THE_PAST")
    garbage = _ask(alice, start="tomorrow at nine")
    assert (garbage.status_code, garbage.json()["error"]["code"]) == (400, "INVALID_TIME")


def test_sessions_stop_at_the_end_of_the_window(web: WebBroker) -> None:
    """Inside the window a session starts; in its last 15 minutes it does not; at its end the request has ended."""
    alice, bob = sign_in(web, "alice"), sign_in(web, "bob")
    request_id = _ask(alice).json()["id"]
    window_end = datetime.fromisoformat(_post(bob, f"/api/v1/requests/{request_id}/approve").json()["windowEnd"])
    assert _post(alice, f"/api/v1/requests/{request_id}/sessions").status_code == 201
    web.clock.advance(window_end - web.clock.now() - timedelta(seconds=899))
    short = _post(alice, f"/api/v1/requests/{request_id}/sessions")
    assert (short.status_code, short.json()["error"]["code"]) == (409, "WINDOW_TOO_SHORT")
    # windowEnd is given to the second: one more second is surely past the stored end.
    web.clock.advance(timedelta(seconds=900))
    ended = _post(alice, f"/api/v1/requests/{request_id}/sessions")
    assert (ended.status_code, ended.json()["error"]["code"]) == (409, "INVALID_TRANSITION")
    assert alice.get(f"/api/v1/requests/{request_id}").json()["state"] == "ended"


# Web sessions outlive the 24 hours here, since the provider's clock (for a new sign-in) does not move.
@pytest.mark.parametrize("web", [{"session_seconds": 2 * 86400}], indirect=True)
def test_a_request_nobody_reviews_expires_after_24_hours(web: WebBroker) -> None:
    """At pending_until the request is expired: bob's approval comes too late."""
    alice, bob = sign_in(web, "alice"), sign_in(web, "bob")
    created = _ask(alice).json()
    pending_until = datetime.fromisoformat(created["pendingUntil"])
    assert pending_until - datetime.fromisoformat(created["createdAt"]) == timedelta(hours=24)
    web.clock.advance(pending_until - web.clock.now() + timedelta(seconds=1))
    late = _post(bob, f"/api/v1/requests/{created['id']}/approve")
    assert late.status_code == 409
    assert late.json()["error"]["code"] in ("REQUEST_EXPIRED", "INVALID_TRANSITION")
    assert alice.get(f"/api/v1/requests/{created['id']}").json()["state"] == "expired"


def test_a_web_session_ends_after_its_lifetime(web: WebBroker) -> None:
    """Eight hours after sign-in the server-side session is gone: the cookie alone signs nobody in."""
    alice = sign_in(web, "alice")
    assert alice.get("/api/v1/me").status_code == 200
    web.clock.advance(timedelta(hours=8, seconds=1))
    assert alice.get("/api/v1/me").status_code == 401
    assert alice.get("/", follow_redirects=False).text.count("Sign in") >= 1


def test_an_expired_id_token_is_refused_as_a_bearer_token(web: WebBroker) -> None:
    """The same token works now and is refused once the clock is past its `exp` (plus 60 s of skew)."""
    token = id_token(web, "carol")
    with httpx.Client(base_url=web.url, headers={"authorization": f"Bearer {token}"}, timeout=20) as carol:
        assert carol.get("/api/v1/me").status_code == 200
        web.clock.advance(timedelta(hours=1, minutes=2))
        expired = carol.get("/api/v1/me")
        assert (expired.status_code, expired.json()["error"]["code"]) == (401, "INVALID_TOKEN")
