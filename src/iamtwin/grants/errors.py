"""The orchestrator's refusals, each with a stable code the API, the CLI and the trail share.

Hierarchy::

    IamtwinError
    └── GrantError                 code from GrantErrorCode; `http_status` for the API
        └── GrantNotPermitted      the admission policy does not allow the requester (carries the decision)
"""

from __future__ import annotations

from enum import StrEnum

from ..errors import IamtwinError
from ..evaluate.decision import Decision


class GrantErrorCode(StrEnum):
    """Why the orchestrator refused a call."""

    INVALID = "GRANT_INVALID"  # the request is malformed (not an ARN, unknown field, wrong type)
    NOT_PERMITTED = "GRANT_NOT_PERMITTED"  # the admission policy does not allow this requester
    OUT_OF_SCOPE = "GRANT_OUT_OF_SCOPE"  # a resource, service, action or source outside what may be granted
    POLICY_REJECTED = "GRANT_POLICY_REJECTED"  # the validator found blocking findings in the new policy
    ORCHESTRATOR_DENIED = "GRANT_ORCHESTRATOR_DENIED"  # the orchestrator's own role may not change the policy
    UNKNOWN_RESOURCE = "GRANT_UNKNOWN_RESOURCE"  # the target is not a resource of the world
    CONFLICT = "GRANT_CONFLICT"  # the policy holds the grant's Sid in a form the ledger did not write
    NOT_FOUND = "GRANT_NOT_FOUND"  # no such grant among the caller's own
    ALREADY_REVOKED = "GRANT_ALREADY_REVOKED"
    NOT_CONFIGURED = "GRANT_NOT_CONFIGURED"  # no settings were loaded
    INVALID_SETTINGS = "GRANT_INVALID_SETTINGS"


_STATUS = {
    GrantErrorCode.INVALID: 400,
    GrantErrorCode.NOT_PERMITTED: 403,
    GrantErrorCode.OUT_OF_SCOPE: 403,
    GrantErrorCode.POLICY_REJECTED: 422,
    GrantErrorCode.ORCHESTRATOR_DENIED: 403,
    GrantErrorCode.CONFLICT: 409,
    GrantErrorCode.UNKNOWN_RESOURCE: 404,
    GrantErrorCode.NOT_FOUND: 404,
    GrantErrorCode.ALREADY_REVOKED: 409,
    GrantErrorCode.NOT_CONFIGURED: 503,
    GrantErrorCode.INVALID_SETTINGS: 400,
}


class GrantError(IamtwinError):
    """A call the orchestrator refuses; `details` are extra JSON-ready facts (validator findings)."""

    def __init__(self, code: GrantErrorCode, message: str, details: tuple[dict[str, object], ...] = ()) -> None:
        super().__init__(message, code=code.value)
        self.grant_code = code
        self.details = details

    @property
    def http_status(self) -> int:
        """The HTTP status the API answers this refusal with."""
        return _STATUS[self.grant_code]

    def to_dict(self) -> dict[str, object]:
        """The error as JSON-ready data, with its details when there are any."""
        out = IamtwinError.to_dict(self)
        if self.details:
            out["details"] = [dict(d) for d in self.details]
        return out


class GrantNotPermitted(GrantError):
    """The admission policy does not allow the authenticated requester; the engine's decision says why."""

    def __init__(self, message: str, decision: Decision) -> None:
        super().__init__(GrantErrorCode.NOT_PERMITTED, message)
        self.decision = decision
