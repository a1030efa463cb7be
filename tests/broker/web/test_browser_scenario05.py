"""Scenario 05 clicked through in headless Chromium: sign-in at a real OIDC provider, request, approval, expiry.

Debian's `chromium` is driven by Playwright (`executable_path`); the broker's STS/IAM target is
`iamtwin serve`, and boto3 uses the credentials the page shows. The web app's clock is then moved
past the approved window: a "Start session" click on the page still open is refused, and the request
shows as ended. A break-glass use is then clicked through from the form to bob's review, with the
unreviewed block heading his dashboard until he has reviewed it. Session ARNs follow
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-arns.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from .conftest import WebBroker, allow_break_glass

CHROMIUM = Path("/usr/bin/chromium")
# Nothing but 127.0.0.1: no background requests to the browser vendor's services (updates, sync, hints).
QUIET = [
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--disable-domain-reliability",
    "--no-first-run",
    "--disable-features=OptimizationHints,MediaRouter,Translate,AutofillServerCommunication",
]
INCIDENT = "INC-1042: restore bucket policy"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Headless Debian Chromium."""
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed at /usr/bin/chromium (apt-get install chromium)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=QUIET)
        yield launched
        launched.close()


def _signed_in(browser: Browser, web: WebBroker, who: str, violations: list[str]) -> Page:
    """A new browser context (its own cookies) signed in as `who` through the provider's login form.

    Content-Security-Policy violations the browser reports on the console are collected.
    """
    context = browser.new_context()
    context.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(web.url + "/")
    page.get_by_role("link", name="Sign in").click()
    page.wait_for_url(re.compile(re.escape(web.provider.issuer) + r"/interaction/"))
    page.get_by_label("Email").fill(f"{who}@example.com")
    page.get_by_label("Password").fill(f"{who}-password")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(web.url + "/")
    assert page.get_by_test_id("signed-in-as").inner_text() == f"{who}@example.com"
    return page


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_scenario_05_from_sign_in_to_expiry(browser: Browser, web: WebBroker, tmp_path: Path) -> None:
    """alice asks, mallory sees nothing, bob approves, alice's session works with boto3, then the window ends."""
    violations: list[str] = []
    alice = _signed_in(browser, web, "alice", violations)
    alice.get_by_role("link", name="Request access").click()
    alice.get_by_label("Account").fill("111122223333")
    alice.get_by_label("Role").fill("TempAccessRoleS3Admin")
    alice.get_by_label("Duration").fill("2h")
    alice.get_by_label("Justification").fill(INCIDENT)
    alice.get_by_role("button", name="Submit request").click()
    alice.wait_for_url(re.compile(r"/requests/r-[0-9a-f]{16}$"))
    request_id = alice.url.rsplit("/", 1)[1]
    assert alice.get_by_test_id("state").inner_text() == "pending"
    assert alice.get_by_role("button", name="Approve").count() == 0  # never on one's own request

    mallory = _signed_in(browser, web, "mallory", violations)
    answer = mallory.goto(f"{web.url}/requests/{request_id}")
    assert answer is not None and answer.status == 404
    assert mallory.locator(".error").get_attribute("data-code") == "UNKNOWN_REQUEST"

    bob = _signed_in(browser, web, "bob", violations)
    bob.get_by_role("link", name="1 request to review").click()
    bob.get_by_role("link", name=request_id).click()
    assert bob.get_by_test_id("justification").inner_text() == INCIDENT
    assert bob.get_by_role("heading", name="What this grants").is_visible()
    assert bob.locator(".simulation td", has_text="s3").count() > 0
    bob.screenshot(path=str(tmp_path / "decide.png"), full_page=True)
    bob.get_by_role("button", name="Approve").click()
    bob.wait_for_url(f"{web.url}/requests/{request_id}")
    assert bob.get_by_test_id("state").inner_text() == "approved"

    alice.reload()
    window = alice.get_by_test_id("window").inner_text()
    window_end = datetime.fromisoformat(window.split(" → ")[1])
    # A second tab on the same page stays open, its "Start session" form ready, for after the window.
    stale = alice.context.new_page()
    stale.goto(alice.url)
    alice.get_by_role("button", name="Start session").click()
    arn = alice.get_by_test_id("session-arn").inner_text()
    assert arn == f"arn:aws:sts::111122223333:assumed-role/TempAccessRoleS3Admin/alice@example.com+{request_id}"
    keys = [alice.get_by_test_id(k).inner_text() for k in ("access-key-id", "secret-access-key", "session-token")]
    assert web.server.client("sts", *keys).get_caller_identity()["Arn"] == arn
    assert "export AWS_SESSION_TOKEN=" in alice.get_by_test_id("env").inner_text()
    alice.screenshot(path=str(tmp_path / "credentials.png"), full_page=True)
    alice.go_back()
    alice.get_by_role("button", name="Open the console").click()
    link = alice.get_by_test_id("console-link").get_attribute("href")
    assert link is not None and link.startswith(web.server.url + "/federation?Action=login&")

    carol = _signed_in(browser, web, "carol", violations)
    carol.get_by_role("link", name="Audit", exact=True).click()
    assert carol.get_by_role("link", name=request_id).count() == 1
    exported = carol.request.get(f"{web.url}/audit/export?format=csv")
    assert exported.ok and f"{request_id},alice@example.com,111122223333" in exported.text()
    assert ",session," in exported.text()

    web.clock.advance(window_end - web.clock.now() + timedelta(seconds=1))
    stale.get_by_role("button", name="Start session").click()
    assert stale.locator(".error").get_attribute("data-code") == "INVALID_TRANSITION"
    alice.goto(f"{web.url}/requests/{request_id}")
    assert alice.get_by_test_id("state").inner_text() == "ended"
    assert alice.get_by_role("button", name="Start session").count() == 0
    assert violations == []


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_break_glass_and_its_review_by_bob(browser: Browser, web: WebBroker, tmp_path: Path) -> None:
    """alice breaks the glass from the form; bob finds it heading his dashboard, reviews it; it is listed no more."""
    allow_break_glass(web)
    violations: list[str] = []
    alice = _signed_in(browser, web, "alice", violations)
    alice.get_by_role("link", name="Request access").click()
    alice.get_by_label("Account").fill("111122223333")
    alice.get_by_label("Role").fill("TempAccessRoleS3Admin")
    alice.get_by_label("Duration").fill("1h")
    alice.get_by_label("Justification").fill("INC-1043: production outage")
    alice.get_by_label("Emergency (break-glass)").check()
    alice.get_by_role("button", name="Submit request").click()
    alice.wait_for_url(re.compile(r"/requests/r-[0-9a-f]{16}$"))
    request_id = alice.url.rsplit("/", 1)[1]
    assert alice.get_by_test_id("state").inner_text() == "approved"  # at once, nobody approved
    assert alice.get_by_test_id("break-glass-review").is_visible()
    assert alice.get_by_role("button", name="Record review").count() == 0  # never the user

    bob = _signed_in(browser, web, "bob", violations)
    block = bob.get_by_test_id("unreviewed-break-glass")
    assert block.is_visible()
    assert bob.locator("main > :first-child").get_attribute("data-testid") == "unreviewed-break-glass"
    assert block.get_by_role("link", name=request_id).count() == 1
    bob.screenshot(path=str(tmp_path / "unreviewed.png"), full_page=True)
    block.get_by_role("link", name="Review it").click()
    bob.wait_for_url(re.compile(re.escape(f"{web.url}/requests/{request_id}") + "#review$"))
    bob.get_by_label("justified", exact=True).check()
    bob.get_by_label("Comment").fill("outage confirmed in INC-1043")
    bob.get_by_role("button", name="Record review").click()
    bob.wait_for_url(f"{web.url}/requests/{request_id}")
    assert bob.get_by_test_id("review-outcome").inner_text() == "justified"
    assert bob.get_by_test_id("reviewer").inner_text() == "bob@example.com"
    bob.get_by_role("link", name="My requests").click()
    bob.wait_for_url(web.url + "/")
    assert bob.get_by_test_id("unreviewed-break-glass").count() == 0
    alice.goto(web.url + "/")
    assert alice.get_by_test_id("unreviewed-break-glass").count() == 0
    assert violations == []
