"""The principal making a request, recognised from its ARN or name."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from .errors import RequestError


class PrincipalKind(StrEnum):
    """What kind of principal makes a request."""

    ROOT = "root"
    USER = "user"
    ROLE_SESSION = "role_session"  # an assumed-role session (also a role ARN given as principal)
    FEDERATED_USER = "federated_user"  # sts:GetFederationToken session
    WEB_IDENTITY = "web_identity"  # an OIDC/SAML/web identity provider, as in a trust policy
    SERVICE = "service"
    ANONYMOUS = "anonymous"


# aws:PrincipalType values AWS sets, by kind.
PRINCIPAL_TYPE = {
    PrincipalKind.ROOT: "Account",
    PrincipalKind.USER: "User",
    PrincipalKind.ROLE_SESSION: "AssumedRole",
    PrincipalKind.FEDERATED_USER: "FederatedUser",
    PrincipalKind.WEB_IDENTITY: "WebIdentityUser",
    PrincipalKind.ANONYMOUS: "Anonymous",
}

_WEB_IDENTITY_PROVIDERS = frozenset(
    {"accounts.google.com", "graph.facebook.com", "www.amazon.com", "cognito-identity.amazonaws.com"}
)
_ACCOUNT = re.compile(r"^\d{12}$")
_SERVICE = re.compile(r"^[a-z0-9][a-z0-9.\-]*\.amazonaws\.com(\.cn)?$|^[a-z0-9][a-z0-9.\-]*\.amazon\.com$")


@dataclass(frozen=True, slots=True)
class Principal:
    """A request's principal.

    `arn` is the principal as AWS names it in messages (the session ARN for a role session,
    `*` for anonymous, the service name for a service principal). `principal_arn` is what
    `aws:PrincipalArn` holds (the role ARN for a role session). `given_as_role` records that the
    request named a role ARN, which stands for a session of that role with no session policy.
    """

    kind: PrincipalKind
    arn: str
    account: str | None = None
    partition: str = "aws"
    name: str | None = None
    principal_arn: str | None = None
    role_arn: str | None = None
    session_name: str | None = None
    given_as_role: bool = False

    @property
    def display(self) -> str:
        """How AWS names the principal in an access-denied message."""
        if self.kind is PrincipalKind.ANONYMOUS:
            return "anonymous"
        return self.arn


@lru_cache(maxsize=4096)
def parse_principal(text: str) -> Principal:
    """Recognise a principal from a user/role/assumed-role/federated-user/root ARN, `*` or a service."""
    text = text.strip()
    if text in ("*", "anonymous"):
        return Principal(PrincipalKind.ANONYMOUS, "*")
    if text in _WEB_IDENTITY_PROVIDERS:
        return Principal(PrincipalKind.WEB_IDENTITY, text, name=text, principal_arn=text)
    if not text.startswith("arn:"):
        if _SERVICE.match(text):
            return Principal(PrincipalKind.SERVICE, text, name=text, principal_arn=text)
        raise RequestError(
            f"`{text}` is not a principal: expected an ARN, `*` or a service principal",
            code="INVALID_PRINCIPAL",
        )
    parts = text.split(":", 5)
    if len(parts) != 6 or not _ACCOUNT.match(parts[4]):
        raise RequestError(f"`{text}` is not a principal ARN with a 12-digit account", code="INVALID_PRINCIPAL")
    _, partition, service, _, account, resource = parts
    if service == "iam":
        if resource == "root":
            return Principal(PrincipalKind.ROOT, text, account, partition, principal_arn=text)
        kind, _, path_name = resource.partition("/")
        name = path_name.rsplit("/", 1)[-1]
        if kind == "user" and name:
            return Principal(PrincipalKind.USER, text, account, partition, name, principal_arn=text)
        if kind == "role" and name:
            return Principal(
                PrincipalKind.ROLE_SESSION,
                text,
                account,
                partition,
                name,
                principal_arn=text,
                role_arn=text,
                given_as_role=True,
            )
        if kind in ("oidc-provider", "saml-provider") and name:
            return Principal(PrincipalKind.WEB_IDENTITY, text, account, partition, path_name, principal_arn=text)
    if service == "sts":
        kind, _, rest = resource.partition("/")
        if kind == "assumed-role":
            role_name, sep, session = rest.partition("/")
            if role_name and sep and session:
                role_arn = f"arn:{partition}:iam::{account}:role/{role_name}"
                return Principal(
                    PrincipalKind.ROLE_SESSION,
                    text,
                    account,
                    partition,
                    role_name,
                    principal_arn=role_arn,
                    role_arn=role_arn,
                    session_name=session,
                )
        if kind == "federated-user" and rest:
            return Principal(PrincipalKind.FEDERATED_USER, text, account, partition, rest, principal_arn=text)
    raise RequestError(
        f"`{text}` is not a user, role, assumed-role, federated-user or root ARN", code="INVALID_PRINCIPAL"
    )
