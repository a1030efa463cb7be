"""Errors of changes to a stored world, coded as AWS IAM codes them so the wire API can pass them on.

Hierarchy::

    IamtwinError
    └── IamError     a change the world refuses (code: an IamErrorCode; `reason` a finer stable code;
                     location: the request field or document path at fault)

The code is the one AWS IAM returns for the same mistake (`EntityAlreadyExists`, `LimitExceeded`,
...); `reason` says which rule was broken (`NAME_TOO_LONG`, `MANAGED_POLICIES_PER_ROLE`, ...) so
tests and tools can tell apart failures that AWS reports under one code.
"""

from __future__ import annotations

from enum import StrEnum

from ..errors import Location, RefusalError


class IamErrorCode(StrEnum):
    """AWS IAM error codes iamtwin raises, with the HTTP status AWS sends for each."""

    NO_SUCH_ENTITY = "NoSuchEntity"
    ENTITY_ALREADY_EXISTS = "EntityAlreadyExists"
    LIMIT_EXCEEDED = "LimitExceeded"
    MALFORMED_POLICY_DOCUMENT = "MalformedPolicyDocument"
    INVALID_INPUT = "InvalidInput"
    VALIDATION_ERROR = "ValidationError"
    DELETE_CONFLICT = "DeleteConflict"
    UNMODIFIABLE_ENTITY = "UnmodifiableEntity"
    POLICY_NOT_ATTACHABLE = "PolicyNotAttachable"

    @property
    def http_status(self) -> int:
        """The HTTP status AWS IAM answers with for this code."""
        return _STATUS[self]


_STATUS = {
    IamErrorCode.NO_SUCH_ENTITY: 404,
    IamErrorCode.ENTITY_ALREADY_EXISTS: 409,
    IamErrorCode.LIMIT_EXCEEDED: 409,
    IamErrorCode.MALFORMED_POLICY_DOCUMENT: 400,
    IamErrorCode.INVALID_INPUT: 400,
    IamErrorCode.VALIDATION_ERROR: 400,
    IamErrorCode.DELETE_CONFLICT: 409,
    IamErrorCode.UNMODIFIABLE_ENTITY: 400,
    IamErrorCode.POLICY_NOT_ATTACHABLE: 400,
}


class IamError(RefusalError):
    """A change to the world that AWS IAM would refuse; nothing of it was written."""

    code = "IamError"

    def __init__(
        self,
        code: IamErrorCode,
        message: str,
        *,
        reason: str | None = None,
        location: Location | None = None,
    ) -> None:
        super().__init__(code.value, message, reason=reason, location=location)
        self.iam_code = code
