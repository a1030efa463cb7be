"""What a principal did, read from the audit trail: each call's action, the resources it used, its outcome.

A role's calls are those of its sessions (`sessionContext.sessionIssuer` is the role), a user's those
of its own keys, as IAM's last accessed data counts them
(https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_last-accessed.html); requests that
were not authenticated are no one's. The resources of a call are the ones the engine authorized
(`iamtwinDecision.resource`) and those the catalogue derives from its request parameters, as the
server derives them for services it does not emulate (`catalog.request_resources`): a required
resource type the request does not name (RunInstances' new instance) gives its ARN with `*` there,
an action without resource types gives `*`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .. import catalog
from ..audit.last_accessed import Scope, allowed, scope_of
from ..audit.records import record_time
from ..audit.sessions import action_of, parse
from ..audit.store import AuditStore
from ..errors import IamtwinError


class InvalidWindow(IamtwinError):
    """The time window is empty or reversed."""

    code = "ANALYZE_INVALID_WINDOW"


@dataclass(frozen=True, slots=True)
class Call:
    """One authenticated call of the principal: its action, the resources it used, and whether it was allowed."""

    event_id: str
    event_time: datetime
    action: str
    resources: tuple[str, ...]
    allowed: bool
    known_action: bool

    @property
    def service(self) -> str:
        """The action's service prefix."""
        return self.action.split(":", 1)[0].lower()


def check_window(since: datetime | None, until: datetime | None) -> None:
    """Refuse a window whose end is not after its start."""
    if since is not None and until is not None and until <= since:
        raise InvalidWindow(f"the window ends at `{until.isoformat()}`, not after its start `{since.isoformat()}`")


def owner_of(record: Mapping[str, Any]) -> str | None:
    """The user or role an authenticated call belongs to: the user of a key, the role of a session."""
    identity = record.get("userIdentity") or {}
    kind = identity.get("type")
    if kind == "IAMUser" and identity.get("arn"):
        return str(identity["arn"])
    if kind == "AssumedRole":
        issuer = (identity.get("sessionContext") or {}).get("sessionIssuer") or {}
        return str(issuer["arn"]) if issuer.get("arn") else None
    return None


def resources_used(record: Mapping[str, Any], action: str) -> tuple[str, ...]:
    """The resource ARNs one call used, sorted; `("*",)` for an action without resource types; () if unknown."""
    found = catalog.action_named(action)
    if found is None:
        return ()
    if found.takes_any_resource:
        return ("*",)
    identity = record.get("userIdentity") or {}
    region = str(record.get("awsRegion") or "us-east-1")
    account = str(record.get("recipientAccountId") or identity.get("accountId") or "")
    scope = catalog.RequestScope(catalog.partition_of(region), region, account)
    recorded = (record.get("iamtwinDecision") or {}).get("resource")
    exact: list[str] = [str(recorded)] if recorded and recorded != "*" else []
    recorded_type = catalog.match_resource_type(found, exact[0]) if exact else None
    parameters = record.get("requestParameters") or {}
    derived = catalog.request_resources(found, parameters if isinstance(parameters, Mapping) else {}, scope)
    for arn in derived:
        if arn == "*":
            continue
        if "*" in arn and recorded_type is not None:
            # The engine named this type's resource exactly; a wildcard of the same type would widen it.
            kind = catalog.match_resource_type(found, arn)
            if kind is not None and kind.name == recorded_type.name:
                continue
        exact.append(arn)
    # Only optional resource types and none named: AWS authorizes the request on `*`.
    return tuple(sorted(set(exact))) or ("*",)


def principal_calls(
    store: AuditStore, principal: str, since: datetime | None = None, until: datetime | None = None
) -> Iterator[Call]:
    """The principal's authenticated calls with since <= eventTime < until, in chain order."""
    check_window(since, until)
    scope: Scope = scope_of(principal)
    stored = (
        store.events_matching(principal_arns=[scope.exact], since=since, until=until)
        if scope.exact is not None
        else store.events_matching(principal_arn_prefix=scope.session_prefix, since=since, until=until)
    )
    for event in stored:
        record = parse(event)
        if not scope.owns(record):
            continue
        action = action_of(record)
        found = catalog.action_named(action)
        yield Call(
            str(record.get("eventID", event.event_id)),
            record_time(record.get("eventTime"), "eventTime"),
            found.full_name if found is not None else action,  # the catalogue's spelling
            resources_used(record, action),
            allowed(record),
            found is not None,
        )


def last_activity(store: AuditStore, since: datetime | None = None) -> dict[str, datetime]:
    """The newest authenticated call of every user and role that made one at or after `since`."""
    newest: dict[str, datetime] = {}
    for event in store.events(since):
        owner = owner_of(parse(event))
        if owner is not None and (owner not in newest or event.event_time > newest[owner]):
            newest[owner] = event.event_time
    return newest
