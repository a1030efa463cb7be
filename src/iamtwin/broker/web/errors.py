"""The web edge's refusals, on top of the broker's own.

Hierarchy::

    IamtwinError
    ├── BrokerError           the broker's refusals (see `broker.errors`)
    └── WebError              code from WebErrorCode; `status` is the HTTP status it is answered with
"""

from __future__ import annotations

from enum import StrEnum

from ...errors import IamtwinError
from ..errors import BrokerErrorCode


class WebErrorCode(StrEnum):
    """Why the web edge refused a call before (or instead of) asking the broker."""

    NOT_SIGNED_IN = "NOT_SIGNED_IN"
    INVALID_TOKEN = "INVALID_TOKEN"
    SIGN_IN_FAILED = "SIGN_IN_FAILED"
    CSRF_FAILED = "CSRF_FAILED"
    NOT_AN_AUDITOR = "NOT_AN_AUDITOR"
    INVALID_INPUT = "INVALID_INPUT"
    PROVIDER_UNREACHABLE = "PROVIDER_UNREACHABLE"


_STATUS = {
    WebErrorCode.NOT_SIGNED_IN: 401,
    WebErrorCode.INVALID_TOKEN: 401,
    WebErrorCode.SIGN_IN_FAILED: 400,
    WebErrorCode.CSRF_FAILED: 403,
    WebErrorCode.NOT_AN_AUDITOR: 403,
    WebErrorCode.INVALID_INPUT: 400,
    WebErrorCode.PROVIDER_UNREACHABLE: 502,
}


class WebError(IamtwinError):
    """A web call refused for a stated reason."""

    def __init__(self, code: WebErrorCode, message: str) -> None:
        super().__init__(message, code=code.value)
        self.reason = code
        self.status = _STATUS[code]


# How each broker refusal is answered over HTTP. A request someone may not see is a 404 like one that
# does not exist, so ids reveal nothing (the broker already gives both the same code).
_BROKER_STATUS = {
    BrokerErrorCode.UNKNOWN_REQUEST: 404,
    BrokerErrorCode.NOT_AUTHENTICATED: 401,
    BrokerErrorCode.SELF_APPROVAL_FORBIDDEN: 403,
    BrokerErrorCode.NOT_AN_APPROVER: 403,
    BrokerErrorCode.NOT_THE_REQUESTER: 403,
    BrokerErrorCode.NOT_ALLOWED_TO_REVOKE: 403,
    BrokerErrorCode.NOT_ELIGIBLE: 403,
    BrokerErrorCode.BREAK_GLASS_NOT_ALLOWED: 403,
    BrokerErrorCode.SELF_REVIEW_FORBIDDEN: 403,
    BrokerErrorCode.NOT_A_REVIEWER: 403,
    BrokerErrorCode.INVALID_TRANSITION: 409,
    BrokerErrorCode.ALREADY_APPROVED_BY_YOU: 409,
    BrokerErrorCode.ALREADY_REVIEWED: 409,
    BrokerErrorCode.NOT_BREAK_GLASS: 409,
    BrokerErrorCode.CONCURRENT_CHANGE: 409,
    BrokerErrorCode.REQUEST_EXPIRED: 409,
    BrokerErrorCode.QUORUM_NOT_MET: 409,
    BrokerErrorCode.OUTSIDE_WINDOW: 409,
    BrokerErrorCode.WINDOW_TOO_SHORT: 409,
    BrokerErrorCode.NO_RULES: 503,
    BrokerErrorCode.NO_BROKER_CREDENTIALS: 503,
    BrokerErrorCode.STS_REFUSED: 502,
    BrokerErrorCode.IAM_REFUSED: 502,
    BrokerErrorCode.CONSOLE_SIGNIN_REFUSED: 502,
}


def http_status(error: IamtwinError) -> int:
    """The HTTP status a refusal is answered with (400 for bad input of any other kind)."""
    if isinstance(error, WebError):
        return error.status
    try:
        return _BROKER_STATUS.get(BrokerErrorCode(error.code), 400)
    except ValueError:
        return 400
