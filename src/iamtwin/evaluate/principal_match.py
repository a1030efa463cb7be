"""Matching a request's principal against a Principal or NotPrincipal element."""

from __future__ import annotations

import re

from ..policy.model import PrincipalSet
from .decision import GrantKind
from .principal import Principal, PrincipalKind

_ACCOUNT_ROOT = re.compile(r"^arn:[a-z\-]+:iam::(\d{12}):root$")
_ACCOUNT_ID = re.compile(r"^\d{12}$")


class PrincipalMatcher:
    """A compiled Principal element: accounts, ARNs, services, federated providers, canonical users."""

    __slots__ = ("accounts", "arns", "canonical", "everyone", "federated", "services")

    def __init__(self, element: PrincipalSet) -> None:
        self.everyone = element.everyone or "*" in element.aws
        self.accounts: frozenset[str] = frozenset(
            acct for acct in (_account_of(v) for v in element.aws) if acct is not None
        )
        self.arns: frozenset[str] = frozenset(v for v in element.aws if v != "*" and _account_of(v) is None)
        self.services: frozenset[str] = frozenset(s.lower() for s in element.service)
        self.federated: frozenset[str] = frozenset(element.federated)
        self.canonical: frozenset[str] = frozenset(element.canonical_user)

    def match(self, principal: Principal) -> GrantKind | None:
        """How this element names `principal`, or None when it does not."""
        kind = principal.kind
        if self.everyone:
            return GrantKind.EVERYONE
        if kind is PrincipalKind.SERVICE:
            return GrantKind.DIRECT if principal.arn.lower() in self.services else None
        if kind is PrincipalKind.WEB_IDENTITY:
            return GrantKind.DIRECT if principal.arn in self.federated else None
        if kind is PrincipalKind.ANONYMOUS:
            return None
        if kind is PrincipalKind.ROOT:
            return GrantKind.DIRECT if principal.account in self.accounts else None
        if kind is PrincipalKind.ROLE_SESSION:
            if not principal.given_as_role and principal.arn in self.arns:
                return GrantKind.DIRECT
            if principal.role_arn is not None and principal.role_arn in self.arns:
                return GrantKind.ROLE
        elif principal.arn in self.arns:
            return GrantKind.DIRECT
        if principal.account in self.accounts:
            return GrantKind.ACCOUNT
        return None

    def excludes(self, principal: Principal) -> bool:
        """Whether a NotPrincipal element spares `principal`: itself and every identity behind it listed.

        AWS evaluates a request as the principal and as its account (and, for a session, as its role),
        so a NotPrincipal spares a principal only when all of them are named.
        https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html
        """
        kind = principal.kind
        if self.everyone:
            return True
        if kind is PrincipalKind.SERVICE:
            return principal.arn.lower() in self.services
        if kind is PrincipalKind.WEB_IDENTITY:
            return principal.arn in self.federated
        if kind is PrincipalKind.ANONYMOUS:
            return False
        if principal.account not in self.accounts:
            return False
        if kind is PrincipalKind.ROOT:
            return True
        if kind is PrincipalKind.ROLE_SESSION:
            role_listed = principal.role_arn is not None and principal.role_arn in self.arns
            return role_listed and (principal.given_as_role or principal.arn in self.arns)
        return principal.arn in self.arns


def _account_of(value: str) -> str | None:
    if _ACCOUNT_ID.match(value):
        return value
    m = _ACCOUNT_ROOT.match(value)
    return m.group(1) if m else None
