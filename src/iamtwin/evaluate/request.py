"""A request to evaluate: principal, action, resource, resource account and context keys."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .context import RequestContext
from .errors import RequestError
from .principal import Principal

_ACTION = re.compile(r"^[A-Za-z0-9\-]+:[A-Za-z0-9\-_.*?]+$")


@dataclass(frozen=True, slots=True)
class Request:
    """One request. `context` already holds the derived keys (see `derive.py`)."""

    principal: Principal
    action: str
    resource: str | None
    resource_account: str | None
    context: RequestContext

    @property
    def service(self) -> str:
        """The service prefix of the action, lowercased."""
        return self.action.split(":", 1)[0].lower()

    @property
    def same_account(self) -> bool:
        """True when the principal and the resource are in the same account."""
        return self.resource_account is None or self.principal.account == self.resource_account


def check_action(action: str) -> str:
    """Return `action` if it has the `service:Action` form, else raise a RequestError."""
    if not _ACTION.match(action) or "*" in action or "?" in action:
        raise RequestError(f"`{action}` is not an action of the form `service:Action`", code="INVALID_ACTION")
    return action
