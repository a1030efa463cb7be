"""The broker's rows in the world database: rules, requests, approvals, events, sessions, revocations.

Every change of a request is written with its events in the caller's transaction; the update names
the version read, so of two concurrent changes of one request (two reviewers approving at once) one
commits and the other is refused with CONCURRENT_CHANGE.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import yaml
from sqlalchemy import Connection, select

from ..world.store import schema as t
from .errors import BrokerError, BrokerErrorCode
from .requests import Approval, Ask, ElevationRequest, RequestEvent, RequestState
from .reviews import BreakGlassReview, ReviewOutcome
from .rules import BrokerRules, parse_rules
from .transitions import Change

CURRENT_RULES = "current"


def _utc(value: datetime | None) -> datetime | None:
    """Stored as UTC; SQLite hands back naive datetimes for timezone-aware columns."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _required(value: datetime | None) -> datetime:
    out = _utc(value)
    assert out is not None
    return out


@dataclass(frozen=True, slots=True)
class IssuedSession:
    """A session the broker obtained for a request (its key id, never its secret)."""

    access_key_id: str
    request_id: str
    role_arn: str
    session_name: str
    source_identity: str
    issued_at: datetime
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class Revocation:
    """A deny policy the broker put on a role, and until when it is needed."""

    request_id: str
    role_arn: str
    policy_name: str
    cutoff: datetime
    needed_until: datetime
    removed_at: datetime | None


def save_rules(conn: Connection, text: str, now: datetime) -> BrokerRules:
    """Validate rules (YAML or JSON text) and make them the broker's current rules."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise BrokerError(BrokerErrorCode.INVALID_RULES, f"the rules are not valid YAML: {exc}") from exc
    rules = parse_rules(data)
    table = t.broker_rules
    conn.execute(table.delete().where(table.c.name == CURRENT_RULES))
    conn.execute(table.insert().values(name=CURRENT_RULES, document=rules.to_json(), loaded_at=_utc(now)))
    return rules


def load_rules(conn: Connection) -> BrokerRules:
    """The broker's current rules."""
    table = t.broker_rules
    document = conn.execute(select(table.c.document).where(table.c.name == CURRENT_RULES)).scalar()
    if document is None:
        raise BrokerError(BrokerErrorCode.NO_RULES, "no broker rules are loaded (iamtwin broker rules load FILE)")
    return parse_rules(json.loads(document))


def account_path(conn: Connection, account_id: str) -> tuple[str, ...]:
    """The root and OU ids above an account in the stored organization, root first; empty outside one."""
    parent = conn.execute(select(t.accounts.c.parent_id).where(t.accounts.c.id == account_id)).scalar()
    path: list[str] = []
    while parent is not None and parent not in path:
        path.insert(0, parent)
        parent = conn.execute(select(t.org_nodes.c.parent_id).where(t.org_nodes.c.id == parent)).scalar()
    return tuple(path)


def _request_row(request: ElevationRequest) -> dict[str, Any]:
    ask = request.ask
    return {
        "requester": request.requester,
        "account_id": ask.account_id,
        "role_name": ask.role_name,
        "scope": ask.scope,
        "justification": ask.justification,
        "ticket": ask.ticket,
        "duration_seconds": ask.duration_seconds,
        "scheduled_start": _utc(ask.scheduled_start),
        "break_glass": ask.break_glass,
        "rule_name": request.rule_name,
        "approval_rule": request.approval_rule,
        "state": request.state.value,
        "created_at": _utc(request.created_at),
        "pending_until": _utc(request.pending_until),
        "window_start": _utc(request.window_start),
        "window_end": _utc(request.window_end),
    }


def _request(row: Any) -> ElevationRequest:
    ask = Ask(
        row.account_id,
        row.role_name,
        row.duration_seconds,
        row.justification,
        row.scope,
        row.ticket,
        _utc(row.scheduled_start),
        bool(row.break_glass),
    )
    return ElevationRequest(
        row.id,
        row.requester,
        ask,
        row.rule_name,
        row.approval_rule,
        RequestState(row.state),
        _required(row.created_at),
        _required(row.pending_until),
        _utc(row.window_start),
        _utc(row.window_end),
        row.version,
    )


def read_request(conn: Connection, request_id: str, *, for_update: bool = False) -> ElevationRequest:
    """One request (locked for the transaction on PostgreSQL when `for_update`)."""
    query = select(t.broker_requests).where(t.broker_requests.c.id == request_id)
    row = conn.execute(query.with_for_update() if for_update else query).first()
    if row is None:
        raise BrokerError(BrokerErrorCode.UNKNOWN_REQUEST, f"there is no request `{request_id}`")
    return _request(row)


def list_requests(
    conn: Connection, *, requester: str | None = None, states: Sequence[RequestState] = ()
) -> list[ElevationRequest]:
    """Requests, newest first, optionally of one requester or in some states."""
    table = t.broker_requests
    query = select(table).order_by(table.c.created_at.desc(), table.c.id)
    if requester is not None:
        query = query.where(table.c.requester == requester)
    if states:
        query = query.where(table.c.state.in_([s.value for s in states]))
    return [_request(row) for row in conn.execute(query)]


def read_approvals(conn: Connection, request_id: str) -> list[Approval]:
    """The approvals given to a request so far."""
    table = t.broker_approvals
    rows = conn.execute(select(table).where(table.c.request_id == request_id).order_by(table.c.approved_at))
    return [Approval(r.approver, frozenset(json.loads(r.groups)), _required(r.approved_at)) for r in rows]


def read_events(conn: Connection, request_id: str) -> list[RequestEvent]:
    """A request's history, oldest first."""
    table = t.broker_events
    rows = conn.execute(select(table).where(table.c.request_id == request_id).order_by(table.c.id))
    return [
        RequestEvent(
            r.request_id,
            _required(r.at),
            r.actor,
            r.kind,
            None if r.from_state is None else RequestState(r.from_state),
            RequestState(r.to_state),
            r.detail,
        )
        for r in rows
    ]


def _write_events(conn: Connection, events: Sequence[RequestEvent]) -> None:
    for e in events:
        conn.execute(
            t.broker_events.insert().values(
                request_id=e.request_id,
                at=_utc(e.at),
                actor=e.actor,
                kind=e.kind,
                from_state=None if e.from_state is None else e.from_state.value,
                to_state=e.to_state.value,
                detail=e.detail,
            )
        )


def insert_request(conn: Connection, change: Change) -> ElevationRequest:
    """Store a new request with its first events."""
    conn.execute(t.broker_requests.insert().values(id=change.request.id, version=0, **_request_row(change.request)))
    _write_events(conn, change.events)
    if change.review is not None:
        insert_review(conn, change.review)
    return change.request


def apply_change(conn: Connection, change: Change) -> ElevationRequest:
    """Store a transition of a request read in this transaction, refusing if someone changed it meanwhile."""
    request = change.request
    table = t.broker_requests
    updated = conn.execute(
        table.update()
        .where(table.c.id == request.id)
        .where(table.c.version == request.version)
        .values(version=request.version + 1, **_request_row(request))
    )
    if updated.rowcount != 1:
        raise BrokerError(BrokerErrorCode.CONCURRENT_CHANGE, f"request `{request.id}` changed meanwhile; try again")
    if change.approval is not None:
        a = change.approval
        conn.execute(
            t.broker_approvals.insert().values(
                request_id=request.id, approver=a.approver, groups=json.dumps(sorted(a.groups)), approved_at=_utc(a.at)
            )
        )
    if change.review is not None and not change.review.open:
        complete_review(conn, change.review)
    _write_events(conn, change.events)
    return replace(request, version=request.version + 1)


def record_session(conn: Connection, session: IssuedSession) -> None:
    """Keep an issued session's identifiers and lifetime."""
    conn.execute(
        t.broker_sessions.insert().values(
            access_key_id=session.access_key_id,
            request_id=session.request_id,
            role_arn=session.role_arn,
            session_name=session.session_name,
            source_identity=session.source_identity,
            issued_at=_utc(session.issued_at),
            expires_at=_utc(session.expires_at),
        )
    )


def read_sessions(conn: Connection, request_id: str) -> list[IssuedSession]:
    """The sessions issued for a request, oldest first."""
    table = t.broker_sessions
    rows = conn.execute(select(table).where(table.c.request_id == request_id).order_by(table.c.issued_at))
    return [
        IssuedSession(
            r.access_key_id,
            r.request_id,
            r.role_arn,
            r.session_name,
            r.source_identity,
            _required(r.issued_at),
            _required(r.expires_at),
        )
        for r in rows
    ]


def record_revocation(conn: Connection, revocation: Revocation) -> None:
    """Keep a deny policy put on a role, so it is removed once no longer needed."""
    conn.execute(
        t.broker_revocations.insert().values(
            request_id=revocation.request_id,
            role_arn=revocation.role_arn,
            policy_name=revocation.policy_name,
            cutoff=_utc(revocation.cutoff),
            needed_until=_utc(revocation.needed_until),
            removed_at=None,
        )
    )


def _revocation(row: Any) -> Revocation:
    return Revocation(
        row.request_id,
        row.role_arn,
        row.policy_name,
        _required(row.cutoff),
        _required(row.needed_until),
        _utc(row.removed_at),
    )


def read_revocation(conn: Connection, request_id: str) -> Revocation | None:
    """The deny policy put for a request, if any."""
    row = conn.execute(select(t.broker_revocations).where(t.broker_revocations.c.request_id == request_id)).first()
    return None if row is None else _revocation(row)


def revocations_to_remove(conn: Connection, now: datetime) -> list[Revocation]:
    """Deny policies still in place whose every denied session has expired."""
    table = t.broker_revocations
    # Compared here as aware datetimes: SQLite would compare the stored text.
    kept = [_revocation(row) for row in conn.execute(select(table).where(table.c.removed_at.is_(None)))]
    return [r for r in kept if r.needed_until <= now]


def mark_removed(conn: Connection, request_id: str, now: datetime) -> None:
    """Note that a request's deny policy was removed from its role."""
    table = t.broker_revocations
    conn.execute(table.update().where(table.c.request_id == request_id).values(removed_at=_utc(now)))


def insert_review(conn: Connection, review: BreakGlassReview) -> None:
    """Open the review task of a break-glass use."""
    conn.execute(
        t.broker_break_glass_reviews.insert().values(
            request_id=review.request_id, requester=review.requester, used_at=_utc(review.used_at), comment=""
        )
    )


def _review(row: Any) -> BreakGlassReview:
    return BreakGlassReview(
        row.request_id,
        row.requester,
        _required(row.used_at),
        row.reviewer,
        _utc(row.reviewed_at),
        None if row.outcome is None else ReviewOutcome(row.outcome),
        row.comment,
    )


def read_review(conn: Connection, request_id: str) -> BreakGlassReview | None:
    """The review of a break-glass request; None for a request that was not one."""
    table = t.broker_break_glass_reviews
    row = conn.execute(select(table).where(table.c.request_id == request_id)).first()
    return None if row is None else _review(row)


def complete_review(conn: Connection, review: BreakGlassReview) -> None:
    """Store a completed review, refusing if someone completed it meanwhile."""
    table = t.broker_break_glass_reviews
    updated = conn.execute(
        table.update()
        .where(table.c.request_id == review.request_id)
        .where(table.c.reviewer.is_(None))
        .values(
            reviewer=review.reviewer,
            reviewed_at=_utc(review.reviewed_at),
            outcome=None if review.outcome is None else review.outcome.value,
            comment=review.comment,
        )
    )
    if updated.rowcount != 1:
        raise BrokerError(BrokerErrorCode.ALREADY_REVIEWED, f"the break-glass use `{review.request_id}` was reviewed")


def list_reviews(conn: Connection, *, open_only: bool = False) -> list[BreakGlassReview]:
    """Break-glass reviews, oldest use first (the longest-waiting on top), optionally only the open ones."""
    table = t.broker_break_glass_reviews
    query = select(table).order_by(table.c.used_at, table.c.request_id)
    if open_only:
        query = query.where(table.c.reviewer.is_(None))
    return [_review(row) for row in conn.execute(query)]
