"""Errors of the AWS Query protocol codec, coded as AWS's Query services code them on the wire.

Hierarchy::

    IamtwinError
    └── QueryProtocolError   a request the codec cannot read or that breaks the model's constraints,
                             an unknown action, or a result the model cannot describe

Sources for the codes: the IAM and STS API references' "Common Error Types" pages
(https://docs.aws.amazon.com/IAM/latest/APIReference/CommonErrors.html,
https://docs.aws.amazon.com/STS/latest/APIReference/CommonErrors.html).
"""

from __future__ import annotations

from enum import StrEnum

from ..errors import IamtwinError, Location


class QueryErrorCode(StrEnum):
    """The AWS error codes the Query codec raises."""

    # Every failed model constraint of a request, null required members included, in one error.
    VALIDATION_ERROR = "ValidationError"
    # A value that cannot be read as its member's type (an integer `abc`, a boolean `yes`).
    MALFORMED_INPUT = "MalformedInput"
    # An `Action` the service does not define.
    INVALID_ACTION = "InvalidAction"
    # A result the output model cannot describe: a fault of ours, not the caller's.
    INTERNAL_FAILURE = "InternalFailure"

    @property
    def http_status(self) -> int:
        """The HTTP status AWS answers with for this code."""
        return 500 if self is QueryErrorCode.INTERNAL_FAILURE else 400


class QueryProtocolError(IamtwinError):
    """A Query request AWS would refuse, or a result that cannot be written; `code` is AWS's error code."""

    code = "QueryProtocolError"

    def __init__(
        self,
        code: QueryErrorCode,
        message: str,
        *,
        violations: tuple[str, ...] = (),
        location: Location | None = None,
    ) -> None:
        super().__init__(message, code=code.value, location=location)
        self.query_code = code
        self.http_status = code.http_status
        # One entry per failed constraint, in the order the message lists them.
        self.violations = violations

    @property
    def sender(self) -> bool:
        """Whether the caller is at fault (`<Type>Sender</Type>`) rather than the service."""
        return self.http_status < 500
