"""iamtwin's reasons in an event, and the events of `/v1/authorize` decisions (allows sampled).

`summarize` turns the engine's Decision into the `iamtwinDecision` field: the outcome, the policy
types that blocked the request, the policies that did, and the statements that matched. Decisions
of the decision API are events of source `iamtwin` and name `Authorize`: every denial is recorded,
allows at the configured rate (`AllowSampling`), chosen by the request id's hash so the choice is
reproducible rather than random.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..errors import IamtwinError
from ..evaluate.decision import Decision
from .event import AuditEvent, DecisionSummary, UserIdentity
from .recorder import Recorder

DECISION_SOURCE = "iamtwin"
DECISION_EVENT = "Authorize"


def summarize(decision: Decision, authorization_id: str | None = None) -> DecisionSummary:
    """The `iamtwinDecision` of an engine decision."""
    return DecisionSummary(
        outcome=decision.outcome.value,
        action=decision.request.action,
        resource=decision.request.resource,
        blocked_by=tuple(p.value for p in decision.blocked_by),
        blocking_policies=tuple(decision.blocking_policies),
        matched_statements=tuple(s.to_dict() for s in decision.matched),
        authorization_id=authorization_id,
    )


@dataclass(frozen=True, slots=True)
class AllowSampling:
    """Which allowed decisions of the decision API are recorded: a fraction from 0 to 1 (denials always are)."""

    rate: float = 1.0

    def __post_init__(self) -> None:
        if not 0.0 <= self.rate <= 1.0:
            raise IamtwinError(f"`{self.rate}` is not a sampling rate between 0 and 1", code="INVALID_SAMPLING_RATE")

    def keeps(self, decision: Decision, request_id: str) -> bool:
        """Whether to record this decision."""
        if not decision.allowed or self.rate >= 1.0:
            return True
        if self.rate <= 0.0:
            return False
        bucket = int.from_bytes(hashlib.sha256(request_id.encode()).digest()[:8], "big") / 2**64
        return bucket < self.rate


EVERY_ALLOW = AllowSampling(1.0)


def record_decision(
    recorder: Recorder,
    decision: Decision,
    *,
    identity: UserIdentity,
    request_id: str,
    source_ip: str,
    user_agent: str,
    now: datetime,
    region: str = "us-east-1",
    context: Mapping[str, Any] | None = None,
    sampling: AllowSampling = EVERY_ALLOW,
) -> AuditEvent | None:
    """Record one decision of `/v1/authorize` (buffered); the event, or None when sampling skipped it."""
    if not sampling.keeps(decision, request_id):
        return None
    parameters: dict[str, Any] = {"action": decision.request.action}
    if decision.request.resource is not None:
        parameters["resource"] = decision.request.resource
    if context:
        parameters["context"] = dict(context)
    event = AuditEvent(
        event_id=str(uuid.uuid4()),
        event_time=now,
        event_source=DECISION_SOURCE,
        event_name=DECISION_EVENT,
        aws_region=region,
        source_ip_address=source_ip,
        user_agent=user_agent,
        user_identity=identity,
        request_id=request_id,
        read_only=True,
        recipient_account_id=identity.account_id,
        request_parameters=parameters,
        response_elements={"decision": decision.outcome.value, "allowed": decision.allowed},
        error_code=None if decision.allowed else "AccessDenied",
        error_message=None if decision.allowed else f"{decision.outcome.value}",
        decision=summarize(decision),
    )
    recorder.record(event)
    return event
