"""What the broker tells whom when a request changes: one `Notification` per change worth telling.

Who is concerned, per kind of change:

- a new request waiting for review: the people who could approve it;
- approval (by quorum or automatically), rejection, expiry unreviewed: the requester;
- revocation: the requester and the people who could approve it;
- break-glass: the people who could approve it (they must review it), the auditors, and the user;
- the review of a break-glass use: its user and the auditors.

People are found in the rules' directory (their subject is their email address); nobody is told
about their own action. Chat webhooks receive every notification whatever its recipients: they are
the team's channel. The text is plain and says what to do next.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .requests import ElevationRequest, RequestState
from .rules import Audience, BrokerRules
from .transitions import Change

# The kinds of `broker_events` rows that notify, and the kind of notification each makes.
NOTIFYING_KINDS = frozenset(
    {"created", "approved", "auto-approved", "rejected", "revoked", "expired", "break-glass", "break-glass-review"}
)


@dataclass(frozen=True, slots=True)
class Notification:
    """One message about one change of a request: its kind, the request, who receives it, a subject and a text."""

    kind: str
    request_id: str
    recipients: tuple[str, ...]
    subject: str
    text: str


def _members(rules: BrokerRules, audience: Iterable[str] | Audience) -> set[str]:
    if isinstance(audience, Audience):
        return {p.subject for p in rules.people.values() if audience.includes(p)}
    groups = frozenset(audience)
    return {p.subject for p in rules.people.values() if p.groups & groups}


def reviewers(rules: BrokerRules, request: ElevationRequest) -> set[str]:
    """The people of the directory who could approve the request (its requester excluded)."""
    rule = rules.approvals.get(request.approval_rule)
    if rule is None:
        return set()
    return _members(rules, [q.group for q in rule.quotas]) - {request.requester}


def auditors(rules: BrokerRules) -> set[str]:
    """The people of the directory who are auditors."""
    return set() if rules.auditors is None else _members(rules, rules.auditors)


def _window(request: ElevationRequest) -> str:
    if request.window_start is None or request.window_end is None:
        return ""
    return f"Window: {request.window_start:%Y-%m-%d %H:%M:%SZ} to {request.window_end:%Y-%m-%d %H:%M:%SZ}\n"


def _describe(request: ElevationRequest) -> str:
    ask = request.ask
    hours = ask.duration_seconds / 3600
    return (
        f"Request: {request.id}\n"
        f"Requester: {request.requester}\n"
        f"Role: {request.role_arn}\n"
        f"Duration: {ask.duration_seconds} seconds ({hours:g} h)\n"
        f"Justification: {ask.justification}\n"
        + (f"Ticket: {ask.ticket}\n" if ask.ticket else "")
        + _window(request)
    )


def _message(kind: str, actor: str, detail: str, request: ElevationRequest) -> tuple[str, str]:
    """(subject, first lines) of a kind of notification."""
    what = f"{request.ask.role_name} in {request.ask.account_id}"
    match kind:
        case "created":
            return f"{request.requester} requests {what}", (
                f"{request.requester} asks for {what}. Review it: iamtwin broker approve {request.id} "
                f"(or reject {request.id})."
            )
        case "approved" | "auto-approved":
            by = "automatically" if kind == "auto-approved" else f"by {actor}"
            return f"Approved: {what}", (
                f"Your request was approved {by}. Start a session: iamtwin broker credentials {request.id}."
            )
        case "rejected":
            return f"Rejected: {what}", f"Your request was rejected by {actor}." + (
                f" Reason: {detail}" if detail else ""
            )
        case "revoked":
            return f"Revoked: {what}", f"Access was revoked by {actor}; its sessions stop working now." + (
                f" Reason: {detail}" if detail else ""
            )
        case "expired":
            return f"Expired: {what}", "Nobody reviewed the request in time; it expired."
        case "break-glass":
            return f"BREAK-GLASS: {request.requester} took {what}", (
                f"{request.requester} used break-glass: access was granted without approval. "
                f"Someone other than them must review it: iamtwin broker review {request.id}."
            )
        case _:
            return f"Break-glass reviewed: {what}", f"{actor} reviewed the break-glass use: {detail}"


def _recipients(kind: str, rules: BrokerRules, request: ElevationRequest) -> set[str]:
    match kind:
        case "created":
            return reviewers(rules, request)
        case "revoked":
            return reviewers(rules, request) | {request.requester}
        case "break-glass":
            return reviewers(rules, request) | auditors(rules) | {request.requester}
        case "break-glass-review":
            return auditors(rules) | {request.requester}
        case _:
            return {request.requester}


def notifications_for(rules: BrokerRules, change: Change) -> list[Notification]:
    """The notifications a stored change makes, one per notifying event, in order."""
    request = change.request
    out: list[Notification] = []
    for event in change.events:
        if event.kind not in NOTIFYING_KINDS:
            continue
        if event.kind == "created" and request.state != RequestState.PENDING:
            continue  # approved at once (break-glass, auto-approval): the next event tells
        subject, lead = _message(event.kind, event.actor, event.detail, request)
        recipients = _recipients(event.kind, rules, request) - {event.actor}
        if event.kind == "break-glass":
            recipients.add(request.requester)  # the user gets a record of what they did
        text = f"{lead}\n\n{_describe(request)}State: {request.state.value}\n"
        out.append(Notification(event.kind, request.id, tuple(sorted(recipients)), f"[iamtwin broker] {subject}", text))
    return out
