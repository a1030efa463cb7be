"""Where the broker's notifications go: an SMTP server, chat webhooks, and how often to retry.

Read from the `notifications` section of the broker's rules; every part is optional and an absent
part sends nothing by that channel::

    notifications:
      email:
        host: smtp.example.com
        port: 587                    # 25 by default
        from: iamtwin-broker@example.com
        starttls: true               # false by default; the server's certificate is verified
        ca_file: /etc/ssl/corp-ca.pem  # whom to trust for it, if not the system's CAs
        username: broker             # the password comes from IAMTWIN_BROKER_SMTP_PASSWORD
        timeout_seconds: 10
      webhooks:                      # Slack-compatible incoming webhooks
        - name: security-chat
          url_env: SECURITY_CHAT_WEBHOOK   # or url: https://…; the environment keeps the secret out of the rules
      retry:
        attempts: 8                  # deliveries tried at most this often, then given up
        first_delay_seconds: 60      # then doubled after each failure,
        max_delay_seconds: 3600      # up to this

The rules are stored in the world database, so a webhook's secret URL and the SMTP password are
better named by environment variable than written out.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..errors import Location
from .errors import BrokerError, BrokerErrorCode

SMTP_PASSWORD_VARIABLE = "IAMTWIN_BROKER_SMTP_PASSWORD"
_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
_ENV = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_EMAIL_KEYS = frozenset({"host", "port", "from", "starttls", "username", "timeout_seconds", "ca_file"})
_RETRY_KEYS = frozenset({"attempts", "first_delay_seconds", "max_delay_seconds"})


@dataclass(frozen=True, slots=True)
class EmailSettings:
    """The SMTP server the broker sends through, and as whom."""

    host: str
    sender: str
    port: int = 25
    starttls: bool = False
    username: str | None = None
    timeout_seconds: int = 10
    ca_file: str | None = None


@dataclass(frozen=True, slots=True)
class WebhookSettings:
    """A chat webhook: its name (what the outbox records) and its URL, or the variable holding it."""

    name: str
    url: str | None = None
    url_env: str | None = None
    timeout_seconds: int = 10


@dataclass(frozen=True, slots=True)
class RetrySettings:
    """How often a delivery is tried and how long to wait between tries (doubling from the first delay)."""

    attempts: int = 8
    first_delay_seconds: int = 60
    max_delay_seconds: int = 3600

    def delay_after(self, failures: int) -> int:
        """Seconds to wait after the given number of failed tries: first delay × 2^(failures−1), capped."""
        return int(min(self.max_delay_seconds, self.first_delay_seconds * 2 ** max(0, failures - 1)))


@dataclass(frozen=True, slots=True)
class NotificationSettings:
    """Every channel the broker notifies through (none by default)."""

    email: EmailSettings | None = None
    webhooks: tuple[WebhookSettings, ...] = ()
    retry: RetrySettings = field(default_factory=RetrySettings)

    @property
    def configured(self) -> bool:
        """Whether any channel is set up."""
        return self.email is not None or bool(self.webhooks)


def _invalid(where: str, message: str) -> BrokerError:
    return BrokerError(BrokerErrorCode.INVALID_NOTIFICATIONS, message, location=Location(where))


def _mapping(value: Any, where: str, allowed: frozenset[str]) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise _invalid(where, "must be a mapping")
    for key in value:
        if key not in allowed:
            raise _invalid(f"{where}.{key}", f"unknown key `{key}`")
    return value


def _text(raw: Mapping[str, Any], key: str, where: str, *, required: bool = False) -> str | None:
    value = raw.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        raise _invalid(f"{where}.{key}", "must be a non-empty string")
    return value


def _whole(raw: Mapping[str, Any], key: str, where: str, default: int, low: int, high: int) -> int:
    value = raw.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise _invalid(f"{where}.{key}", f"must be a whole number from {low} to {high}")
    return value


def _email(value: Any, where: str) -> EmailSettings:
    raw = _mapping(value, where, _EMAIL_KEYS)
    starttls = raw.get("starttls", False)
    if not isinstance(starttls, bool):
        raise _invalid(f"{where}.starttls", "must be true or false")
    sender = _text(raw, "from", where, required=True)
    assert sender is not None
    if "@" not in sender:
        raise _invalid(f"{where}.from", f"`{sender}` is not an email address")
    host = _text(raw, "host", where, required=True)
    assert host is not None
    return EmailSettings(
        host,
        sender,
        _whole(raw, "port", where, 25, 1, 65535),
        starttls,
        _text(raw, "username", where),
        _whole(raw, "timeout_seconds", where, 10, 1, 300),
        _text(raw, "ca_file", where),
    )


def _webhook(value: Any, where: str) -> WebhookSettings:
    raw = _mapping(value, where, frozenset({"name", "url", "url_env", "timeout_seconds"}))
    name = _text(raw, "name", where, required=True)
    assert name is not None
    if not _NAME.match(name):
        raise _invalid(f"{where}.name", f"`{name}` is not a name (letters, digits, `_.-`)")
    url, url_env = _text(raw, "url", where), _text(raw, "url_env", where)
    if (url is None) == (url_env is None):
        raise _invalid(where, "give exactly one of `url` and `url_env`")
    if url is not None and not url.startswith(("https://", "http://")):
        raise _invalid(f"{where}.url", "must be an http or https URL")
    if url_env is not None and not _ENV.match(url_env):
        raise _invalid(f"{where}.url_env", f"`{url_env}` is not an environment variable name")
    return WebhookSettings(name, url, url_env, _whole(raw, "timeout_seconds", where, 10, 1, 300))


def parse_notifications(value: Any, where: str = "notifications") -> NotificationSettings:
    """The `notifications` section of the rules, refusing unknown keys and impossible values."""
    if value is None:
        return NotificationSettings()
    raw = _mapping(value, where, frozenset({"email", "webhooks", "retry"}))
    email = None if raw.get("email") is None else _email(raw["email"], f"{where}.email")
    hooks_raw = raw.get("webhooks") or []
    if not isinstance(hooks_raw, list):
        raise _invalid(f"{where}.webhooks", "must be a list")
    hooks = tuple(_webhook(h, f"{where}.webhooks[{i}]") for i, h in enumerate(hooks_raw))
    if len({h.name for h in hooks}) != len(hooks):
        raise _invalid(f"{where}.webhooks", "webhook names must be unique")
    at = f"{where}.retry"
    retry_raw = _mapping(raw.get("retry") or {}, at, _RETRY_KEYS)
    retry = RetrySettings(
        _whole(retry_raw, "attempts", at, 8, 1, 100),
        _whole(retry_raw, "first_delay_seconds", at, 60, 1, 86400),
        _whole(retry_raw, "max_delay_seconds", at, 3600, 1, 7 * 86400),
    )
    return NotificationSettings(email, hooks, retry)


def notifications_to_data(settings: NotificationSettings) -> dict[str, Any]:
    """The settings as plain data that `parse_notifications` reads back to equal settings."""
    out: dict[str, Any] = {}
    if settings.email is not None:
        e = settings.email
        out["email"] = {
            "host": e.host,
            "port": e.port,
            "from": e.sender,
            "starttls": e.starttls,
            "timeout_seconds": e.timeout_seconds,
            **({"username": e.username} if e.username else {}),
            **({"ca_file": e.ca_file} if e.ca_file else {}),
        }
    if settings.webhooks:
        out["webhooks"] = [
            {
                "name": h.name,
                **({"url": h.url} if h.url else {}),
                **({"url_env": h.url_env} if h.url_env else {}),
                "timeout_seconds": h.timeout_seconds,
            }
            for h in settings.webhooks
        ]
    r = settings.retry
    out["retry"] = {
        "attempts": r.attempts,
        "first_delay_seconds": r.first_delay_seconds,
        "max_delay_seconds": r.max_delay_seconds,
    }
    return out
