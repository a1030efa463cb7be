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


_new = object.__new__
_set_principal, _set_action, _set_resource, _set_resource_account, _set_context, _set_action_lower, _set_service = (
    Request.__dict__[name].__set__
    for name in ("principal", "action", "resource", "resource_account", "context", "action_lower", "service")
)


def make_request(
    principal: Principal,
    action: str,
    resource: str | None,
    resource_account: str | None,
    context: RequestContext,
    action_lower: str,
    service: str,
) -> Request:
    """The same value as `Request(...)`, with the action's lowercase form and service already known.

    Sets the slots through their descriptors instead of the frozen dataclass's `object.__setattr__`
    per field: reading a request builds one, and this is a third of the time.
    """
    request = _new(Request)
    _set_principal(request, principal)
    _set_action(request, action)
    _set_resource(request, resource)
    _set_resource_account(request, resource_account)
    _set_context(request, context)
    _set_action_lower(request, action_lower)
    _set_service(request, service)
    return request


@lru_cache(maxsize=65536)
def action_names(action: str) -> tuple[str, str]:
    """The action lowercased and its service prefix (lowercased), as `Request` derives them."""
    lowered = action.lower()
    return lowered, lowered.split(":", 1)[0]


@lru_cache(maxsize=4096)
def check_action(action: str) -> str:
    """Return `action` if it has the `service:Action` form, else raise a RequestError."""
    if not _ACTION.match(action) or "*" in action or "?" in action:
        raise RequestError(f"`{action}` is not an action of the form `service:Action`", code="INVALID_ACTION")
    return action
