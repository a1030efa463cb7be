"""Unused access from the trail, like Access Analyzer's unused access analyzer: unused roles and unused permissions.

An unused access analyzer reports, for a usage window of `unusedAccessAge` days (1 to 365), roles
with no access activity in the window, and for users and roles that were active, the services and
actions their permissions policies grant that they did not use
(https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-findings.html,
https://docs.aws.amazon.com/access-analyzer/latest/APIReference/API_UnusedAccessConfiguration.html).
Only entities that existed for the whole window are analyzed
(https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-create-unused.html); service-linked
roles are left out too, as iamtwin's choice: AWS writes and uses their permissions, so a finding
about them is nothing a customer can act on. Activity is
any authenticated attempt, allowed or denied, as last accessed data counts it; what is granted is
read from the principal's permissions policies alone, as last accessed data reads it
(https://docs.aws.amazon.com/IAM/latest/APIReference/API_GenerateServiceLastAccessedDetails.html):
an action is granted when an Allow statement's Action covers it (the engine's own matching) and no
Deny statement without conditions covers it on every resource.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import select

from .. import catalog
from ..audit.event import cloudtrail_time
from ..audit.last_accessed import last_accessed
from ..audit.store import AuditStore
from ..errors import IamtwinError
from ..evaluate.compiled import CompiledPolicy
from ..evaluate.decision import PolicyType
from ..policy.parse import parse_policy
from ..world.assemble import PolicyEntry, role_policies, user_policies
from ..world.quotas import document_text
from ..world.store.schema import roles, users
from ..world.stored import World
from .usage import last_activity

MIN_AGE_DAYS, MAX_AGE_DAYS = 1, 365


class InvalidUnusedAccessAge(IamtwinError):
    """The window is not between 1 and 365 days, as Access Analyzer's unusedAccessAge."""

    code = "ANALYZE_INVALID_UNUSED_ACCESS_AGE"


class NotAnalyzedReason(StrEnum):
    """Why an entity was left out of the analysis."""

    SERVICE_LINKED_ROLE = "service-linked-role"
    CREATED_IN_WINDOW = "created-in-window"
    POLICY_NOT_READABLE = "policy-not-readable"


@dataclass(frozen=True, slots=True)
class UnusedRole:
    """A role none of whose sessions made a call in the window; when one last did, if the trail knows."""

    arn: str
    last_accessed: datetime | None


@dataclass(frozen=True, slots=True)
class UnusedAction:
    """A granted action not attempted in the window."""

    action: str
    last_accessed: datetime | None


@dataclass(frozen=True, slots=True)
class UnusedService:
    """A granted service: wholly unused in the window, or used but with granted actions that were not."""

    service: str
    used_in_window: bool
    last_accessed: datetime | None
    granted_actions: int
    unused_actions: tuple[UnusedAction, ...]


@dataclass(frozen=True, slots=True)
class UnusedPermissions:
    """An active user's or role's granted services and actions it did not use in the window."""

    principal: str
    last_accessed: datetime
    services: tuple[UnusedService, ...]


@dataclass(frozen=True, slots=True)
class NotAnalyzed:
    """An entity left out, with the reason."""

    arn: str
    reason: NotAnalyzedReason


@dataclass(frozen=True, slots=True)
class UnusedAccessReport:
    """Every finding of one analysis, sorted by ARN."""

    now: datetime
    unused_access_age: int
    roles: tuple[UnusedRole, ...]
    permissions: tuple[UnusedPermissions, ...]
    not_analyzed: tuple[NotAnalyzed, ...]

    @property
    def window_start(self) -> datetime:
        """The first instant of the usage window."""
        return self.now - timedelta(days=self.unused_access_age)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data."""
        return {
            "now": cloudtrail_time(self.now),
            "unusedAccessAge": self.unused_access_age,
            "windowStart": cloudtrail_time(self.window_start),
            "unusedRoles": [{"arn": r.arn, "lastAccessed": _time(r.last_accessed)} for r in self.roles],
            "unusedPermissions": [
                {
                    "principal": p.principal,
                    "lastAccessed": _time(p.last_accessed),
                    "services": [
                        {
                            "serviceNamespace": s.service,
                            "usedInWindow": s.used_in_window,
                            "lastAccessed": _time(s.last_accessed),
                            "grantedActions": s.granted_actions,
                            "unusedActions": [
                                {"action": a.action, "lastAccessed": _time(a.last_accessed)} for a in s.unused_actions
                            ],
                        }
                        for s in p.services
                    ],
                }
                for p in self.permissions
            ],
            "notAnalyzed": [{"arn": n.arn, "reason": n.reason.value} for n in self.not_analyzed],
        }


def _time(moment: datetime | None) -> str | None:
    return None if moment is None else cloudtrail_time(moment)


def _aware(moment: datetime | None) -> datetime | None:
    # SQLite gives back naive datetimes for timezone-aware columns; they were stored as UTC.
    if moment is None:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _every_action() -> Iterable[catalog.Action]:
    for prefix in sorted(catalog.service_prefixes()):
        yield from catalog.actions(prefix)


def granted_actions(entries: Iterable[PolicyEntry]) -> dict[str, list[str]]:
    """The catalogue's actions the permissions policies grant, per service (sorted); a policy that does not
    parse raises its syntax error."""
    policies = [CompiledPolicy(PolicyType.IDENTITY, pid, parse_policy(document_text(doc))) for pid, doc in entries]
    statements = [st for policy in policies for st in policy.statements]
    candidates: dict[str, catalog.Action] = {}
    for st in statements:
        if st.deny:
            continue
        if st.statement.action is None:  # NotAction: any action it does not name
            candidates.update((a.full_name.lower(), a) for a in _every_action())
            break
        for pattern in st.statement.action:
            candidates.update((a.full_name.lower(), a) for a in catalog.actions_matching(pattern))
    out: dict[str, list[str]] = {}
    for lowered, act in candidates.items():
        covering = [st for policy in policies for st in policy.candidates(lowered)]
        allowed = any(not st.deny for st in covering)
        denied_everywhere = any(
            st.deny and st.statement.resource == ("*",) and not st.statement.conditions for st in covering
        )
        if allowed and not denied_everywhere:
            out.setdefault(act.service.lower(), []).append(act.full_name)
    return {service: sorted(names) for service, names in sorted(out.items())}


def unused_permissions(
    store: AuditStore, principal: str, entries: Iterable[PolicyEntry], window_start: datetime, active_at: datetime
) -> UnusedPermissions:
    """The principal's granted services and actions with no attempt at or after `window_start`."""
    usage = {s.name.lower(): s for s in last_accessed(store, principal)}
    found: list[UnusedService] = []
    for service, actions in granted_actions(entries).items():
        used = usage.get(service)
        last = None if used is None else used.last_authenticated
        service_used = last is not None and last >= window_start
        if not service_used:
            found.append(UnusedService(service, False, last, len(actions), ()))
            continue
        assert used is not None
        by_action = {name.lower(): u for name, u in used.actions.items()}
        unused = []
        for action in actions:
            attempt = by_action.get(action.lower())
            when = None if attempt is None else attempt.last_authenticated
            if when is None or when < window_start:
                unused.append(UnusedAction(action, when))
        if unused:
            found.append(UnusedService(service, True, last, len(actions), tuple(unused)))
    return UnusedPermissions(principal, active_at, tuple(found))


def unused_access(
    world: World, store: AuditStore, unused_access_age: int = 90, account: str | None = None
) -> UnusedAccessReport:
    """Unused roles and the unused permissions of active users and roles, over the last `unused_access_age` days."""
    if not MIN_AGE_DAYS <= unused_access_age <= MAX_AGE_DAYS:
        raise InvalidUnusedAccessAge(
            f"`{unused_access_age}` days is not between {MIN_AGE_DAYS} and {MAX_AGE_DAYS}, as unusedAccessAge must be"
        )
    now = world.clock.now()
    start = now - timedelta(days=unused_access_age)
    newest = last_activity(store)
    unused_roles: list[UnusedRole] = []
    permissions: list[UnusedPermissions] = []
    skipped: list[NotAnalyzed] = []
    for arn, account_id, name, created, service_linked, kind in _entities(world, account):
        if service_linked:
            skipped.append(NotAnalyzed(arn, NotAnalyzedReason.SERVICE_LINKED_ROLE))
            continue
        created_at = _aware(created)
        if created_at is not None and created_at > start:
            skipped.append(NotAnalyzed(arn, NotAnalyzedReason.CREATED_IN_WINDOW))
            continue
        last = newest.get(arn)
        if last is None or last < start:
            if kind == "role":
                unused_roles.append(UnusedRole(arn, last))
            continue
        entries = _policies(world, kind, account_id, name)
        if entries is None:
            continue
        try:
            report = unused_permissions(store, arn, entries, start, last)
        except IamtwinError:
            skipped.append(NotAnalyzed(arn, NotAnalyzedReason.POLICY_NOT_READABLE))
            continue
        if report.services:
            permissions.append(report)
    return UnusedAccessReport(now, unused_access_age, tuple(unused_roles), tuple(permissions), tuple(skipped))


def _policies(world: World, kind: str, account_id: str, name: str) -> list[PolicyEntry] | None:
    """The permissions policies of a role or user (a user's include its groups'), None if it is gone."""
    if kind == "role":
        role = world.view.role(account_id, name)
        return None if role is None else role_policies(role)
    user = world.view.user(account_id, name)
    return None if user is None else user_policies(user)


def _entities(world: World, account: str | None) -> list[tuple[str, str, str, datetime | None, bool, str]]:
    """(arn, account, name, created, service-linked, kind) of every role and user, sorted by ARN."""
    role_query = select(roles.c.arn, roles.c.account_id, roles.c.name, roles.c.created_at, roles.c.service_linked)
    user_query = select(users.c.arn, users.c.account_id, users.c.name, users.c.created_at)
    if account is not None:
        role_query = role_query.where(roles.c.account_id == account)
        user_query = user_query.where(users.c.account_id == account)
    with world.engine.connect() as conn:
        found = [
            (r.arn, r.account_id, r.name, r.created_at, bool(r.service_linked), "role")
            for r in conn.execute(role_query)
        ]
        found += [(u.arn, u.account_id, u.name, u.created_at, False, "user") for u in conn.execute(user_query)]
    return sorted(found)
