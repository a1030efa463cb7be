"""The context keys AWS sets on every request, derived when the caller did not give them.

What depends only on the principal, the clock reading or the resource is derived once per distinct
value and reused: deriving is part of reading a request, and requests repeat their principals.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import UTC, datetime
from functools import lru_cache

from ..policy.arn import parse_arn
from .context import ContextValue, RequestContext
from .principal import PRINCIPAL_TYPE, Principal, PrincipalKind
from .request import Request

Entries = tuple[tuple[str, ContextValue], ...]


def _entry(key: str, value: str) -> tuple[str, ContextValue]:
    return key.lower(), ContextValue(key, (value,), False)


@lru_cache(maxsize=4096)
def _principal_entries(principal: Principal) -> Entries:
    kind = principal.kind
    out = []
    if principal.principal_arn is not None and kind is not PrincipalKind.SERVICE:
        out.append(_entry("aws:PrincipalArn", principal.principal_arn))
    if principal.account is not None:
        out.append(_entry("aws:PrincipalAccount", principal.account))
    if kind in PRINCIPAL_TYPE:
        out.append(_entry("aws:PrincipalType", PRINCIPAL_TYPE[kind]))
    if kind is PrincipalKind.USER and principal.name is not None:
        out.append(_entry("aws:username", principal.name))
    if kind is PrincipalKind.ROOT and principal.account is not None:
        out.append(_entry("aws:userid", principal.account))
    if kind is PrincipalKind.ANONYMOUS:
        out.append(_entry("aws:userid", "anonymous"))
    if kind is PrincipalKind.SERVICE:
        out.append(_entry("aws:PrincipalServiceName", principal.arn))
    out.append(_entry("aws:PrincipalIsAWSService", "true" if kind is PrincipalKind.SERVICE else "false"))
    out.append(_entry("aws:ViaAWSService", "false"))
    return tuple(out)


@lru_cache(maxsize=256)
def _time_entries(now: datetime) -> Entries:
    stamp = now.astimezone(UTC)
    return (
        _entry("aws:CurrentTime", stamp.strftime("%Y-%m-%dT%H:%M:%SZ")),
        _entry("aws:EpochTime", str(int(stamp.timestamp()))),
    )


@lru_cache(maxsize=65536)
def _resource_facts(resource: str) -> tuple[str | None, Entries]:
    """The account in the resource ARN (if any) and the region entry it implies."""
    arn = parse_arn(resource)
    if arn is None:
        return None, ()
    account = arn.account if len(arn.account) == 12 and arn.account.isdigit() else None
    region = (_entry("aws:RequestedRegion", arn.region),) if arn.region and "*" not in arn.region else ()
    return account, region


def resource_account_of(principal: Principal, resource: str | None, given: str | None) -> str | None:
    """The account owning the resource: as given, else from the ARN, else the principal's account."""
    if given:
        return given
    if resource is not None:
        account = _resource_facts(resource)[0]
        if account is not None:
            return account
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
    entries = dict(_principal_entries(principal))
    entries.update(_time_entries(now))
    account = resource_account_of(principal, resource, resource_account)
    if resource is not None:
        if account is not None:
            entries["aws:resourceaccount"] = ContextValue("aws:ResourceAccount", (account,), False)
        entries.update(_resource_facts(resource)[1])
        for key, value in resource_tags.items():
            name = f"aws:ResourceTag/{key}"
            entries[name.lower()] = ContextValue(name, (value,), False)
    for key, value in principal_tags.items():
        name = f"aws:PrincipalTag/{key}"
        entries[name.lower()] = ContextValue(name, (value,), False)
    entries.update(context.entries)  # what the caller gave wins over what is derived
    full = RequestContext.from_entries(entries)
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
