"""The known attacks on access brokers, over HTTP against the running web app: each fails safely.

Signed in through the real provider; the approval form and API carry only the request id (in the
URL), the CSRF token and the decision, so the stored request decides duration, role and account.
CSRF: the synchronizer token pattern
(https://cheatsheetseries.owasp.org/cheatsheets/Cross-Site_Request_Forgery_Prevention_Cheat_Sheet.html).
XSS: output encoding by Jinja2 autoescape and a CSP without inline scripts
(https://cheatsheetseries.owasp.org/cheatsheets/Cross_Site_Scripting_Prevention_Cheat_Sheet.html).
IDOR: a request someone may not see answers exactly like one that does not exist
(https://cheatsheetseries.owasp.org/cheatsheets/Insecure_Direct_Object_Reference_Prevention_Cheat_Sheet.html).
"""

from __future__ import annotations

import re
import threading
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from iamtwin.broker.web.auth import safe_next

from .conftest import WebBroker, csrf_of, sign_in

INCIDENT = "INC-1042: restore bucket policy"
ROLE = "TempAccessRoleS3Admin"
ACCOUNT = "111122223333"
CASES = yaml.safe_load((Path(__file__).parent / "cases" / "eligibility_attacks.yaml").read_text(encoding="utf-8"))


def _ask(client: httpx.Client, **changes: Any) -> httpx.Response:
    body = {"account": ACCOUNT, "role": ROLE, "durationSeconds": 7200, "justification": INCIDENT, **changes}
    return client.post("/api/v1/requests", json=body, headers={"x-csrf-token": csrf_of(client)})


def _requested(web: WebBroker, **changes: Any) -> str:
    created = _ask(sign_in(web, "alice"), **changes)
    assert created.status_code == 201, created.text
    request_id = created.json()["id"]
    assert isinstance(request_id, str)
    return request_id


def _form_token(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found is not None
    return found.group(1)


def _stored(web: WebBroker, request_id: str) -> dict[str, Any]:
    carol = sign_in(web, "carol")
    answer = carol.get(f"/api/v1/requests/{request_id}").json()
    assert isinstance(answer, dict)
    return answer


def _kinds(web: WebBroker, request_id: str) -> list[str]:
    return [e["kind"] for e in _stored(web, request_id)["events"]]


def test_altering_duration_role_or_account_in_the_approval_changes_nothing(web: WebBroker) -> None:
    """Extra fields posted with an approval (form or API) are ignored: the stored request's values are granted."""
    request_id = _requested(web)
    bob = sign_in(web, "bob")
    page = bob.get(f"/requests/{request_id}")
    approved = bob.post(
        f"/requests/{request_id}/approve",
        data={
            "csrf_token": _form_token(page.text),
            "decision": "approve",
            "duration": "14400",
            "durationSeconds": "86400",
            "role": "OrganizationAccountAccessRole",
            "account": "999999999999",
        },
    )
    assert approved.status_code == 200
    stored = _stored(web, request_id)
    assert (stored["state"], stored["durationSeconds"], stored["role"], stored["account"]) == (
        "approved",
        7200,
        ROLE,
        ACCOUNT,
    )
    # The same through the API: the body's fields other than `reason` are not read.
    other = _requested(web)
    answer = bob.post(
        f"/api/v1/requests/{other}/approve",
        json={"durationSeconds": 86400, "role": "Admin", "account": "999999999999"},
        headers={"x-csrf-token": csrf_of(bob)},
    )
    assert answer.status_code == 200
    assert (answer.json()["durationSeconds"], answer.json()["role"], answer.json()["account"]) == (7200, ROLE, ACCOUNT)


def test_replaying_another_reviewers_approval_form_is_refused(web: WebBroker) -> None:
    """bob's form (his CSRF token) posted in dave's session is refused; bob replaying it after approval is a 409."""
    request_id = _requested(web)
    bob, dave = sign_in(web, "bob"), sign_in(web, "dave")
    bobs_token = _form_token(bob.get(f"/requests/{request_id}").text)
    replayed = dave.post(f"/requests/{request_id}/approve", data={"csrf_token": bobs_token, "decision": "approve"})
    assert replayed.status_code == 403
    assert 'data-code="CSRF_FAILED"' in replayed.text
    assert _stored(web, request_id)["state"] == "pending"
    assert bob.post(f"/requests/{request_id}/approve", data={"csrf_token": bobs_token}).status_code == 200
    again = bob.post(f"/requests/{request_id}/approve", data={"csrf_token": bobs_token})
    assert again.status_code == 409
    assert _kinds(web, request_id).count("approval") == 1


def test_cross_site_posts_without_the_token_are_refused(web: WebBroker) -> None:
    """A form posted from another site carries bob's cookie but not his token: no approval, no request, no sign-out."""
    request_id = _requested(web)
    bob = sign_in(web, "bob")
    forged = bob.post(f"/requests/{request_id}/approve", data={"decision": "approve"})
    assert forged.status_code == 403
    assert bob.post("/api/v1/requests/" + request_id + "/approve").status_code == 403
    assert bob.post("/logout").status_code == 403
    assert _stored(web, request_id)["state"] == "pending"
    alice = sign_in(web, "alice")
    body = {"account": ACCOUNT, "role": ROLE, "duration": "2h", "justification": INCIDENT}
    assert alice.post("/requests", data=body).status_code == 403
    assert alice.post("/api/v1/requests", json=body).status_code == 403


def test_mallory_cannot_see_approve_or_use_alices_request(web: WebBroker) -> None:
    """Every way to reach a request mallory may not see answers like a request that does not exist (404)."""
    request_id = _requested(web)
    mallory = sign_in(web, "mallory")
    token = csrf_of(mallory)
    missing = "r-0000000000000000"
    for target in (request_id, missing):
        assert mallory.get(f"/requests/{target}").status_code == 404
        shown = mallory.get(f"/api/v1/requests/{target}")
        assert (shown.status_code, shown.json()["error"]["code"]) == (404, "UNKNOWN_REQUEST")
        for action in ("approve", "reject", "cancel", "revoke", "sessions"):
            answer = mallory.post(f"/api/v1/requests/{target}/{action}", headers={"x-csrf-token": token})
            assert (answer.status_code, answer.json()["error"]["code"]) == (404, "UNKNOWN_REQUEST"), action
    assert mallory.get("/api/v1/requests").json() == {"unreviewedBreakGlass": [], "requests": []}
    assert mallory.get("/audit").status_code == 403
    assert mallory.get("/api/v1/history").status_code == 403
    assert _stored(web, request_id)["state"] == "pending"


def test_nobody_approves_their_own_request_and_only_the_requester_starts_sessions(web: WebBroker) -> None:
    """alice's approval of her own request is refused; bob, who approved, cannot start alice's session."""
    request_id = _requested(web)
    alice, bob = sign_in(web, "alice"), sign_in(web, "bob")
    own = alice.post(f"/api/v1/requests/{request_id}/approve", headers={"x-csrf-token": csrf_of(alice)})
    assert (own.status_code, own.json()["error"]["code"]) == (403, "SELF_APPROVAL_FORBIDDEN")
    assert bob.post(f"/api/v1/requests/{request_id}/approve", headers={"x-csrf-token": csrf_of(bob)}).status_code == 200
    taken = bob.post(f"/api/v1/requests/{request_id}/sessions", headers={"x-csrf-token": csrf_of(bob)})
    assert (taken.status_code, taken.json()["error"]["code"]) == (403, "NOT_THE_REQUESTER")


def test_a_justification_is_shown_as_text_never_as_markup(web: WebBroker) -> None:
    """Script in a justification is escaped on the reviewer's and auditor's pages, and the CSP forbids scripts."""
    attack = '<script>alert(1)</script><img src=x onerror="alert(2)">"\'&'
    request_id = _requested(web, justification=attack)
    for who, path in (("bob", f"/requests/{request_id}"), ("carol", "/audit"), ("bob", "/review")):
        page = sign_in(web, who).get(path)
        assert page.status_code == 200
        assert "<script>" not in page.text and "<img src=x" not in page.text
        if path != "/review":
            assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=&#34;alert(2)&#34;&gt;" in page.text
        policy = page.headers["content-security-policy"]
        assert "script-src 'none'" in policy and "frame-ancestors 'none'" in policy
        assert page.headers["x-frame-options"] == "DENY"
    csv_text = sign_in(web, "carol").get("/audit/export", params={"format": "csv"}).text
    assert attack.replace('"', '""') in csv_text


def test_csv_export_does_not_let_a_justification_become_a_formula(web: WebBroker) -> None:
    """A cell starting with `=` is written as text (prefixed `'`), so a spreadsheet does not run it."""
    _requested(web, justification='=HYPERLINK("http://evil.example","x")')
    exported = sign_in(web, "carol").get("/api/v1/history", params={"format": "csv"}).text
    assert "'=HYPERLINK" in exported


# Matching happens in the rules, not the database: one database kind is enough for the table.
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("case", CASES["cases"], ids=[c["name"] for c in CASES["cases"]])
def test_eligibility_never_matches_by_substring(web: WebBroker, case: dict[str, Any]) -> None:
    """Each case of cases/eligibility_attacks.yaml."""
    answer = _ask(sign_in(web, case["who"]), account=case["account"], role=case["role"])
    assert answer.status_code == case["status"], answer.text
    if "code" in case:
        assert answer.json()["error"]["code"] == case["code"]


def test_mallorys_lookalike_reviewer_group_approves_nothing(web: WebBroker) -> None:
    """`reviewers-11112222333` is not `reviewers-111122223333`: mallory cannot even see the request."""
    request_id = _requested(web)
    mallory = sign_in(web, "mallory")
    answer = mallory.post(f"/api/v1/requests/{request_id}/approve", headers={"x-csrf-token": csrf_of(mallory)})
    assert answer.status_code == 404
    to_review = mallory.get("/api/v1/requests", params={"view": "review"}).json()
    assert to_review == {"unreviewedBreakGlass": [], "requests": []}


def test_two_reviewers_approving_at_once_make_one_approval(web: WebBroker) -> None:
    """bob and dave approve the same request at once: one succeeds, the other is refused, one approval is stored."""
    request_id = _requested(web)
    reviewers = [sign_in(web, "bob"), sign_in(web, "dave")]
    tokens = [csrf_of(c) for c in reviewers]
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def approve(index: int) -> None:
        barrier.wait()
        answer = reviewers[index].post(
            f"/api/v1/requests/{request_id}/approve", headers={"x-csrf-token": tokens[index]}
        )
        statuses.append(answer.status_code)

    threads = [threading.Thread(target=approve, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(statuses) == [200, 409]
    assert _kinds(web, request_id).count("approval") == 1
    assert _stored(web, request_id)["state"] == "approved"


def test_after_sign_in_the_browser_returns_only_to_this_site() -> None:
    """`next` must be a path here: another host, `//host` and `/\\host` become `/`."""
    assert safe_next("/requests/r-1") == "/requests/r-1"
    for hostile in (
        "https://evil.example/",
        "//evil.example",
        "/\\evil.example",
        "evil",
        "",
        None,
        "/x\r\nSet-Cookie: a",
    ):
        assert safe_next(hostile) == "/"
