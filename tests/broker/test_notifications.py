"""Notifications (issue 6, item 5): email over SMTP and Slack-compatible chat webhooks, never blocking the workflow.

Deliveries are written to an outbox in the transaction of the change and sent afterwards, so an
SMTP server or webhook that is down delays them (retried with doubling delays, on an injected clock)
and never fails or holds up the change. The webhook body is Slack's incoming-webhook JSON, `text`
and `blocks` (https://api.slack.com/messaging/webhooks). Emails go to a real aiosmtpd server and
posts to a real HTTP endpoint, both on 127.0.0.1.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from iamtwin.broker.channels import EMAIL, WEBHOOK, Delivery
from iamtwin.broker.errors import BrokerError
from iamtwin.broker.notification_settings import RetrySettings, parse_notifications
from iamtwin.broker.outbox import DeliveryState
from iamtwin.broker.requests import Ask, RequestState
from iamtwin.broker.reviews import ReviewOutcome
from iamtwin.broker.service import Broker
from iamtwin.cli.app import app
from iamtwin.clock import FixedClock
from iamtwin.world.stored import World

from .corpus import CASES, START, at
from .estate import EXAMPLE_RULES
from .receivers import free_port, self_signed, smtp_server, webhook_server

ALICE, BOB = "alice@example.com", "bob@example.com"
ASK = Ask("111122223333", "TempAccessRoleS3Admin", 7200, "INC-1042: restore bucket policy")
CORPUS = yaml.safe_load((CASES / "notifications.yaml").read_text(encoding="utf-8"))


def _rules(smtp_port: int, hook_url: str, **retry: int) -> str:
    """Scenario 05's example rules, notifying by email through 127.0.0.1 and one chat webhook."""
    data = yaml.safe_load(EXAMPLE_RULES.read_text(encoding="utf-8"))
    data["notifications"] = {
        "email": {"host": "127.0.0.1", "port": smtp_port, "from": "broker@example.com", "timeout_seconds": 5},
        "webhooks": [{"name": "security-chat", "url": hook_url, "timeout_seconds": 5}],
        "retry": {"attempts": 4, "first_delay_seconds": 60, "max_delay_seconds": 600, **retry},
    }
    return yaml.safe_dump(data)


def test_reviewers_then_requester_are_notified_by_email_and_webhook(world: World, clock: FixedClock) -> None:
    """Scenario 05, points 1 and 3: the request reaches bob and the chat; the approval reaches alice."""
    with smtp_server() as (port, mailbox), webhook_server() as (url, hook):
        broker = Broker(world.engine, clock)
        broker.load_rules(_rules(port, url))
        request = broker.request(broker.person(ALICE), ASK)
        report = broker.deliver_notifications()
        assert (len(report.sent), report.retrying, report.given_up) == (2, (), ())
        [to_bob] = mailbox.to(BOB)
        assert to_bob["From"] == "broker@example.com" and to_bob["To"] == BOB
        assert "alice@example.com requests TempAccessRoleS3Admin in 111122223333" in to_bob["Subject"]
        body = to_bob.get_content()
        assert request.id in body and "INC-1042: restore bucket policy" in body
        assert f"iamtwin broker approve {request.id}" in body
        [post] = hook.posts
        assert post["text"] == to_bob["Subject"]
        assert [b["type"] for b in post["blocks"]] == ["header", "section"]
        assert request.id in post["blocks"][1]["text"]["text"]

        broker.approve(request.id, broker.person(BOB))
        assert len(broker.deliver_notifications().sent) == 2
        [to_alice] = mailbox.to(ALICE)
        assert "Approved" in to_alice["Subject"] and "by bob@example.com" in to_alice.get_content()
        assert len(hook.posts) == 2
        kept = broker.notifications(request.id, broker.person(ALICE))
        assert {(e.delivery.kind, e.delivery.channel, e.delivery.recipient, e.state) for e in kept} == {
            ("created", EMAIL, BOB, DeliveryState.SENT),
            ("created", WEBHOOK, "security-chat", DeliveryState.SENT),
            ("approved", EMAIL, ALICE, DeliveryState.SENT),
            ("approved", WEBHOOK, "security-chat", DeliveryState.SENT),
        }


def test_receivers_down_then_up_are_retried_with_backoff(world: World, clock: FixedClock) -> None:
    """The request succeeds with SMTP down and the webhook failing; both are delivered once the delay has passed."""
    port = free_port()  # nothing listens here yet
    with webhook_server() as (url, hook):
        hook.statuses = [500]
        broker = Broker(world.engine, clock)
        broker.load_rules(_rules(port, url))
        request = broker.request(broker.person(ALICE), ASK)
        assert request.state == RequestState.PENDING
        first = broker.deliver_notifications()
        assert (first.sent, len(first.retrying)) == ((), 2)
        entries = broker.notifications(request.id, broker.person(BOB))
        assert all(e.attempts == 1 and e.last_error and e.state == DeliveryState.PENDING for e in entries)
        assert {e.next_attempt_at for e in entries} == {START + timedelta(seconds=60)}

        clock.instant = START + timedelta(seconds=59)
        assert broker.deliver_notifications() == type(first)()  # not due yet: nothing tried
        with smtp_server(port) as (_, mailbox):
            clock.instant = START + timedelta(seconds=60)
            second = broker.deliver_notifications()
            assert (len(second.sent), second.retrying) == (2, ())
            assert len(mailbox.to(BOB)) == 1
        assert len(hook.posts) == 1
        done = broker.notifications(request.id, broker.person(BOB))
        assert all(e.state == DeliveryState.SENT and e.attempts == 2 for e in done)


def test_a_delivery_is_given_up_after_the_configured_attempts(world: World, clock: FixedClock) -> None:
    """Delays double (60 s, 120 s); the third failure of three attempts marks it failed, and it stays listed."""
    with webhook_server() as (url, hook):
        hook.statuses = [503, 503, 503]
        broker = Broker(world.engine, clock)
        broker.load_rules(_rules(free_port(), url, attempts=3))
        request = broker.request(broker.person(ALICE), ASK)
        for offset, retrying in ((0, 2), (60, 2), (180, 0)):
            clock.instant = START + timedelta(seconds=offset)
            report = broker.deliver_notifications()
            assert len(report.retrying) == retrying
        assert len(report.given_up) == 2
        clock.instant = START + timedelta(days=1)
        assert broker.deliver_notifications().given_up == ()
        states = {e.state for e in broker.notifications(request.id, broker.person(ALICE))}
        assert states == {DeliveryState.FAILED}
        assert hook.posts == []


def test_a_dead_mail_server_is_tried_once_per_run(world: World, clock: FixedClock) -> None:
    """With two reviewers and SMTP down, one email is tried and fails; the other waits for the next run."""
    rules = dict(CORPUS["rules"])
    rules["notifications"] = {"email": {"host": "127.0.0.1", "port": free_port(), "from": "broker@example.com"}}
    broker = Broker(world.engine, clock)
    broker.load_rules(yaml.safe_dump(rules))
    request = broker.request(broker.person(ALICE), ASK)
    report = broker.deliver_notifications()
    assert (report.sent, len(report.retrying)) == ((), 1)
    attempts = sorted(e.attempts for e in broker.notifications(request.id, broker.person(ALICE)))
    assert attempts == [0, 1]


def test_smtp_login_uses_the_password_from_the_environment(
    world: World, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`username` in the rules, the password from IAMTWIN_BROKER_SMTP_PASSWORD; a wrong one is a retried failure."""
    with smtp_server(login=("broker", "s3cret")) as (port, mailbox), webhook_server() as (url, _):
        data = yaml.safe_load(_rules(port, url))
        data["notifications"]["email"]["username"] = "broker"
        broker = Broker(world.engine, clock)
        broker.load_rules(yaml.safe_dump(data))
        broker.request(broker.person(ALICE), ASK)
        monkeypatch.setenv("IAMTWIN_BROKER_SMTP_PASSWORD", "wrong")
        refused = broker.deliver_notifications()
        assert len(refused.retrying) == 1 and "535" in next(iter(refused.errors.values()))
        monkeypatch.setenv("IAMTWIN_BROKER_SMTP_PASSWORD", "s3cret")
        clock.instant = START + timedelta(seconds=60)
        assert len(broker.deliver_notifications().sent) == 1
        assert len(mailbox.to(BOB)) == 1


def test_starttls_verifies_the_servers_certificate(world: World, clock: FixedClock, tmp_path: Path) -> None:
    """An untrusted certificate is a failed delivery; trusted through `ca_file`, the email goes out over TLS."""
    tls = self_signed(tmp_path)
    with smtp_server(tls=tls) as (port, mailbox), webhook_server() as (url, _):
        data = yaml.safe_load(_rules(port, url))
        data["notifications"]["email"]["starttls"] = True
        broker = Broker(world.engine, clock)
        broker.load_rules(yaml.safe_dump(data))
        broker.request(broker.person(ALICE), ASK)
        untrusted = broker.deliver_notifications()
        assert len(untrusted.retrying) == 1 and "CERTIFICATE_VERIFY_FAILED" in next(iter(untrusted.errors.values()))
        data["notifications"]["email"]["ca_file"] = str(tls[0])
        broker.load_rules(yaml.safe_dump(data))
        clock.instant = START + timedelta(seconds=60)
        assert len(broker.deliver_notifications().sent) == 1
        assert len(mailbox.to(BOB)) == 1


def test_backoff_doubles_up_to_the_cap() -> None:
    """first × 2^(failures−1), never above the maximum."""
    retry = RetrySettings(attempts=10, first_delay_seconds=30, max_delay_seconds=200)
    assert [retry.delay_after(n) for n in range(1, 6)] == [30, 60, 120, 200, 200]


def test_the_command_line_acts_even_when_no_notification_can_be_sent(db_url: str, tmp_path: Path) -> None:
    """`iamtwin broker request` succeeds with SMTP and the webhook unreachable; `show` lists the pending deliveries."""
    rules = tmp_path / "rules.yaml"
    rules.write_text(_rules(free_port(), f"http://127.0.0.1:{free_port()}/hook"), encoding="utf-8")
    runner = CliRunner()
    env = {"IAMTWIN_DB": db_url}
    assert runner.invoke(app, ["broker", "rules", "load", str(rules)], env=env).exit_code == 0
    made = runner.invoke(
        app,
        ["broker", "request", "--as", ALICE, "--account", "111122223333", "--role", "TempAccessRoleS3Admin",
         "--duration", "2h", "--justification", "INC-1042", "-f", "json"],
        env=env,
    )
    assert made.exit_code == 0, made.output
    request_id = yaml.safe_load(made.output)["id"]
    shown = runner.invoke(app, ["broker", "show", request_id, "--as", BOB, "-f", "json"], env=env)
    notes = yaml.safe_load(shown.output)["notifications"]
    assert {(n["channel"], n["state"], n["attempts"]) for n in notes} == {
        ("email", "pending", 1),
        ("webhook", "pending", 1),
    }
    notify = runner.invoke(app, ["broker", "notify", "-f", "json"], env=env)
    assert notify.exit_code == 0 and yaml.safe_load(notify.output)["sent"] == 0  # not due again yet


class Recorder:
    """An in-memory channel keeping what it was asked to send."""

    def __init__(self) -> None:
        self.sent: list[Delivery] = []

    def send(self, delivery: Delivery) -> None:
        """Keep it."""
        self.sent.append(delivery)


def _act(broker: Broker, clock: FixedClock, step: dict[str, Any], current: str | None) -> str | None:
    if "at" in step:
        clock.instant = at(step["at"])
    if step["do"] == "sweep":
        broker.sweep()
        return current
    who = broker.person(step["as"])
    match step["do"]:
        case "create" | "break-glass":
            glass = step["do"] == "break-glass"
            return broker.request(who, Ask(ASK.account_id, ASK.role_name, 3600, "INC-9", break_glass=glass)).id
        case "approve":
            broker.approve(str(current), who)
        case "reject":
            broker.reject(str(current), who, "not now")
        case "revoke":
            broker.revoke(str(current), who, "done")
        case "review":
            broker.review_break_glass(str(current), who, ReviewOutcome.JUSTIFIED, "the outage was real")
    return current


@pytest.mark.parametrize("case", [pytest.param(c, id=f"notifications.yaml::{c['name']}") for c in CORPUS["cases"]])
def test_who_is_notified(world: World, clock: FixedClock, case: dict[str, Any]) -> None:
    """Each step sends one email per concerned person and one post per webhook, for each notifying event."""
    email, chat = Recorder(), Recorder()
    broker = Broker(world.engine, clock, channels={EMAIL: email, WEBHOOK: chat})
    broker.load_rules(yaml.safe_dump(CORPUS["rules"]))
    current: str | None = None
    for step in case["steps"]:
        before_email, before_chat = len(email.sent), len(chat.sent)
        current = _act(broker, clock, step, current)
        broker.deliver_notifications()
        kinds = list(dict.fromkeys(d.kind for d in email.sent[before_email:]))
        got = [[k, sorted(d.recipient for d in email.sent[before_email:] if d.kind == k)] for k in kinds]
        assert got == step["expect"], step
        assert [d.kind for d in chat.sent[before_chat:]] == [k for k, _ in step["expect"]]


@pytest.mark.parametrize("case", [pytest.param(c, id=f"notifications.yaml::{c['name']}") for c in CORPUS["invalid"]])
def test_invalid_notification_settings_are_refused(case: dict[str, Any]) -> None:
    """A mistake in the `notifications` section is refused with its path."""
    with pytest.raises(BrokerError) as refused:
        parse_notifications(case["notifications"])
    assert refused.value.code == "INVALID_NOTIFICATIONS"
    assert refused.value.location is not None and refused.value.location.path == case["path"]
