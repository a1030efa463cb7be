"""Errors of STS calls, coded as AWS STS codes them so the wire API can pass them on.

Hierarchy::

    IamtwinError
    └── StsError     an STS call refused (code: an StsErrorCode; `reason`: a finer stable code)
"""

from __future__ import annotations

from enum import StrEnum

from ..errors import Location, RefusalError


class StsErrorCode(StrEnum):
    """AWS STS error codes iamtwin raises."""

    ACCESS_DENIED = "AccessDenied"
    VALIDATION_ERROR = "ValidationError"
    INVALID_PARAMETER_VALUE = "InvalidParameterValue"
    MALFORMED_POLICY_DOCUMENT = "MalformedPolicyDocument"
    PACKED_POLICY_TOO_LARGE = "PackedPolicyTooLarge"
    INVALID_IDENTITY_TOKEN = "InvalidIdentityToken"
    EXPIRED_TOKEN = "ExpiredTokenException"
    IDP_REJECTED_CLAIM = "IDPRejectedClaim"
    IDP_COMMUNICATION_ERROR = "IDPCommunicationError"
    INVALID_AUTHORIZATION_MESSAGE = "InvalidAuthorizationMessageException"
    INVALID_CLIENT_TOKEN_ID = "InvalidClientTokenId"

    @property
    def http_status(self) -> int:
        """The HTTP status AWS STS answers with for this code."""
        return 403 if self in _FORBIDDEN else 400


_FORBIDDEN = frozenset({StsErrorCode.ACCESS_DENIED, StsErrorCode.INVALID_CLIENT_TOKEN_ID})


class StsError(RefusalError):
    """An STS call that AWS would refuse; no credentials were issued."""

    code = "StsError"

    def __init__(
        self,
        code: StsErrorCode,
        message: str,
        *,
        reason: str | None = None,
        location: Location | None = None,
    ) -> None:
        super().__init__(code.value, message, reason=reason, location=location)
        self.sts_code = code
