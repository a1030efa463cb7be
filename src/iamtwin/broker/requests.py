"""A request for elevated access, its approvals, and the events that record each change."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class RequestState(StrEnum):
    """pending → approved | rejected | cancelled | expired; approved → active → ended | revoked."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    ACTIVE = "active"
    ENDED = "ended"
    REVOKED = "revoked"


FINAL_STATES = frozenset(
    {RequestState.REJECTED, RequestState.CANCELLED, RequestState.EXPIRED, RequestState.ENDED, RequestState.REVOKED}
)
GRANTED_STATES = frozenset({RequestState.APPROVED, RequestState.ACTIVE})


@dataclass(frozen=True, slots=True)
class Ask:
    """What a person asks for: a role in an account, for how long, why; a scope and a start time optionally."""

    account_id: str
    role_name: str
    duration_seconds: int
    justification: str
    scope: str | None = None
    ticket: str | None = None
    scheduled_start: datetime | None = None
    break_glass: bool = False


@dataclass(frozen=True, slots=True)
class Approval:
    """One approver's approval, with the quota groups they were in when they approved."""

    approver: str
    groups: frozenset[str]
    at: datetime


@dataclass(frozen=True, slots=True)
class ElevationRequest:
    """A request as stored: the ask, the rule that made it eligible, its state and window."""

    id: str
    requester: str
    ask: Ask
    rule_name: str
    approval_rule: str
    state: RequestState
    created_at: datetime
    pending_until: datetime
    window_start: datetime | None = None
    window_end: datetime | None = None
    version: int = 0

    @property
    def role_arn(self) -> str:
        """The target role's ARN."""
        return f"arn:aws:iam::{self.ask.account_id}:role/{self.ask.role_name}"


@dataclass(frozen=True, slots=True)
class RequestEvent:
    """One change of a request: who, when, what kind, from which state to which, with details."""

    request_id: str
    at: datetime
    actor: str
    kind: str
    from_state: RequestState | None
    to_state: RequestState
    detail: str = ""
