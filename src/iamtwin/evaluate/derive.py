"""The context keys AWS sets on every request, derived when the caller did not give them."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import UTC, datetime

from ..policy.arn import parse_arn
from .context import ContextValue, RequestContext
from .principal import PRINCIPAL_TYPE, Principal, PrincipalKind
from .request import Request


def resource_account_of(principal: Principal, resource: str | None, given: str | None) -> str | None:
    """The account owning the resource: as given, else from the ARN, else the principal's account."""
    if given:
        return given
    if resource is not None:
        arn = parse_arn(resource)
        if arn is not None and len(arn.account) == 12 and arn.account.isdigit():
            return arn.account
    return principal.account


def build_request(
    principal: Principal,
    action: str,
    resource: str | None,
    resource_account: str | None,
    context: RequestContext,
    principal_tags: Mapping[str, str],
    resource_tags: Mapping[str, str],
    now: datetime,
) -> Request:
    """A request whose context holds the given keys plus the keys AWS always sets."""
    derived: list[ContextValue] = []

    def put(key: str, value: str) -> None:
        derived.append(ContextValue(key, (value,), False))

    account = resource_account_of(principal, resource, resource_account)
    kind = principal.kind
    if principal.principal_arn is not None and kind is not PrincipalKind.SERVICE:
        put("aws:PrincipalArn", principal.principal_arn)
    if principal.account is not None:
        put("aws:PrincipalAccount", principal.account)
    if kind in PRINCIPAL_TYPE:
        put("aws:PrincipalType", PRINCIPAL_TYPE[kind])
    if kind is PrincipalKind.USER and principal.name is not None:
        put("aws:username", principal.name)
    if kind is PrincipalKind.ROOT and principal.account is not None:
        put("aws:userid", principal.account)
    if kind is PrincipalKind.ANONYMOUS:
        put("aws:userid", "anonymous")
    if kind is PrincipalKind.SERVICE:
        put("aws:PrincipalServiceName", principal.arn)
    put("aws:PrincipalIsAWSService", "true" if kind is PrincipalKind.SERVICE else "false")
    put("aws:ViaAWSService", "false")
    stamp = now.astimezone(UTC)
    put("aws:CurrentTime", stamp.strftime("%Y-%m-%dT%H:%M:%SZ"))
    put("aws:EpochTime", str(int(stamp.timestamp())))
    if account is not None and resource is not None:
        put("aws:ResourceAccount", account)
    if resource is not None:
        arn = parse_arn(resource)
        if arn is not None and arn.region and "*" not in arn.region:
            put("aws:RequestedRegion", arn.region)
    for key, value in principal_tags.items():
        put(f"aws:PrincipalTag/{key}", value)
    if resource is not None:
        for key, value in resource_tags.items():
            put(f"aws:ResourceTag/{key}", value)
    full = context.with_defaults(derived)
    principal = _principal_with_given_arn(principal, full)
    return Request(principal, action, resource, account, full)


def _principal_with_given_arn(principal: Principal, ctx: RequestContext) -> Principal:
    # An assumed-role ARN carries no role path; a caller who knows it passes aws:PrincipalArn,
    # and Principal elements naming the role with its path must then match.
    if principal.kind is not PrincipalKind.ROLE_SESSION or principal.given_as_role:
        return principal
    given = ctx.single("aws:principalarn")
    if given is None or given == principal.role_arn:
        return principal
    return dataclasses.replace(principal, principal_arn=given, role_arn=given)
