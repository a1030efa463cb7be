"""Last accessed per service and per action for one principal, from the trail (IAM's access advisor).

Semantics follow IAM's service last accessed data
(https://docs.aws.amazon.com/IAM/latest/APIReference/API_GenerateServiceLastAccessedDetails.html,
https://docs.aws.amazon.com/IAM/latest/APIReference/API_ServiceLastAccessed.html): it "includes all
attempts to access an AWS API, not just the successful ones", and unauthenticated requests are not
reported. So `lastAuthenticated` is the newest authenticated attempt, allowed or denied, with its
region and the entity (user or role session) that made it; iamtwin adds `lastAllowed`, the newest
attempt the engine allowed, which is what a least-privilege policy needs. A role's activity is that
of its sessions (their `sessionContext.sessionIssuer` is the role); a user's is its long-term keys'
and its GetSessionToken sessions'. The service is the action's namespace (`iam`, `ec2`, …).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..errors import IamtwinError
from .event import cloudtrail_time
from .records import record_time
from .sessions import action_of, parse
from .store import AuditStore


class InvalidPrincipal(IamtwinError):
    """The principal is not a user, role or role-session ARN."""

    code = "AUDIT_INVALID_PRINCIPAL"


@dataclass
class Usage:
    """The newest attempt and the newest allowed attempt at one service or action."""

    name: str
    last_authenticated: datetime | None = None
    region: str | None = None
    entity: str | None = None
    last_allowed: datetime | None = None
    attempts: int = 0
    denied: int = 0

    def add(self, moment: datetime, region: str, entity: str, allowed: bool) -> None:
        """Count one attempt (events come in chain order, so a later one at the same second wins)."""
        self.attempts += 1
        if self.last_authenticated is None or moment >= self.last_authenticated:
            self.last_authenticated, self.region, self.entity = moment, region, entity
        if allowed:
            if self.last_allowed is None or moment >= self.last_allowed:
                self.last_allowed = moment
        else:
            self.denied += 1

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data."""
        return {
            "lastAuthenticated": None if self.last_authenticated is None else cloudtrail_time(self.last_authenticated),
            "lastAuthenticatedRegion": self.region,
            "lastAuthenticatedEntity": self.entity,
            "lastAllowed": None if self.last_allowed is None else cloudtrail_time(self.last_allowed),
            "attempts": self.attempts,
            "denied": self.denied,
        }


@dataclass
class ServiceUsage(Usage):
    """A service's usage and that of each of its actions."""

    actions: dict[str, Usage] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Scope:
    """How to find a principal's events: an exact caller ARN, or a role's sessions by ARN prefix and issuer."""

    arn: str
    exact: str | None = None
    session_prefix: str | None = None

    def owns(self, record: Mapping[str, Any]) -> bool:
        """Whether the event was made by the principal (or one of its role's sessions)."""
        identity = record.get("userIdentity") or {}
        if identity.get("type") in (None, "Unknown"):
            return False  # unauthenticated requests are not reported
        if self.exact is not None:
            return bool(identity.get("arn") == self.exact)
        issuer = ((identity.get("sessionContext") or {}).get("sessionIssuer")) or {}
        return bool(issuer.get("arn") == self.arn)


def scope_of(arn: str) -> Scope:
    """The scope of a user (`arn:aws:iam::A:user/…`), role (`…:role/…`) or session (`…:assumed-role/R/S`)."""
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or not parts[4]:
        raise InvalidPrincipal(f"`{arn}` is not a principal ARN")
    service, account, resource = parts[2], parts[4], parts[5]
    if service == "iam" and resource.startswith("user/"):
        return Scope(arn, exact=arn)
    if service == "iam" and resource.startswith("role/"):
        name = resource.rsplit("/", 1)[-1]
        return Scope(arn, session_prefix=f"arn:{parts[1]}:sts::{account}:assumed-role/{name}/")
    if service == "sts" and resource.startswith("assumed-role/") and resource.count("/") == 2:
        return Scope(arn, exact=arn)
    raise InvalidPrincipal(f"`{arn}` is not a user, role or role-session ARN")


def allowed(record: Mapping[str, Any]) -> bool:
    """Whether the engine allowed the call: its decision's outcome, else no error (an unemulated service's
    `NotImplemented` after an allow counts as allowed)."""
    decision = record.get("iamtwinDecision") or {}
    if decision.get("outcome"):
        return bool(decision["outcome"] == "Allowed")
    return not record.get("errorCode")


def summarize_usage(scope: Scope, records: Iterable[Mapping[str, Any]]) -> list[ServiceUsage]:
    """Usage per service (sorted by name), each with its actions."""
    services: dict[str, ServiceUsage] = {}
    for record in records:
        if not scope.owns(record):
            continue
        action = action_of(record)
        service_name = action.split(":", 1)[0]
        moment = record_time(record.get("eventTime"), "eventTime")
        region = str(record.get("awsRegion", ""))
        entity = str((record.get("userIdentity") or {}).get("arn", ""))
        ok = allowed(record)
        service = services.setdefault(service_name, ServiceUsage(service_name))
        service.add(moment, region, entity, ok)
        service.actions.setdefault(action, Usage(action)).add(moment, region, entity, ok)
    return [services[name] for name in sorted(services)]


def last_accessed(store: AuditStore, arn: str, since: datetime | None = None) -> list[ServiceUsage]:
    """The principal's usage per service and action in the trail (events at or after `since`)."""
    scope = scope_of(arn)
    stored = (
        store.events_matching(principal_arns=[scope.exact], since=since)
        if scope.exact is not None
        else store.events_matching(principal_arn_prefix=scope.session_prefix, since=since)
    )
    return summarize_usage(scope, (parse(e) for e in stored))


def usage_dict(arn: str, since: datetime | None, services: list[ServiceUsage]) -> dict[str, Any]:
    """The report as JSON-ready data."""
    return {
        "principal": arn,
        "since": None if since is None else cloudtrail_time(since),
        "services": [
            {
                "serviceNamespace": service.name,
                **service.to_dict(),
                "actions": [{"actionName": a.name, **a.to_dict()} for a in sorted(service.actions.values(), key=_name)],
            }
            for service in services
        ],
    }


def _name(usage: Usage) -> str:
    return usage.name
