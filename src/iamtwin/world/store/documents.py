"""Checking a policy document for the place it is written to, as IAM checks it on write.

IAM refuses an identity policy that names a principal or lacks a resource, and a trust policy that
names a resource or lacks a principal, with `MalformedPolicyDocument` (the IAM User Guide's
"Troubleshoot IAM policies"). Grammar problems come from the policy parser with their JSON path
and, for text, line and column.
"""

from __future__ import annotations

from enum import StrEnum

from ...errors import Location
from ...policy.errors import PolicySyntaxError
from ...policy.model import PolicyDocument
from ...policy.parse import parse_policy
from ..iam_errors import IamError, IamErrorCode
from ..model import Document


class DocumentRole(StrEnum):
    """Where a document goes; each place has its own rules."""

    IDENTITY = "identity"
    TRUST = "trust"
    RESOURCE = "resource"
    ORGANIZATION = "organization"


def _malformed(
    message: str, reason: str, parameter: str, path: str = "", line: int | None = None, column: int | None = None
) -> IamError:
    where = f"{parameter}.{path}" if path else parameter
    return IamError(
        IamErrorCode.MALFORMED_POLICY_DOCUMENT, message, reason=reason, location=Location(where, line, column)
    )


def checked_document(document: Document, role: DocumentRole, parameter: str) -> PolicyDocument:
    """The parsed document, or MalformedPolicyDocument naming the statement at fault."""
    try:
        parsed = parse_policy(document)
    except PolicySyntaxError as err:
        loc = err.location or Location()
        raise _malformed(err.message, err.code, parameter, loc.path, loc.line, loc.column) from err
    for statement in parsed.statements:
        names_principal = statement.principal is not None or statement.not_principal is not None
        names_resource = statement.resource is not None or statement.not_resource is not None
        line_col = parsed.positions.get(statement.path, (None, None))
        if role in (DocumentRole.IDENTITY, DocumentRole.ORGANIZATION) and names_principal:
            raise _malformed(
                "Policy document should not specify a principal.",
                "PRINCIPAL_IN_IDENTITY_POLICY",
                parameter,
                statement.path,
                *line_col,
            )
        if role is DocumentRole.IDENTITY and not names_resource:
            raise _malformed(
                "Policy statement must contain resources.", "MISSING_RESOURCE", parameter, statement.path, *line_col
            )
        if role is DocumentRole.TRUST and names_resource:
            raise _malformed(
                "Has prohibited field Resource.", "RESOURCE_IN_TRUST_POLICY", parameter, statement.path, *line_col
            )
        if role in (DocumentRole.TRUST, DocumentRole.RESOURCE) and not names_principal:
            raise _malformed(
                "Missing required field Principal.", "MISSING_PRINCIPAL", parameter, statement.path, *line_col
            )
    return parsed
