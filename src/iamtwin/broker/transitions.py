"""The changes of a request, as pure functions: (rules, request, who, now) → the new request and its events.

Nothing here reads a clock or a database; the caller passes `now` (from an injected `Clock`) and
stores the result in one transaction. Every refusal is a `BrokerError` with a stable code.
Durations come from the rule, never beyond it; times are compared as aware datetimes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from .errors import BrokerError, BrokerErrorCode
from .quorum import quorum_met
from .requests import FINAL_STATES, GRANTED_STATES, Approval, Ask, ElevationRequest, RequestEvent, RequestState
from .reviews import BreakGlassReview, ReviewOutcome
from .rules import MINIMUM_SESSION_SECONDS, ApprovalRule, BrokerRules, Person

BROKER_ACTOR = "iamtwin-broker"


@dataclass(frozen=True, slots=True)
class Change:
    """A request after a transition, the events recording it, and the approval or break-glass review it added."""

    request: ElevationRequest
    events: tuple[RequestEvent, ...]
    approval: Approval | None = None
    review: BreakGlassReview | None = None


def _aware(value: datetime, what: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise BrokerError(BrokerErrorCode.INVALID_TIME, f"{what} must carry a time zone")
    return value


def _refuse(code: BrokerErrorCode, message: str) -> BrokerError:
    return BrokerError(code, message)


def _event(
    request: ElevationRequest, now: datetime, actor: str, kind: str, to: RequestState, detail: str = ""
) -> RequestEvent:
    return RequestEvent(request.id, now, actor, kind, request.state, to, detail)


def _approval_rule(rules: BrokerRules, request: ElevationRequest) -> ApprovalRule:
    found = rules.approvals.get(request.approval_rule)
    if found is None:
        raise _refuse(BrokerErrorCode.NOT_AN_APPROVER, f"approval rule `{request.approval_rule}` no longer exists")
    return found


def _grant(request: ElevationRequest, now: datetime) -> ElevationRequest:
    """Approved: the window opens at approval (or the scheduled start, if later) and lasts the asked duration."""
    start = max(now, request.ask.scheduled_start or now)
    return replace(
        request,
        state=RequestState.APPROVED,
        window_start=start,
        window_end=start + timedelta(seconds=request.ask.duration_seconds),
    )


def create(
    rules: BrokerRules,
    person: Person,
    ask: Ask,
    *,
    request_id: str,
    account_path: tuple[str, ...],
    now: datetime,
) -> Change:
    """A new request, refused unless justified, eligible and within the rule's maximum.

    It is approved at once when the approval rule auto-approves the requester, or on break-glass.
    """
    _aware(now, "the current time")
    if not ask.justification.strip():
        raise _refuse(BrokerErrorCode.EMPTY_JUSTIFICATION, "a request needs a justification")
    rule = rules.eligible_rule(person, ask.account_id, account_path, ask.role_name, ask.scope)
    if ask.duration_seconds < MINIMUM_SESSION_SECONDS:
        raise _refuse(BrokerErrorCode.DURATION_TOO_SHORT, "a request lasts at least 900 seconds")
    if ask.duration_seconds > rule.max_seconds:
        raise _refuse(
            BrokerErrorCode.DURATION_OVER_MAXIMUM,
            f"{ask.duration_seconds} seconds is more than the {rule.max_seconds} seconds rule `{rule.name}` allows",
        )
    if ask.scheduled_start is not None and _aware(ask.scheduled_start, "the scheduled start") < now:
        raise _refuse(BrokerErrorCode.SCHEDULED_IN_THE_PAST, "the scheduled start is in the past")
    approval = rules.approvals[rule.approval]
    if ask.break_glass and not approval.break_glass:
        raise _refuse(BrokerErrorCode.BREAK_GLASS_NOT_ALLOWED, f"approval rule `{approval.name}` allows no break-glass")
    request = ElevationRequest(
        request_id,
        person.subject,
        ask,
        rule.name,
        approval.name,
        RequestState.PENDING,
        now,
        now + timedelta(seconds=rules.pending_seconds),
    )
    created = RequestEvent(request_id, now, person.subject, "created", None, RequestState.PENDING, ask.justification)
    if ask.break_glass:
        granted = _grant(request, now)
        used = _event(request, now, person.subject, "break-glass", RequestState.APPROVED)
        # Access without approval always leaves a review task someone else must complete.
        return Change(granted, (created, used), review=BreakGlassReview(request_id, person.subject, now))
    if approval.auto_approve is not None and approval.auto_approve.includes(person):
        granted = _grant(request, now)
        return Change(granted, (created, _event(request, now, BROKER_ACTOR, "auto-approved", RequestState.APPROVED)))
    return Change(request, (created,))


def _pending(request: ElevationRequest, now: datetime) -> None:
    if request.state == RequestState.EXPIRED:
        raise _refuse(BrokerErrorCode.REQUEST_EXPIRED, f"request `{request.id}` expired unreviewed")
    if request.state != RequestState.PENDING:
        raise _refuse(BrokerErrorCode.INVALID_TRANSITION, f"request `{request.id}` is {request.state}, not pending")
    if now >= request.pending_until:
        raise _refuse(BrokerErrorCode.REQUEST_EXPIRED, f"request `{request.id}` expired unreviewed")


def approve(
    rules: BrokerRules, request: ElevationRequest, approvals: Sequence[Approval], approver: Person, now: datetime
) -> Change:
    """One approval; the request is approved when the approvals meet every quota of its approval rule."""
    _aware(now, "the current time")
    if approver.subject == request.requester:
        raise _refuse(BrokerErrorCode.SELF_APPROVAL_FORBIDDEN, "nobody may approve their own request")
    _pending(request, now)
    rule = _approval_rule(rules, request)
    groups = rule.approver_groups(approver)
    if not groups:
        raise _refuse(BrokerErrorCode.NOT_AN_APPROVER, f"`{approver.subject}` is in none of the approver groups")
    if any(a.approver == approver.subject for a in approvals):
        raise _refuse(BrokerErrorCode.ALREADY_APPROVED_BY_YOU, f"`{approver.subject}` already approved this request")
    added = Approval(approver.subject, groups, now)
    approved = _event(request, now, approver.subject, "approval", RequestState.PENDING, ",".join(sorted(groups)))
    if not quorum_met(rule, [*approvals, added]):
        return Change(request, (approved,), added)
    granted = _grant(request, now)
    return Change(granted, (approved, _event(request, now, approver.subject, "approved", RequestState.APPROVED)), added)


def reject(rules: BrokerRules, request: ElevationRequest, reviewer: Person, now: datetime, reason: str = "") -> Change:
    """A reviewer (one who could approve, never the requester) rejects a pending request."""
    _aware(now, "the current time")
    if reviewer.subject == request.requester:
        raise _refuse(BrokerErrorCode.SELF_APPROVAL_FORBIDDEN, "nobody may decide on their own request")
    _pending(request, now)
    if not _approval_rule(rules, request).approver_groups(reviewer):
        raise _refuse(BrokerErrorCode.NOT_AN_APPROVER, f"`{reviewer.subject}` is in none of the approver groups")
    rejected = replace(request, state=RequestState.REJECTED)
    return Change(rejected, (_event(request, now, reviewer.subject, "rejected", RequestState.REJECTED, reason),))


def cancel(request: ElevationRequest, person: Person, now: datetime) -> Change:
    """The requester withdraws a request before any session was started."""
    _aware(now, "the current time")
    if person.subject != request.requester:
        raise _refuse(BrokerErrorCode.NOT_THE_REQUESTER, "only the requester may cancel a request")
    if request.state not in (RequestState.PENDING, RequestState.APPROVED):
        raise _refuse(BrokerErrorCode.INVALID_TRANSITION, f"request `{request.id}` is {request.state}")
    cancelled = replace(request, state=RequestState.CANCELLED)
    return Change(cancelled, (_event(request, now, person.subject, "cancelled", RequestState.CANCELLED),))


def revoke(rules: BrokerRules, request: ElevationRequest, actor: Person, now: datetime, reason: str = "") -> Change:
    """The requester or an approver ends granted access early; issued sessions are then denied."""
    _aware(now, "the current time")
    if actor.subject != request.requester and not _approval_rule(rules, request).approver_groups(actor):
        raise _refuse(BrokerErrorCode.NOT_ALLOWED_TO_REVOKE, f"`{actor.subject}` may not revoke this request")
    if request.state not in GRANTED_STATES:
        raise _refuse(BrokerErrorCode.INVALID_TRANSITION, f"request `{request.id}` is {request.state}, not granted")
    revoked = replace(request, state=RequestState.REVOKED)
    return Change(revoked, (_event(request, now, actor.subject, "revoked", RequestState.REVOKED, reason),))


def due(request: ElevationRequest, now: datetime) -> Change | None:
    """The change time alone makes: a pending request expires, a granted one ends with its window; else None."""
    _aware(now, "the current time")
    if request.state == RequestState.PENDING and now >= request.pending_until:
        expired = replace(request, state=RequestState.EXPIRED)
        return Change(expired, (_event(request, now, BROKER_ACTOR, "expired", RequestState.EXPIRED),))
    if request.state in GRANTED_STATES and request.window_end is not None and now >= request.window_end:
        ended = replace(request, state=RequestState.ENDED)
        return Change(ended, (_event(request, now, BROKER_ACTOR, "ended", RequestState.ENDED),))
    return None


def session_seconds(
    rules: BrokerRules, request: ElevationRequest, person: Person | None, account_path: tuple[str, ...], now: datetime
) -> int:
    """The three checks before a session starts; the session's length: min(rule maximum, whole seconds left).

    1. authenticated, and the requester; 2. still eligible now, by the current rules; 3. approved and
    inside the window, with at least 900 seconds left (a session never outlasts the window).
    """
    _aware(now, "the current time")
    if person is None:
        raise _refuse(BrokerErrorCode.NOT_AUTHENTICATED, "sign in to start a session")
    if person.subject != request.requester:
        raise _refuse(BrokerErrorCode.NOT_THE_REQUESTER, "only the requester may start sessions of a request")
    ask = request.ask
    rule = rules.eligible_rule(person, ask.account_id, account_path, ask.role_name, ask.scope)
    if request.state == RequestState.PENDING:
        raise _refuse(BrokerErrorCode.QUORUM_NOT_MET, f"request `{request.id}` is not approved yet")
    if request.state in FINAL_STATES or request.window_start is None or request.window_end is None:
        raise _refuse(BrokerErrorCode.INVALID_TRANSITION, f"request `{request.id}` is {request.state}")
    if now < request.window_start or now >= request.window_end:
        raise _refuse(BrokerErrorCode.OUTSIDE_WINDOW, f"request `{request.id}` is outside its approved window")
    remaining = math.floor((request.window_end - now).total_seconds())
    if remaining < MINIMUM_SESSION_SECONDS:
        raise _refuse(
            BrokerErrorCode.WINDOW_TOO_SHORT,
            f"only {remaining} seconds of the window remain; a session lasts at least 900",
        )
    return min(rule.max_seconds, remaining)


def started(request: ElevationRequest, person: Person, now: datetime, detail: str) -> Change:
    """A session was issued: an approved request becomes active; every session is an event."""
    session = _event(request, now, person.subject, "session", RequestState.ACTIVE, detail)
    if request.state == RequestState.ACTIVE:
        return Change(request, (session,))
    return Change(replace(request, state=RequestState.ACTIVE), (session,))


def review_break_glass(
    rules: BrokerRules,
    request: ElevationRequest,
    review: BreakGlassReview | None,
    reviewer: Person,
    now: datetime,
    outcome: ReviewOutcome,
    comment: str,
) -> Change:
    """Complete the review of a break-glass use: by one who could have approved it, never its user, with a reason.

    The request's state does not change (reviewing is not revoking); the review is stored with its event.
    """
    _aware(now, "the current time")
    if review is None or not request.ask.break_glass:
        raise _refuse(BrokerErrorCode.NOT_BREAK_GLASS, f"request `{request.id}` was not a break-glass use")
    if reviewer.subject == request.requester:
        raise _refuse(BrokerErrorCode.SELF_REVIEW_FORBIDDEN, "nobody may review their own break-glass use")
    if not review.open:
        raise _refuse(
            BrokerErrorCode.ALREADY_REVIEWED, f"the break-glass use `{request.id}` was reviewed by `{review.reviewer}`"
        )
    if not _approval_rule(rules, request).approver_groups(reviewer):
        raise _refuse(BrokerErrorCode.NOT_A_REVIEWER, f"`{reviewer.subject}` is in none of the approver groups")
    if not comment.strip():
        raise _refuse(BrokerErrorCode.EMPTY_REVIEW_COMMENT, "a review needs a comment saying why")
    done = replace(review, reviewer=reviewer.subject, reviewed_at=now, outcome=outcome, comment=comment)
    event = _event(request, now, reviewer.subject, "break-glass-review", request.state, f"{outcome.value}: {comment}")
    return Change(request, (event,), review=done)
