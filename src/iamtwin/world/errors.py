"""Errors of world files: each has a stable code and names where in the file the problem is.

Hierarchy::

    IamtwinError
    └── WorldFileError            a world file that cannot be read, validated or queried
                                  (code: one of WorldErrorCode; location: path and YAML line)

Paths name values the way a reader of the file does: `accounts[0].roles[2].trust_policy`,
`organization.root.ous[1].scps[0]`; a problem inside a policy document continues the path with
the policy's own (`...trust_policy.Statement[0].Condition`).
"""

from __future__ import annotations

from enum import StrEnum

from ..errors import IamtwinError, Location


class WorldErrorCode(StrEnum):
    """Stable codes of world file problems; tests and tools compare these, never messages."""

    FILE_NOT_FOUND = "WORLD_FILE_NOT_FOUND"
    SYNTAX = "WORLD_FILE_SYNTAX_ERROR"
    DUPLICATE_KEY = "DUPLICATE_KEY"
    UNKNOWN_KEY = "UNKNOWN_KEY"
    MISSING_KEY = "MISSING_KEY"
    WRONG_TYPE = "WRONG_TYPE"
    INVALID_VALUE = "INVALID_VALUE"
    INVALID_ACCOUNT_ID = "INVALID_ACCOUNT_ID"
    DUPLICATE_ACCOUNT = "DUPLICATE_ACCOUNT"
    DUPLICATE_NAME = "DUPLICATE_NAME"
    DUPLICATE_RESOURCE = "DUPLICATE_RESOURCE"
    ACCOUNT_LISTED_TWICE = "ACCOUNT_LISTED_TWICE"
    UNKNOWN_GROUP = "UNKNOWN_GROUP"
    UNKNOWN_POLICY = "UNKNOWN_POLICY"
    UNKNOWN_AWS_MANAGED_POLICY = "UNKNOWN_AWS_MANAGED_POLICY"
    POLICY_TYPE_MISMATCH = "POLICY_TYPE_MISMATCH"
    INVALID_POLICY_DOCUMENT = "INVALID_POLICY_DOCUMENT"
    INVALID_PRINCIPAL = "INVALID_PRINCIPAL"
    UNKNOWN_PRINCIPAL = "UNKNOWN_PRINCIPAL"
    UNSUPPORTED_PRINCIPAL = "UNSUPPORTED_PRINCIPAL"
    INVALID_CONTEXT = "INVALID_CONTEXT"
    EXPIRED_SESSION = "EXPIRED_SESSION"
    ACCOUNT_ID_MISMATCH = "ACCOUNT_ID_MISMATCH"
    TRUNCATED_EXPORT = "TRUNCATED_EXPORT"
    UNKNOWN_TARGET = "UNKNOWN_TARGET"
    UNKNOWN_ROLE = "UNKNOWN_ROLE"
    UNKNOWN_INSTANCE_PROFILE = "UNKNOWN_INSTANCE_PROFILE"


class WorldFileError(IamtwinError):
    """A world file problem. `cause_code` keeps the policy parser's code for a bad document."""

    code = "WORLD_FILE_ERROR"

    def __init__(
        self,
        code: WorldErrorCode,
        message: str,
        *,
        location: Location | None = None,
        cause_code: str | None = None,
    ) -> None:
        super().__init__(message, code=code.value, location=location)
        self.cause_code = cause_code

    def to_dict(self) -> dict[str, object]:
        """The error as JSON-ready data, with the parser's code for a bad policy document."""
        out = IamtwinError.to_dict(self)
        if self.cause_code is not None:
            out["cause_code"] = self.cause_code
        return out
