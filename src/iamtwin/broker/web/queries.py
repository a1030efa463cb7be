"""What each kind of person sees and asks, on top of `Broker`'s public operations.

Requesters see their own requests; reviewers the pending requests they could approve (never their
own); auditors the whole history. Asks typed into a form or an API body are read here into `Ask`,
with clear refusals for bad input.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..errors import BrokerError, BrokerErrorCode
from ..requests import Ask, ElevationRequest, RequestEvent, RequestState
from ..rules import BrokerRules, Person, parse_duration
from ..service import Broker
from .errors import WebError, WebErrorCode

MAX_JUSTIFICATION = 1000
MAX_TICKET = 200


@dataclass(frozen=True, slots=True)
class HistoryFilter:
    """An auditor's filters: exact requester, account, role and state; created within [since, until)."""

    requester: str | None = None
    account: str | None = None
    role: str | None = None
    state: RequestState | None = None
    since: datetime | None = None
    until: datetime | None = None

    def keeps(self, request: ElevationRequest) -> bool:
        """Whether the request passes every filter given."""
        return (
            (self.requester is None or request.requester == self.requester)
            and (self.account is None or request.ask.account_id == self.account)
            and (self.role is None or request.ask.role_name == self.role)
            and (self.state is None or request.state == self.state)
            and (self.since is None or request.created_at >= self.since)
            and (self.until is None or request.created_at < self.until)
        )


def is_auditor(rules: BrokerRules, person: Person) -> bool:
    """Whether the person is one of the rules' auditors."""
    return rules.auditors is not None and rules.auditors.includes(person)


def could_review(rules: BrokerRules, person: Person, request: ElevationRequest) -> bool:
    """Whether the person is an approver of the request's rule and not its requester."""
    rule = rules.approvals.get(request.approval_rule)
    return rule is not None and request.requester != person.subject and bool(rule.approver_groups(person))


def scope_policy(rules: BrokerRules, request: ElevationRequest) -> Mapping[str, Any] | None:
    """The session policy of the request's scope, from its eligibility rule (None without a scope)."""
    if request.ask.scope is None:
        return None
    rule = next((r for r in rules.eligibility if r.name == request.rule_name), None)
    return None if rule is None else rule.scopes.get(request.ask.scope)


def own_requests(broker: Broker, person: Person) -> list[ElevationRequest]:
    """The person's own requests, newest first."""
    return [r for r in broker.list_for(person) if r.requester == person.subject]


def to_review(broker: Broker, person: Person) -> list[ElevationRequest]:
    """Pending requests this person could approve."""
    rules = broker.rules()
    return [r for r in broker.list_for(person, states=(RequestState.PENDING,)) if could_review(rules, person, r)]


def audited_history(
    broker: Broker, person: Person, wanted: HistoryFilter
) -> list[tuple[ElevationRequest, list[RequestEvent]]]:
    """Every request passing the filters with its events, for an auditor only."""
    if not is_auditor(broker.rules(), person):
        raise WebError(WebErrorCode.NOT_AN_AUDITOR, "only auditors may read the whole history")
    return [broker.history(r.id, person) for r in broker.list_for(person) if wanted.keeps(r)]


def parse_time(value: str | None, what: str) -> datetime | None:
    """An ISO 8601 time that names its zone (`Z` or an offset), or None when empty."""
    if value is None or not value.strip():
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError as exc:
        raise BrokerError(BrokerErrorCode.INVALID_TIME, f"{what} `{value}` is not an ISO 8601 time") from exc
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise BrokerError(BrokerErrorCode.INVALID_TIME, f"{what} `{value}` must name its time zone, e.g. `Z`")
    return parsed


def _text(fields: Mapping[str, Any], name: str, limit: int = 200) -> str:
    value = fields.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise WebError(WebErrorCode.INVALID_INPUT, f"`{name}` must be text")
    if len(value) > limit:
        raise WebError(WebErrorCode.INVALID_INPUT, f"`{name}` is longer than {limit} characters")
    return value.strip()


def _seconds(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip():
        try:
            return parse_duration(value.strip(), "duration")
        except BrokerError as exc:
            raise WebError(WebErrorCode.INVALID_INPUT, f"duration `{value}` is not seconds or 30m, 2h, 1d") from exc
    raise WebError(WebErrorCode.INVALID_INPUT, "a duration is required")


def read_ask(fields: Mapping[str, Any]) -> Ask:
    """An Ask from form fields or an API body: account, role, duration, justification, scope, ticket, start."""
    duration = fields.get("durationSeconds", fields.get("duration"))
    break_glass = fields.get("breakGlass", fields.get("break_glass", False))
    if isinstance(break_glass, str):
        break_glass = break_glass.lower() in ("1", "true", "on", "yes")
    if not isinstance(break_glass, bool):
        raise WebError(WebErrorCode.INVALID_INPUT, "`breakGlass` must be true or false")
    return Ask(
        account_id=_text(fields, "account"),
        role_name=_text(fields, "role"),
        duration_seconds=_seconds(duration),
        justification=_text(fields, "justification", MAX_JUSTIFICATION),
        scope=_text(fields, "scope") or None,
        ticket=_text(fields, "ticket", MAX_TICKET) or None,
        scheduled_start=parse_time(_text(fields, "start"), "the start"),
        break_glass=break_glass,
    )


def read_filter(params: Mapping[str, str]) -> HistoryFilter:
    """An auditor's filters from query parameters (empty ones ignored)."""
    state = params.get("state") or None
    try:
        wanted_state = None if state is None else RequestState(state)
    except ValueError as exc:
        raise WebError(WebErrorCode.INVALID_INPUT, f"`{state}` is not a request state") from exc
    return HistoryFilter(
        requester=params.get("requester") or None,
        account=params.get("account") or None,
        role=params.get("role") or None,
        state=wanted_state,
        since=parse_time(params.get("since"), "since"),
        until=parse_time(params.get("until"), "until"),
    )
