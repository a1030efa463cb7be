"""Break-glass through the web (scenario 05, point 7): access at once, listed first until someone reviews it.

The review is the after-the-fact approval of emergency access: someone who could have approved the
request — never its user — records an outcome and a comment. Authorization comes from the signed-in
person and the stored request; a request someone may not see answers like a missing one
(https://cheatsheetseries.owasp.org/cheatsheets/Insecure_Direct_Object_Reference_Prevention_Cheat_Sheet.html).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from .conftest import WebBroker, allow_break_glass, csrf_of, sign_in

CASES = yaml.safe_load((Path(__file__).parent / "cases" / "break_glass_reviews.yaml").read_text(encoding="utf-8"))
EMERGENCY = "INC-1043: production outage"
UNREVIEWED_BLOCK = 'data-testid="unreviewed-break-glass"'


def _ask(client: httpx.Client, *, break_glass: bool) -> str:
    body = {
        "account": "111122223333",
        "role": "TempAccessRoleS3Admin",
        "durationSeconds": "1h",
        "justification": EMERGENCY if break_glass else "INC-1042: restore bucket policy",
        "breakGlass": break_glass,
    }
    created = client.post("/api/v1/requests", json=body, headers={"x-csrf-token": csrf_of(client)})
    assert created.status_code == 201, created.text
    assert created.json()["state"] == ("approved" if break_glass else "pending")
    request_id = created.json()["id"]
    assert isinstance(request_id, str)
    return request_id


def _form_token(client: httpx.Client) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/").text)
    assert found is not None
    return found.group(1)


def _review(client: httpx.Client, request_id: str, case: dict[str, Any]) -> httpx.Response:
    fields = {"outcome": case["outcome"], "comment": case["comment"], **case.get("extra", {})}
    if case["through"] == "api":
        headers = {"x-csrf-token": csrf_of(client)} if case.get("csrf", True) else {}
        return client.post(f"/api/v1/requests/{request_id}/review", json=fields, headers=headers)
    if case.get("csrf", True):
        fields["csrf_token"] = _form_token(client)
    return client.post(f"/requests/{request_id}/review", data=fields, follow_redirects=False)


def _code(answer: httpx.Response, through: str) -> str | None:
    if through == "api":
        code = answer.json()["error"]["code"]
        assert isinstance(code, str)
        return code
    found = re.search(r'class="error"[^>]*data-code="(\w+)"', answer.text)
    return None if found is None else found.group(1)


def _unreviewed_ids(client: httpx.Client, **params: str) -> list[str]:
    return [u["requestId"] for u in client.get("/api/v1/requests", params=params).json()["unreviewedBreakGlass"]]


def test_who_may_review_a_break_glass_use(web: WebBroker) -> None:
    """Each case of break_glass_reviews.yaml: the eligible reviewer records it; everyone else is refused with a code."""
    allow_break_glass(web)
    people = {who: sign_in(web, who) for who in ("alice", "bob", "carol", "mallory")}
    for case in CASES["cases"]:
        request_id = _ask(people["alice"], break_glass=case.get("break_glass", True))
        if case.get("reviewed_first"):
            first = {"outcome": "justified", "comment": "first review", "through": "api"}
            assert _review(people["bob"], request_id, first).status_code == 200
        answer = _review(people[case["by"]], request_id, case)
        assert answer.status_code == case["status"], (case["name"], answer.text)
        stored = people["carol"].get(f"/api/v1/requests/{request_id}").json()["breakGlassReview"]
        if "code" in case:
            assert _code(answer, case["through"]) == case["code"], case["name"]
            if stored is not None and not case.get("reviewed_first"):
                assert stored["reviewer"] is None, case["name"]  # a refusal leaves the review open
            continue
        if case["through"] == "form":
            assert answer.headers["location"] == f"/requests/{request_id}"
        else:
            assert answer.json()["reviewer"] == "bob@example.com"
        assert (stored["reviewer"], stored["outcome"], stored["comment"]) == (
            f"{case['by']}@example.com",
            case["outcome"],
            case["comment"],
        ), case["name"]


def test_unreviewed_uses_head_the_lists_until_reviewed(web: WebBroker) -> None:
    """A use heads bob's list, the auditor's history and the dashboards; once bob reviews it, it is listed no more."""
    allow_break_glass(web)
    alice, bob, carol, mallory = (sign_in(web, who) for who in ("alice", "bob", "carol", "mallory"))
    plain = _ask(alice, break_glass=False)
    used = _ask(alice, break_glass=True)
    listed = bob.get("/api/v1/requests").json()
    assert [(r["id"], r["unreviewedBreakGlass"]) for r in listed["requests"]] == [(used, True), (plain, False)]
    [use] = listed["unreviewedBreakGlass"]
    assert (use["requestId"], use["usedBy"], use["justification"], use["reviewer"]) == (
        used,
        "alice@example.com",
        EMERGENCY,
        None,
    )
    assert _unreviewed_ids(alice) == [used]
    assert _unreviewed_ids(bob, view="review") == [used]
    assert _unreviewed_ids(alice, view="review") == []  # she sees her use, but it is not hers to review
    assert mallory.get("/api/v1/requests").json() == {"unreviewedBreakGlass": [], "requests": []}
    assert [u["requestId"] for u in carol.get("/api/v1/history").json()["unreviewedBreakGlass"]] == [used]
    for client in (bob, carol, alice):
        assert UNREVIEWED_BLOCK in client.get("/").text
    assert UNREVIEWED_BLOCK in bob.get("/review").text and UNREVIEWED_BLOCK not in alice.get("/review").text
    page = bob.get(f"/requests/{used}").text
    assert "Unreviewed break-glass use" in page and f'action="/requests/{used}/review"' in page
    assert f'action="/requests/{used}/review"' not in alice.get(f"/requests/{used}").text

    done = bob.post(
        f"/api/v1/requests/{used}/review",
        json={"outcome": "justified", "comment": "outage confirmed"},
        headers={"x-csrf-token": csrf_of(bob)},
    )
    assert done.status_code == 200, done.text
    assert bob.get("/api/v1/requests").json()["unreviewedBreakGlass"] == []
    assert all(not r["unreviewedBreakGlass"] for r in bob.get("/api/v1/requests").json()["requests"])
    assert carol.get("/api/v1/history").json()["unreviewedBreakGlass"] == []
    for client in (bob, carol, alice):
        assert UNREVIEWED_BLOCK not in client.get("/").text
    assert 'data-testid="review-outcome">justified<' in carol.get(f"/requests/{used}").text
    kinds = [e["kind"] for e in carol.get(f"/api/v1/requests/{used}").json()["events"]]
    assert kinds[-1] == "break-glass-review"


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_the_request_form_checkbox_is_break_glass(web: WebBroker) -> None:
    """The form's emergency checkbox grants at once where the rule allows it, and refuses where it does not."""
    alice = sign_in(web, "alice")
    form = {
        "account": "111122223333",
        "role": "TempAccessRoleS3Admin",
        "duration": "1h",
        "justification": EMERGENCY,
        "break_glass": "true",
    }
    refused = alice.post("/requests", data={"csrf_token": _form_token(alice), **form})
    assert refused.status_code == 403 and 'data-code="BREAK_GLASS_NOT_ALLOWED"' in refused.text
    allow_break_glass(web)
    granted = alice.post("/requests", data={"csrf_token": _form_token(alice), **form})
    assert granted.status_code == 200 and 'data-testid="state">approved<' in granted.text
    assert 'data-testid="break-glass-review"' in granted.text
