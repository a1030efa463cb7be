"""The other decisions through plain forms: cancel, reject with a reason, revoke, the auditor's filters, bad input."""

from __future__ import annotations

import re

import httpx

from .conftest import WebBroker, sign_in

INCIDENT = "INC-1042: restore bucket policy"


def _token(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found is not None
    return found.group(1)


def _create(alice: httpx.Client, **changes: str) -> httpx.Response:
    form = {"account": "111122223333", "role": "TempAccessRoleS3Admin", "duration": "2h", "justification": INCIDENT}
    return alice.post("/requests", data={"csrf_token": _token(alice.get("/requests/new").text), **form, **changes})


def _id(answer: httpx.Response) -> str:
    assert answer.status_code == 200 and re.search(r"/requests/r-[0-9a-f]{16}$", str(answer.url)), answer.text
    return str(answer.url).rsplit("/", 1)[1]


def _state(client: httpx.Client, request_id: str) -> str:
    found = re.search(r'data-testid="state">(\w+)<', client.get(f"/requests/{request_id}").text)
    assert found is not None
    return found.group(1)


def test_the_form_lists_eligibility_and_refuses_bad_asks_with_their_codes(web: WebBroker) -> None:
    """alice's form names her role; too long, empty, break-glass where not allowed: refused with a code, input kept."""
    alice = sign_in(web, "alice")
    form = alice.get("/requests/new").text
    assert "TempAccessRoleS3Admin" in form and "240 min" in form
    too_long = _create(alice, duration="5h")
    assert too_long.status_code == 400 and 'data-code="DURATION_OVER_MAXIMUM"' in too_long.text
    assert INCIDENT in too_long.text  # what she typed is kept
    empty = _create(alice, justification="   ")
    assert 'data-code="EMPTY_JUSTIFICATION"' in empty.text
    unreadable = _create(alice, duration="two hours")
    assert unreadable.status_code == 400 and 'data-code="INVALID_INPUT"' in unreadable.text
    glass = _create(alice, break_glass="true")
    assert glass.status_code == 403 and 'data-code="BREAK_GLASS_NOT_ALLOWED"' in glass.text


def test_cancel_reject_and_revoke_through_the_pages(web: WebBroker) -> None:
    """alice cancels one request; bob rejects another with a reason and revokes a third after approving it."""
    alice, bob = sign_in(web, "alice"), sign_in(web, "bob")
    cancelled, rejected, revoked = (_id(_create(alice)) for _ in range(3))
    alice.post(f"/requests/{cancelled}/cancel", data={"csrf_token": _token(alice.get(f"/requests/{cancelled}").text)})
    assert _state(alice, cancelled) == "cancelled"
    page = bob.get(f"/requests/{rejected}").text
    bob.post(f"/requests/{rejected}/reject", data={"csrf_token": _token(page), "reason": "use the runbook"})
    assert _state(bob, rejected) == "rejected"
    assert "use the runbook" in bob.get(f"/requests/{rejected}").text
    bob.post(f"/requests/{revoked}/approve", data={"csrf_token": _token(bob.get(f"/requests/{revoked}").text)})
    bob.post(f"/requests/{revoked}/revoke", data={"csrf_token": _token(page), "reason": "done early"})
    assert _state(alice, revoked) == "revoked"
    # bob cannot cancel alice's request; the refusal is a page with the code.
    answer = bob.post(f"/requests/{rejected}/cancel", data={"csrf_token": _token(page)})
    assert answer.status_code == 403 and 'data-code="NOT_THE_REQUESTER"' in answer.text


def test_the_auditor_filters_by_state_and_requester(web: WebBroker) -> None:
    """carol's filters keep exactly the matching requests; a bad state or time is a clear refusal."""
    alice, bob, carol = sign_in(web, "alice"), sign_in(web, "bob"), sign_in(web, "carol")
    kept, other = _id(_create(alice)), _id(_create(alice))
    bob.post(f"/requests/{kept}/reject", data={"csrf_token": _token(bob.get(f"/requests/{kept}").text)})
    page = carol.get("/audit", params={"state": "rejected", "requester": "alice@example.com"}).text
    assert kept in page and other not in page
    assert other in carol.get("/audit", params={"state": "pending"}).text
    assert carol.get("/audit", params={"requester": "bob@example.com"}).text.count("/requests/r-") == 0
    assert carol.get("/audit", params={"state": "open"}).status_code == 400
    naive = carol.get("/audit", params={"since": "2026-01-01T00:00:00"})
    assert naive.status_code == 400 and 'data-code="INVALID_TIME"' in naive.text
    exported = carol.get("/audit/export", params={"format": "jsonl", "state": "rejected"})
    assert exported.headers["content-disposition"] == 'attachment; filename="broker-history.jsonl"'
    assert {line.split('"requestId": "')[1][:18] for line in exported.text.splitlines()} == {kept}


def test_signed_out_visitors_are_sent_to_sign_in(web: WebBroker) -> None:
    """A page redirects to /login with the path to come back to; a POST is refused."""
    visitor = web.client()
    answer = visitor.get("/review")
    assert (answer.status_code, answer.headers["location"]) == (303, "/login?next=/review")
    assert visitor.post("/requests", data={"account": "111122223333"}).status_code == 401
    assert "Sign in" in visitor.get("/").text
