"""A request to evaluate: principal, action, resource, resource account and context keys."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from .context import RequestContext
from .errors import RequestError
from .native import is_native
from .principal import Principal

_ACTION = re.compile(r"^[A-Za-z0-9\-]+:[A-Za-z0-9\-_.*?]+$")


@dataclass(frozen=True, slots=True, init=False)
class Request:
    """One request. `context` already holds the derived keys (see `derive.py`)."""

    principal: Principal
    action: str
    resource: str | None
    resource_account: str | None
    context: RequestContext
    action_lower: str = ""
    service: str = ""  # the action's service prefix, lowercased

    # Written out rather than generated so that mypyc compiles it (see `native.py`).
    def __init__(
        self,
        principal: Principal,
        action: str,
        resource: str | None,
        resource_account: str | None,
        context: RequestContext,
        action_lower: str = "",
        service: str = "",
    ) -> None:
        if not action_lower:
            action_lower = action.lower()
            service = action_lower.split(":", 1)[0]
        object.__setattr__(self, "principal", principal)
        object.__setattr__(self, "action", action)
        object.__setattr__(self, "resource", resource)
        object.__setattr__(self, "resource_account", resource_account)
        object.__setattr__(self, "context", context)
        object.__setattr__(self, "action_lower", action_lower)
        object.__setattr__(self, "service", service)

    @property
    def same_account(self) -> bool:
        """True when the principal and the resource are in the same account."""
        return self.resource_account is None or self.principal.account == self.resource_account


class _RequestDraft:
    """Makes a Request: `_RequestDraft(...)` returns an ordinary Request with these fields.

    Reading a request makes one; the frozen dataclass's `__init__` sets each field through
    `object.__setattr__` and then runs `__post_init__`. This class has exactly Request's slots:
    its `__init__` fills them with plain stores and assigns `__class__` (allowed between classes
    with the same slot layout; see `decision._DecisionDraft`), so the result is an ordinary Request.
    """

    __slots__ = Request.__slots__

    def __init__(
        self,
        principal: Principal,
        action: str,
        resource: str | None,
        resource_account: str | None,
        context: RequestContext,
        action_lower: str,
        service: str,
    ) -> None:
        self.principal = principal
        self.action = action
        self.resource = resource
        self.resource_account = resource_account
        self.context = context
        self.action_lower = action_lower
        self.service = service
        self.__class__ = Request  # type: ignore[assignment]


# `Request(...)` with the action's lowercase form and service already known (see `action_names`).
RequestMaker = Callable[[Principal, str, str | None, str | None, RequestContext, str, str], Request]
make_request: RequestMaker = Request if is_native(Request) else _RequestDraft  # type: ignore[assignment]


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
