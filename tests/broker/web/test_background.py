"""The web process does the broker's periodic work: sweeps on a timer, notifications right after each action.

Nobody runs `iamtwin broker sweep` or `iamtwin broker notify` here. The tests wait for the
background loop's rounds (`BackgroundWork.wait_until`), never for a fixed time; expiry is decided on
the broker's clock, which the test moves.
"""

from __future__ import annotations

import asyncio
import logging
import re
import threading
from datetime import datetime, timedelta

import pytest
import yaml
from tests.broker.estate import EXAMPLE_RULES
from tests.broker.receivers import webhook_server

from iamtwin.broker.web.background import BackgroundWork

from .conftest import WebBroker, csrf_of, sign_in

ASK = {
    "account": "111122223333",
    "role": "TempAccessRoleS3Admin",
    "durationSeconds": "2h",
    "justification": "INC-1042: restore bucket policy",
}
WAIT = 20.0


def _state(web: WebBroker, request_id: str) -> str:
    found, _ = web.broker.history(request_id, web.broker.person("carol@example.com"))
    return found.state.value


@pytest.mark.parametrize("web", [{"sweep_seconds": 0.05}], indirect=True)
def test_a_pending_request_expires_without_anyone_sweeping(web: WebBroker) -> None:
    """Once the broker's clock is past `pendingUntil`, the next sweep of the web process expires the request."""
    alice = sign_in(web, "alice")
    created = alice.post("/api/v1/requests", json=ASK, headers={"x-csrf-token": csrf_of(alice)}).json()
    assert web.work.wait_until(lambda: web.work.rounds >= 2, WAIT)  # sweeps run, and leave it pending
    assert _state(web, created["id"]) == "pending"
    web.clock.advance(datetime.fromisoformat(created["pendingUntil"]) - web.clock.now() + timedelta(seconds=1))
    assert web.work.wait_until(lambda: _state(web, created["id"]) == "expired", WAIT)
    _, events = web.broker.history(created["id"], web.broker.person("carol@example.com"))
    assert events[-1].to_state.value == "expired"


def test_a_web_action_notifies_without_anyone_running_notify(web: WebBroker) -> None:
    """alice's request and bob's approval (the timer off) reach the chat webhook: each action wakes the delivery."""
    with webhook_server() as (url, hook):
        rules = yaml.safe_load(EXAMPLE_RULES.read_text(encoding="utf-8"))
        rules["notifications"] = {"webhooks": [{"name": "security-chat", "url": url, "timeout_seconds": 5}]}
        web.broker.load_rules(yaml.safe_dump(rules))
        alice = sign_in(web, "alice")
        answer = alice.post("/api/v1/requests", json=ASK, headers={"x-csrf-token": csrf_of(alice)})
        assert answer.status_code == 201, answer.text
        request_id = answer.json()["id"]
        assert web.work.wait_until(lambda: any(request_id in str(post) for post in hook.posts), WAIT)
        # A decision through the page's form is delivered the same way.
        bob = sign_in(web, "bob")
        token = re.search(r'name="csrf_token" value="([^"]+)"', bob.get(f"/requests/{request_id}").text)
        assert token is not None
        approved = bob.post(f"/requests/{request_id}/approve", data={"csrf_token": token.group(1)})
        assert 'data-testid="state">approved<' in approved.text
        assert web.work.wait_until(lambda: len(hook.posts) >= 2, WAIT)
        assert request_id in str(hook.posts[1]) and web.work.interval == 0


class FailingOnceBroker:
    """A broker whose first sweep and first delivery raise, counting every call."""

    def __init__(self) -> None:
        self.sweeps = 0
        self.deliveries = 0

    def sweep(self) -> object:
        """Fail the first time."""
        self.sweeps += 1
        if self.sweeps == 1:
            raise RuntimeError("the database went away")
        return None

    def deliver_notifications(self, limit: int = 100) -> object:
        """Fail the first time."""
        self.deliveries += 1
        if self.deliveries == 1:
            raise RuntimeError("the outbox is locked")
        return None


def test_a_failing_round_is_logged_and_the_loop_goes_on(caplog: pytest.LogCaptureFixture) -> None:
    """Both failures are logged on `iamtwin.broker`; the next rounds sweep and deliver again; stop ends the loop."""
    broker = FailingOnceBroker()
    work = BackgroundWork(broker, 0.01)
    loop = threading.Thread(target=asyncio.run, args=(work.run(),), daemon=True)
    with caplog.at_level(logging.ERROR, logger="iamtwin.broker"):
        loop.start()
        assert work.wait_until(lambda: broker.sweeps >= 3 and broker.deliveries >= 3, WAIT)
        work.stop()
        loop.join(timeout=WAIT)
    assert not loop.is_alive()
    failed = [r.getMessage() for r in caplog.records if r.name == "iamtwin.broker"]
    assert failed == ["the periodic sweep failed", "the delivery of notifications failed"]


def test_a_negative_interval_is_refused() -> None:
    """0 turns the timer off; below 0 means nothing."""
    with pytest.raises(ValueError):
        BackgroundWork(FailingOnceBroker(), -1)
