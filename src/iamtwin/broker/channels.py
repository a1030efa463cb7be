"""Sending one delivery: an email over SMTP, or a Slack-compatible post to a chat webhook.

Each channel raises `DeliveryError` when the message did not go out (connection refused, an SMTP
error reply, a non-2xx answer, a timeout); the outbox then tries again later. Nothing here retries
or sleeps.

Webhook posts carry Slack's incoming-webhook JSON, `text` (the fallback shown in notifications)
and `blocks` (https://api.slack.com/messaging/webhooks, https://api.slack.com/reference/block-kit/blocks),
which Mattermost and Rocket.Chat accept too.
"""

from __future__ import annotations

import os
import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any, Protocol

import httpx

from ..errors import IamtwinError
from .notification_settings import SMTP_PASSWORD_VARIABLE, EmailSettings, WebhookSettings

EMAIL = "email"
WEBHOOK = "webhook"


class DeliveryError(IamtwinError):
    """A delivery that did not go out this time."""

    code = "DELIVERY_FAILED"


@dataclass(frozen=True, slots=True)
class Delivery:
    """One message to one recipient by one channel, as the outbox keeps it."""

    id: int
    request_id: str
    kind: str
    channel: str
    recipient: str
    subject: str
    body: str


class Channel(Protocol):
    """Something that sends deliveries of one channel."""

    def send(self, delivery: Delivery) -> None:
        """Send it, or raise DeliveryError."""
        ...


class SmtpChannel:
    """Email through an SMTP server, with STARTTLS (the certificate verified) and login when configured."""

    def __init__(self, settings: EmailSettings, password: str | None = None) -> None:
        self.settings = settings
        self.password = password if password is not None else os.environ.get(SMTP_PASSWORD_VARIABLE)

    def message(self, delivery: Delivery) -> EmailMessage:
        """The email of a delivery."""
        message = EmailMessage()
        message["From"] = self.settings.sender
        message["To"] = delivery.recipient
        message["Subject"] = delivery.subject
        message["Date"] = formatdate(usegmt=True)
        message["Message-ID"] = make_msgid(idstring=f"{delivery.request_id}.{delivery.id}")
        message["X-Iamtwin-Request"] = delivery.request_id
        message.set_content(delivery.body)
        return message

    def send(self, delivery: Delivery) -> None:
        """Send the email, or raise DeliveryError with the server's reason."""
        s = self.settings
        try:
            with smtplib.SMTP(s.host, s.port, timeout=s.timeout_seconds) as smtp:
                if s.starttls:
                    # smtplib's default context checks no certificate; this one checks it and the host name.
                    smtp.starttls(context=ssl.create_default_context(cafile=s.ca_file))
                if s.username is not None:
                    if self.password is None:
                        raise DeliveryError(f"SMTP login needs {SMTP_PASSWORD_VARIABLE}")
                    smtp.login(s.username, self.password)
                refused = smtp.send_message(self.message(delivery))
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryError(f"SMTP {s.host}:{s.port}: {exc}") from exc
        if refused:
            raise DeliveryError(f"SMTP {s.host}:{s.port} refused {', '.join(refused)}")


def slack_payload(delivery: Delivery) -> dict[str, Any]:
    """Slack-compatible webhook JSON: the subject as fallback text, then a header and the body."""
    return {
        "text": delivery.subject,
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": delivery.subject[:150]}},
            {"type": "section", "text": {"type": "plain_text", "text": delivery.body[:3000]}},
        ],
    }


class WebhookChannel:
    """Posts to the configured chat webhooks, found by the name the outbox recorded."""

    def __init__(self, webhooks: tuple[WebhookSettings, ...], environ: Mapping[str, str] | None = None) -> None:
        self.webhooks = {w.name: w for w in webhooks}
        self.environ = environ if environ is not None else os.environ

    def url(self, name: str) -> str:
        """The URL of a webhook, from the rules or its environment variable."""
        hook = self.webhooks.get(name)
        if hook is None:
            raise DeliveryError(f"webhook `{name}` is no longer configured")
        if hook.url is not None:
            return hook.url
        assert hook.url_env is not None
        found = self.environ.get(hook.url_env)
        if not found:
            raise DeliveryError(f"webhook `{name}`: environment variable {hook.url_env} is not set")
        return found

    def send(self, delivery: Delivery) -> None:
        """POST the JSON; anything but a 2xx answer is a failure."""
        hook = self.webhooks.get(delivery.recipient)
        url = self.url(delivery.recipient)
        timeout = hook.timeout_seconds if hook is not None else 10
        try:
            answer = httpx.post(url, json=slack_payload(delivery), timeout=timeout)
        except httpx.HTTPError as exc:
            raise DeliveryError(f"webhook `{delivery.recipient}`: {exc}") from exc
        if not answer.is_success:
            raise DeliveryError(f"webhook `{delivery.recipient}` answered {answer.status_code}")
