"""Calls made through the command line (`iamtwin sts …`), recorded in the trail as API calls are.

A session issued by `iamtwin sts assume-role` is as real as one issued through `iamtwin serve`: its
credentials work against the server, so its issuing must be in the trail for `audit sessions` to
find where the session came from. The event has the server's shape; `sourceIPAddress` and
`userAgent` say it came from the command line rather than from the network.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from .. import __version__
from ..errors import IamtwinError
from ..evaluate.decision import Decision
from ..world.stored import World
from .api_call import ApiCall, event_of
from .decisions import summarize
from .identity import identity_of, unknown_identity
from .store import AuditStore

CLI_SOURCE = "iamtwin-cli"


class LocalCall:
    """One command-line call: who made it and what it asked; `record` writes its event."""

    def __init__(self, world: World, service: str, operation: str, principal: str, parameters: Mapping[str, Any]):
        self.world = world
        self.call = ApiCall(str(uuid.uuid4()), world.clock.now(), CLI_SOURCE, f"{CLI_SOURCE}/{__version__}")
        self.call.service, self.call.operation = service, operation
        self.call.request_parameters = {k: v for k, v in parameters.items() if v not in (None, (), [], {})}
        try:
            self.call.identity = identity_of(world, world.caller(principal))
        except IamtwinError:  # an unknown access key: the call fails, and is recorded as CloudTrail does
            self.call.identity = unknown_identity(principal if not principal.startswith("arn:") else None)

    def record(
        self,
        response: Mapping[str, Any] | None = None,
        error: IamtwinError | None = None,
        *,
        account: str | None = None,
    ) -> None:
        """Append the call's event: its response, or the error it ended with (and the engine's decision)."""
        self.call.account = account
        self.call.response_elements = response
        decision: Decision | None = getattr(error, "decision", None)
        if decision is not None:
            self.call.decision = summarize(decision)
        code = None if error is None else error.code
        message = None if error is None else error.message
        AuditStore(self.world.engine).append([event_of(self.call, code, message)])
