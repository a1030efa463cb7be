"""A request to evaluate: principal, action, resource, resource account and context keys."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

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
    action_lower: str = ""
    service: str = ""  # the action's service prefix, lowercased

    def __post_init__(self) -> None:
        if not self.action_lower:
            lowered = self.action.lower()
            object.__setattr__(self, "action_lower", lowered)
            object.__setattr__(self, "service", lowered.split(":", 1)[0])

    @property
    def same_account(self) -> bool:
        """True when the principal and the resource are in the same account."""
        return self.resource_account is None or self.principal.account == self.resource_account


@lru_cache(maxsize=4096)
def check_action(action: str) -> str:
    """Return `action` if it has the `service:Action` form, else raise a RequestError."""
    if not _ACTION.match(action) or "*" in action or "?" in action:
        raise RequestError(f"`{action}` is not an action of the form `service:Action`", code="INVALID_ACTION")
    return action
