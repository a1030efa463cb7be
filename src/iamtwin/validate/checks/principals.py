"""Principal values: their format per principal type, and wildcards other than a lone `*`.

Formats follow https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html:
an AWS principal is `*`, a 12-digit account ID or an IAM/STS ARN (root, user, role,
assumed-role, federated-user); a service principal is a DNS name ending in `amazonaws.com`
(or `amazonaws.com.cn`); a federated principal is a SAML or OIDC provider ARN or a web
identity provider's name; a canonical user ID is 64 hexadecimal characters. Wildcards inside a
principal value (`arn:aws:iam::*:role/x`) are not supported: IAM treats them literally or rejects them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

from ...policy.source import child_path
from ..check import strings_at
from ..context import CheckContext
from ..findings import Finding, FindingType, IssueCode, PolicyType
from .grammar import INVALID_PRINCIPAL_FORMAT

E = FindingType.ERROR
INVALID_SERVICE_PRINCIPAL_FORMAT = IssueCode("INVALID_SERVICE_PRINCIPAL_FORMAT", E, "Invalid service principal format")
UNSUPPORTED_WILDCARD_IN_PRINCIPAL = IssueCode(
    "UNSUPPORTED_WILDCARD_IN_PRINCIPAL", E, "Unsupported wildcard in principal"
)
ROLE_TRUST_POLICY_UNSUPPORTED_WILDCARD_IN_PRINCIPAL = IssueCode(
    "ROLE_TRUST_POLICY_UNSUPPORTED_WILDCARD_IN_PRINCIPAL", E, "Role trust policy unsupported wildcard in principal"
)

CODES = (
    INVALID_SERVICE_PRINCIPAL_FORMAT,
    UNSUPPORTED_WILDCARD_IN_PRINCIPAL,
    ROLE_TRUST_POLICY_UNSUPPORTED_WILDCARD_IN_PRINCIPAL,
)

_ACCOUNT = re.compile(r"^\d{12}$")
_PARTITION = r"aws(?:-cn|-us-gov|-iso|-iso-[a-z]|-eusc)?"
_AWS_ARN = re.compile(
    rf"^arn:{_PARTITION}:(?:iam::\d{{12}}:(?:root|user/.+|role/.+|federated-user/.+)"
    rf"|sts::\d{{12}}:(?:assumed-role/.+/.+|federated-user/.+))$"
)
_SERVICE = re.compile(r"^[a-z0-9][a-z0-9.-]*\.amazonaws\.com(?:\.cn)?$")
_FEDERATED_ARN = re.compile(rf"^arn:{_PARTITION}:iam::\d{{12}}:(?:saml-provider/[\w+=,.@-]+|oidc-provider/.+)$")
_WEB_IDENTITY = ("accounts.google.com", "cognito-identity.amazonaws.com", "graph.facebook.com", "www.amazon.com")
_CANONICAL = re.compile(r"^[0-9a-f]{64}$")


def _valid(kind: str, value: str) -> bool:
    if kind == "AWS":
        return value == "*" or bool(_ACCOUNT.match(value) or _AWS_ARN.match(value))
    if kind == "Service":
        return value == "*" or bool(_SERVICE.match(value))
    if kind == "Federated":
        return value == "*" or value in _WEB_IDENTITY or bool(_FEDERATED_ARN.match(value))
    return value == "*" or bool(_CANONICAL.match(value))


def run(ctx: CheckContext) -> Iterator[Finding]:
    """Check the format of every principal value and flag wildcards inside one."""
    wildcard = (
        ROLE_TRUST_POLICY_UNSUPPORTED_WILDCARD_IN_PRINCIPAL
        if ctx.policy_type is PolicyType.TRUST
        else UNSUPPORTED_WILDCARD_IN_PRINCIPAL
    )
    for statement in ctx.raw_statements:
        for element in ("Principal", "NotPrincipal"):
            block = statement.value.get(element)
            if not isinstance(block, Mapping):
                continue
            base = child_path(statement.path, element)
            for kind, values in block.items():
                if kind not in ("AWS", "Service", "Federated", "CanonicalUser"):
                    continue
                for path, value in strings_at(values, child_path(base, kind)):
                    if value != "*" and ("*" in value or "?" in value):
                        message = f"the {kind} principal `{value}` has a wildcard; only a lone `*` is allowed"
                        yield ctx.finding(wildcard, message, path)
                    elif not _valid(kind, value):
                        issue = INVALID_SERVICE_PRINCIPAL_FORMAT if kind == "Service" else INVALID_PRINCIPAL_FORMAT
                        yield ctx.finding(issue, f"`{value}` is not a valid {kind} principal", path)
