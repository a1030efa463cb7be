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
from .context import ContextValue, EntryInterner, RequestContext
from .native import is_native
from .principal import PRINCIPAL_TYPE, Principal, PrincipalKind
from .request import Request, action_names, make_request

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


# The time entries of the instant last asked for: a simulator with a fixed clock asks for the same
# datetime every time, and an identity test is much cheaper than hashing it for the cache below.
_LAST_TIME: list[tuple[datetime | None, dict[str, ContextValue]]] = [(None, {})]


@lru_cache(maxsize=256)
def _time_entries(now: datetime) -> dict[str, ContextValue]:
    stamp = now.astimezone(UTC)
    return dict(
        (
            _entry("aws:CurrentTime", stamp.strftime("%Y-%m-%dT%H:%M:%SZ")),
            _entry("aws:EpochTime", str(int(stamp.timestamp()))),
        )
    )


@lru_cache(maxsize=65536)
def _resource_facts(resource: str) -> tuple[str | None, ContextValue | None]:
    """The account in the resource ARN (if any) and the aws:RequestedRegion entry it implies (if any)."""
    arn = parse_arn(resource)
    if arn is None:
        return None, None
    account = arn.account if len(arn.account) == 12 and arn.account.isdigit() else None
    region = ContextValue("aws:RequestedRegion", (arn.region,), False) if arn.region and "*" not in arn.region else None
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


_ROLE_SESSION = PrincipalKind.ROLE_SESSION
_PRINCIPAL_ENTRIES: dict[int, tuple[Principal, dict[str, ContextValue]]] = {}
_ACCOUNT_ENTRIES: dict[str, ContextValue] = {}
_CACHE_LIMIT = 4096
# Compiled, the native constructor beats the interpreted draft (see `native.py`).
_NATIVE = is_native(Request)
_PRINCIPAL_TAGS = EntryInterner("aws:PrincipalTag/")
_RESOURCE_TAGS = EntryInterner("aws:ResourceTag/")


def _remember_principal(principal: Principal) -> tuple[Principal, dict[str, ContextValue]]:
    """The principal's entries as a dict to copy, kept by the principal's identity.

    A Principal's dataclass hash walks all its fields in Python; parsed principals are shared
    (`parse_principal` is cached), so the identity finds them for the price of `id()`. The entry
    keeps the principal alive, so its id cannot be reused while the entry exists.
    """
    if len(_PRINCIPAL_ENTRIES) >= _CACHE_LIMIT:
        _PRINCIPAL_ENTRIES.clear()
    found = _PRINCIPAL_ENTRIES[id(principal)] = (principal, dict(_principal_entries(principal)))
    return found


def _account_entry(account: str) -> ContextValue:
    if len(_ACCOUNT_ENTRIES) >= _CACHE_LIMIT:
        _ACCOUNT_ENTRIES.clear()
    entry = _ACCOUNT_ENTRIES[account] = ContextValue("aws:ResourceAccount", (account,), False)
    return entry


def derived_entries(
    principal: Principal,
    resource: str | None,
    resource_account: str | None,
    principal_tags: Mapping[str, str],
    resource_tags: Mapping[str, str],
    now: datetime,
) -> tuple[dict[str, ContextValue], str | None]:
    """The keys AWS sets on the request, as a new dict by lowercased key, and the resource's account.

    The caller adds the keys it was given (they win over derived ones) and calls `finish_request`.
    """
    found = _PRINCIPAL_ENTRIES.get(id(principal))
    if found is None or found[0] is not principal:
        found = _remember_principal(principal)
    entries = found[1].copy()
    last = _LAST_TIME[0]
    if last[0] is not now:
        last = _LAST_TIME[0] = (now, _time_entries(now))
    entries.update(last[1])
    if resource is None:
        if principal_tags:
            _PRINCIPAL_TAGS.add_to(entries, principal_tags)
        return entries, resource_account or principal.account  # as resource_account_of
    arn_account, region = _resource_facts(resource)
    account = resource_account or arn_account or principal.account  # as resource_account_of
    if account is not None:
        entries["aws:resourceaccount"] = _ACCOUNT_ENTRIES.get(account) or _account_entry(account)
    if region is not None:
        entries["aws:requestedregion"] = region
    if resource_tags:
        _RESOURCE_TAGS.add_to(entries, resource_tags)
    if principal_tags:
        _PRINCIPAL_TAGS.add_to(entries, principal_tags)
    return entries, account


def finish_request(
    principal: Principal,
    action: str,
    resource: str | None,
    account: str | None,
    entries: dict[str, ContextValue],
) -> Request:
    """The request over the complete context `entries` (derived keys plus the given ones)."""
    full = RequestContext.from_entries(entries)
    if principal.kind is _ROLE_SESSION:
        principal = _principal_with_given_arn(principal, full)
    action_lower, service = action_names(action)
    if _NATIVE:
        return Request(principal, action, resource, account, full, action_lower, service)
    return make_request(principal, action, resource, account, full, action_lower, service)


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
    entries, account = derived_entries(principal, resource, resource_account, principal_tags, resource_tags, now)
    entries.update(context.entries)  # what the caller gave wins over what is derived
    return finish_request(principal, action, resource, account, entries)


def _principal_with_given_arn(principal: Principal, ctx: RequestContext) -> Principal:
    # An assumed-role ARN carries no role path; a caller who knows it passes aws:PrincipalArn,
    # and Principal elements naming the role with its path must then match.
    if principal.kind is not PrincipalKind.ROLE_SESSION or principal.given_as_role:
        return principal
    given = ctx.single("aws:principalarn")
    if given is None or given == principal.role_arn:
        return principal
    return dataclasses.replace(principal, principal_arn=given, role_arn=given)
