"""Errors raised or recorded while evaluating a request."""

from __future__ import annotations

from ..errors import IamtwinError


class RequestError(IamtwinError):
    """A request that cannot be evaluated: an unparsable principal, action or resource."""

    code = "INVALID_REQUEST"


class ConditionValueError(IamtwinError):
    """A condition or context value that is not of the operator's type (recorded on the statement)."""

    code = "INVALID_CONDITION_VALUE"
