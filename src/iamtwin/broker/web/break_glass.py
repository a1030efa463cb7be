"""Break-glass on the web edge: reading a review from a form or an API body, the uses waiting for review, as JSON.

A review carries only the outcome and the comment: whose review it is and whether they may give it
come from the signed-in person and the stored request (`Broker.review_break_glass` decides: someone
who could have approved the request, never its user). Unreviewed uses are shown first, apart from
everything else, until someone reviews them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import BrokerError, BrokerErrorCode
from ..reviews import BreakGlassReview, BreakGlassUse, ReviewOutcome
from ..rules import Person
from ..service import Broker
from .errors import WebError, WebErrorCode
from .presenting import iso
from .queries import could_review

MAX_REVIEW_COMMENT = 1000


def read_review(fields: Mapping[str, Any]) -> tuple[ReviewOutcome, str]:
    """The outcome and comment of a review form or body; the broker refuses an empty comment."""
    outcome, comment = fields.get("outcome"), fields.get("comment", "")
    if not isinstance(comment, str):
        raise WebError(WebErrorCode.INVALID_INPUT, "`comment` must be text")
    if len(comment) > MAX_REVIEW_COMMENT:
        raise WebError(WebErrorCode.INVALID_INPUT, f"`comment` is longer than {MAX_REVIEW_COMMENT} characters")
    try:
        chosen = ReviewOutcome(outcome) if isinstance(outcome, str) else None
    except ValueError:
        chosen = None
    if chosen is None:
        raise BrokerError(BrokerErrorCode.INVALID_REVIEW_OUTCOME, "the outcome must be `justified` or `unjustified`")
    return chosen, comment.strip()


def reviewable_uses(broker: Broker, person: Person) -> list[BreakGlassUse]:
    """The unreviewed break-glass uses this person could review (an approver of each, never its user)."""
    rules = broker.rules()
    return [use for use in broker.unreviewed_break_glass(person) if could_review(rules, person, use.request)]


def review_json(review: BreakGlassReview) -> dict[str, Any]:
    """A break-glass use's review (open while `reviewer` is null)."""
    return {
        "requestId": review.request_id,
        "usedBy": review.requester,
        "usedAt": iso(review.used_at),
        "reviewer": review.reviewer,
        "reviewedAt": iso(review.reviewed_at),
        "outcome": None if review.outcome is None else review.outcome.value,
        "comment": review.comment,
    }


def use_json(use: BreakGlassUse) -> dict[str, Any]:
    """An unreviewed use with what a reviewer needs to see first: the role, the account and why."""
    request = use.request
    return {
        **review_json(use.review),
        "account": request.ask.account_id,
        "role": request.ask.role_name,
        "roleArn": request.role_arn,
        "justification": request.ask.justification,
        "state": request.state.value,
    }
