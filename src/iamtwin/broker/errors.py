"""The broker's refusals: one error class, a stable code per reason.

Hierarchy::

    IamtwinError
    └── BrokerError            code from BrokerErrorCode, message, location
"""

from __future__ import annotations

from enum import StrEnum

from ..errors import IamtwinError, Location


class BrokerErrorCode(StrEnum):
    """Why the broker refused something; the CLI, the tests and (later) the web UI read these."""

    INVALID_RULES = "INVALID_RULES"
    UNKNOWN_PERSON = "UNKNOWN_PERSON"
    UNKNOWN_REQUEST = "UNKNOWN_REQUEST"
    UNKNOWN_SCOPE = "UNKNOWN_SCOPE"
    NOT_ELIGIBLE = "NOT_ELIGIBLE"
    DURATION_OVER_MAXIMUM = "DURATION_OVER_MAXIMUM"
    DURATION_TOO_SHORT = "DURATION_TOO_SHORT"
    EMPTY_JUSTIFICATION = "EMPTY_JUSTIFICATION"
    SCHEDULED_IN_THE_PAST = "SCHEDULED_IN_THE_PAST"
    INVALID_TIME = "INVALID_TIME"
    SELF_APPROVAL_FORBIDDEN = "SELF_APPROVAL_FORBIDDEN"
    NOT_AN_APPROVER = "NOT_AN_APPROVER"
    ALREADY_APPROVED_BY_YOU = "ALREADY_APPROVED_BY_YOU"
    BREAK_GLASS_NOT_ALLOWED = "BREAK_GLASS_NOT_ALLOWED"
    INVALID_TRANSITION = "INVALID_TRANSITION"
    REQUEST_EXPIRED = "REQUEST_EXPIRED"
    QUORUM_NOT_MET = "QUORUM_NOT_MET"
    NOT_THE_REQUESTER = "NOT_THE_REQUESTER"
    NOT_AUTHENTICATED = "NOT_AUTHENTICATED"
    OUTSIDE_WINDOW = "OUTSIDE_WINDOW"
    WINDOW_TOO_SHORT = "WINDOW_TOO_SHORT"
    NOT_ALLOWED_TO_REVOKE = "NOT_ALLOWED_TO_REVOKE"
    CONCURRENT_CHANGE = "CONCURRENT_CHANGE"
    NO_RULES = "NO_RULES"
    NO_BROKER_CREDENTIALS = "NO_BROKER_CREDENTIALS"
    INVALID_SOURCE_IDENTITY = "INVALID_SOURCE_IDENTITY"
    STS_REFUSED = "STS_REFUSED"
    IAM_REFUSED = "IAM_REFUSED"
    NOT_BREAK_GLASS = "NOT_BREAK_GLASS"
    ALREADY_REVIEWED = "ALREADY_REVIEWED"
    SELF_REVIEW_FORBIDDEN = "SELF_REVIEW_FORBIDDEN"
    NOT_A_REVIEWER = "NOT_A_REVIEWER"
    EMPTY_REVIEW_COMMENT = "EMPTY_REVIEW_COMMENT"
    INVALID_REVIEW_OUTCOME = "INVALID_REVIEW_OUTCOME"
    INVALID_NOTIFICATIONS = "INVALID_NOTIFICATIONS"
    CONSOLE_SIGNIN_REFUSED = "CONSOLE_SIGNIN_REFUSED"


class BrokerError(IamtwinError):
    """A broker call refused for a stated reason."""

    def __init__(self, code: BrokerErrorCode, message: str, *, location: Location | None = None) -> None:
        super().__init__(message, code=code.value, location=location)
        self.reason = code
