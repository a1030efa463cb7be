"""The simulator: compile a set of policies once, decide many requests against them."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from ..clock import Clock, FixedClock, SystemClock
from ..evaluate.decision import Decision
from ..evaluate.engine import decide
from .errors import SimulationInputError
from .input import read_policies
from .reading import read_general_request, read_usual_request


class Simulator:
    """Policies compiled once; `decide(request)` evaluates one request object of the input contract."""

    def __init__(self, policies: Mapping[str, Any], *, now: datetime | None = None, clock: Clock | None = None) -> None:
        self.policies = read_policies(policies)
        self.clock: Clock = clock if clock is not None else FixedClock(now) if now is not None else SystemClock()

    def decide(self, request: Mapping[str, Any]) -> Decision:
        """The decision for one `request` object: read and checked, context keys derived, then evaluated."""
        clock = self.clock
        # A fixed clock's reading is its instant; reading it directly saves a call per request.
        now = clock.instant if type(clock) is FixedClock else clock.now()
        return decide(self.policies, read_usual_request(request, now) or read_general_request(request, now))


def simulate(data: Mapping[str, Any], *, now: datetime | None = None) -> Decision:
    """Decide the single request of a full simulation input."""
    if not isinstance(data, Mapping) or "request" not in data:
        raise SimulationInputError("the simulation input needs a `request` object", code="MISSING_REQUEST")
    return Simulator(data, now=now).decide(data["request"])
