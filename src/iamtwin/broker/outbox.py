"""The notification outbox: deliveries written with the change they tell about, sent later with retries.

`enqueue` runs in the transaction of the change, so a change that commits always has its
deliveries and one that rolls back has none; nothing is sent inside that transaction, so a slow or
dead mail server never holds up (or fails) an approval. `Dispatcher.dispatch` sends what is due:
each delivery is claimed first (its attempt counted and its next try pushed back, by a conditional
update, so two dispatchers never send it both), then sent, then marked sent. A failure leaves it
pending until `first delay × 2^(failures−1)` (capped) has passed; after the configured number of
attempts it is marked failed and stays listed. A destination (the mail server, one webhook) that fails
is not tried again in the same run. Times come from the injected clock.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, Engine, select

from ..clock import Clock
from ..world.store import schema as t
from .channels import EMAIL, WEBHOOK, Channel, Delivery, DeliveryError, SmtpChannel, WebhookChannel
from .errors import BrokerError, BrokerErrorCode
from .notification_settings import NotificationSettings, RetrySettings
from .notifications import Notification
from .store import load_rules

log = logging.getLogger("iamtwin.broker.notifications")


class DeliveryState(StrEnum):
    """pending → sent | failed (given up after the configured attempts)."""

    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class OutboxEntry:
    """A delivery with its bookkeeping: state, attempts so far, when it is next due, the last error."""

    delivery: Delivery
    state: DeliveryState
    attempts: int
    created_at: datetime
    next_attempt_at: datetime
    sent_at: datetime | None
    last_error: str


@dataclass(frozen=True, slots=True)
class DispatchReport:
    """What one dispatch did: deliveries sent, failed but to be retried, and given up."""

    sent: tuple[int, ...] = ()
    retrying: tuple[int, ...] = ()
    given_up: tuple[int, ...] = ()
    errors: Mapping[int, str] = field(default_factory=dict)


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def enqueue(
    conn: Connection, settings: NotificationSettings, notifications: Sequence[Notification], now: datetime
) -> int:
    """Write the deliveries of these notifications in the caller's transaction; how many were written."""
    rows: list[dict[str, Any]] = []
    for note in notifications:
        targets: list[tuple[str, str]] = []
        if settings.email is not None:
            targets += [(EMAIL, person) for person in note.recipients]
        targets += [(WEBHOOK, hook.name) for hook in settings.webhooks]
        for channel, recipient in targets:
            rows.append(
                {
                    "request_id": note.request_id,
                    "kind": note.kind,
                    "channel": channel,
                    "recipient": recipient,
                    "subject": note.subject[:512],
                    "body": note.text,
                    "state": DeliveryState.PENDING.value,
                    "attempts": 0,
                    "created_at": _utc(now),
                    "next_attempt_at": _utc(now),
                    "sent_at": None,
                    "last_error": "",
                }
            )
    if rows:
        conn.execute(t.broker_notifications.insert(), rows)
    return len(rows)


def _entry(row: Any) -> OutboxEntry:
    delivery = Delivery(row.id, row.request_id, row.kind, row.channel, row.recipient, row.subject, row.body)
    created, due = _utc(row.created_at), _utc(row.next_attempt_at)
    assert created is not None and due is not None
    return OutboxEntry(
        delivery, DeliveryState(row.state), row.attempts, created, due, _utc(row.sent_at), row.last_error
    )


def entries(
    conn: Connection, *, request_id: str | None = None, states: Sequence[DeliveryState] = ()
) -> list[OutboxEntry]:
    """Outbox entries, oldest first, optionally of one request or in some states."""
    table = t.broker_notifications
    query = select(table).order_by(table.c.id)
    if request_id is not None:
        query = query.where(table.c.request_id == request_id)
    if states:
        query = query.where(table.c.state.in_([s.value for s in states]))
    return [_entry(row) for row in conn.execute(query)]


def channels_for(settings: NotificationSettings) -> dict[str, Channel]:
    """The channels the settings configure, by name."""
    out: dict[str, Channel] = {}
    if settings.email is not None:
        out[EMAIL] = SmtpChannel(settings.email)
    if settings.webhooks:
        out[WEBHOOK] = WebhookChannel(settings.webhooks)
    return out


def _destination(delivery: Delivery) -> tuple[str, str]:
    """What a failure is about: the mail server (all emails share it), or one webhook."""
    return (delivery.channel, "" if delivery.channel == EMAIL else delivery.recipient)


class Dispatcher:
    """Sends the outbox's due deliveries through the given channels, with retries and backoff."""

    def __init__(
        self, engine: Engine, clock: Clock, channels: Mapping[str, Channel], retry: RetrySettings | None = None
    ) -> None:
        self.engine = engine
        self.clock = clock
        self.channels = channels
        self.retry = retry if retry is not None else RetrySettings()

    def _claim(self, entry: OutboxEntry, now: datetime) -> bool:
        """Count this attempt and push the next one back; False when another dispatcher got there first."""
        table = t.broker_notifications
        attempt = entry.attempts + 1
        retry_at = now + timedelta(seconds=self.retry.delay_after(attempt))
        with self.engine.begin() as conn:
            claimed = conn.execute(
                table.update()
                .where(table.c.id == entry.delivery.id)
                .where(table.c.state == DeliveryState.PENDING.value)
                .where(table.c.attempts == entry.attempts)
                .values(attempts=attempt, next_attempt_at=_utc(retry_at))
            )
        return claimed.rowcount == 1

    def _finish(self, entry: OutboxEntry, now: datetime, error: str | None) -> DeliveryState:
        table = t.broker_notifications
        attempt = entry.attempts + 1
        if error is None:
            values: dict[str, Any] = {"state": DeliveryState.SENT.value, "sent_at": _utc(now), "last_error": ""}
            state = DeliveryState.SENT
        elif attempt >= self.retry.attempts:
            state, values = DeliveryState.FAILED, {"state": DeliveryState.FAILED.value, "last_error": error}
        else:
            state, values = DeliveryState.PENDING, {"last_error": error}  # next_attempt_at was set by the claim
        with self.engine.begin() as conn:
            conn.execute(table.update().where(table.c.id == entry.delivery.id).values(**values))
        return state

    def dispatch(self, limit: int = 100) -> DispatchReport:
        """Send up to `limit` due deliveries once each; never raises for a delivery that fails."""
        now = self.clock.now()
        with self.engine.connect() as conn:
            pending = entries(conn, states=(DeliveryState.PENDING,))
        # Compared here as aware datetimes: SQLite would compare the stored text.
        due = [e for e in pending if e.next_attempt_at <= now][:limit]
        sent: list[int] = []
        retrying: list[int] = []
        given_up: list[int] = []
        errors: dict[int, str] = {}
        # A destination that failed once in this run is not tried again until the next run, so a dead mail
        # server costs one timeout per run, not one per recipient.
        failing: set[tuple[str, str]] = set()
        for entry in due:
            destination = _destination(entry.delivery)
            if destination in failing or not self._claim(entry, now):
                continue
            channel = self.channels.get(entry.delivery.channel)
            error: str | None = None
            if channel is None:
                error = f"the {entry.delivery.channel} channel is no longer configured"
            else:
                try:
                    channel.send(entry.delivery)
                except DeliveryError as exc:
                    error = exc.message
            state = self._finish(entry, now, error)
            if error is not None:
                errors[entry.delivery.id] = error
                failing.add(destination)
                log.warning("notification %s to %s failed: %s", entry.delivery.id, entry.delivery.recipient, error)
            {DeliveryState.SENT: sent, DeliveryState.PENDING: retrying, DeliveryState.FAILED: given_up}[state].append(
                entry.delivery.id
            )
        return DispatchReport(tuple(sent), tuple(retrying), tuple(given_up), errors)


def deliver_due(
    engine: Engine, clock: Clock, channels: Mapping[str, Channel] | None = None, limit: int = 100
) -> DispatchReport:
    """Send what is due through the given channels (by default those of the current rules); never raises."""
    try:
        with engine.connect() as conn:
            settings = load_rules(conn).notifications
        chosen = channels if channels is not None else channels_for(settings)
        return Dispatcher(engine, clock, chosen, settings.retry).dispatch(limit)
    except BrokerError as error:
        if error.reason is not BrokerErrorCode.NO_RULES:
            log.warning("notifications were not delivered: %s", error)
        return DispatchReport()
    except Exception:  # a notification problem never reaches the workflow that triggered it
        log.exception("notifications were not delivered")
        return DispatchReport()
