"""Who may ask for which role in which account, for how long, and who must approve.

Everything matches exactly: a group is in the person's groups or not, an attribute equals the
given value or not, an account id or OU id is equal or not. Nothing matches by substring or pattern,
so eligibility for `S3Admin` never makes someone eligible for `Admin`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..errors import Location
from .errors import BrokerError, BrokerErrorCode
from .notification_settings import NotificationSettings, notifications_to_data, parse_notifications

MINIMUM_SESSION_SECONDS = 900  # AssumeRole's smallest DurationSeconds
DEFAULT_PENDING_SECONDS = 24 * 3600
_DURATION = re.compile(r"^(\d+)([smhd]?)$")
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}
_ACCOUNT = re.compile(r"^\d{12}$")
_OU = re.compile(r"^(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}|r-[0-9a-z]{4,32})$")
_ROLE_NAME = re.compile(r"^[\w+=,.@-]{1,64}$")


@dataclass(frozen=True, slots=True)
class Person:
    """Someone signed in to the broker: a subject (their email) with the groups and attributes of their sign-in."""

    subject: str
    groups: frozenset[str] = frozenset()
    attributes: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Audience:
    """A set of people: those in any of `groups`, or whose attributes equal all of `attributes`."""

    groups: frozenset[str] = frozenset()
    attributes: Mapping[str, str] = field(default_factory=dict)

    def includes(self, person: Person) -> bool:
        """Whether the person is in one of the groups or has every attribute, exactly."""
        if self.groups & person.groups:
            return True
        return bool(self.attributes) and all(person.attributes.get(k) == v for k, v in self.attributes.items())


@dataclass(frozen=True, slots=True)
class ApproverQuota:
    """`count` distinct approvers from `group`."""

    group: str
    count: int


@dataclass(frozen=True, slots=True)
class ApprovalRule:
    """Who must approve: every quota (AND across groups); who is approved at once; whether break-glass is allowed."""

    name: str
    quotas: tuple[ApproverQuota, ...]
    auto_approve: Audience | None = None
    break_glass: bool = False

    def approver_groups(self, person: Person) -> frozenset[str]:
        """The quota groups this person could approve for."""
        return frozenset(q.group for q in self.quotas) & person.groups


@dataclass(frozen=True, slots=True)
class EligibilityRule:
    """Who may request which roles in which accounts or OUs, for at most `max_seconds`, approved how."""

    name: str
    who: Audience
    accounts: frozenset[str]
    ous: frozenset[str]
    roles: frozenset[str]
    max_seconds: int
    approval: str
    scopes: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    def covers(self, account_id: str, account_path: tuple[str, ...], role_name: str) -> bool:
        """Whether the rule names this role in this account (directly or through an OU or root above it)."""
        if role_name not in self.roles:
            return False
        return account_id in self.accounts or bool(self.ous.intersection(account_path))


@dataclass(frozen=True, slots=True)
class BrokerRules:
    """The whole configuration: eligibility rules, approval rules, the people directory, how long a request may wait."""

    eligibility: tuple[EligibilityRule, ...]
    approvals: Mapping[str, ApprovalRule]
    people: Mapping[str, Person] = field(default_factory=dict)
    pending_seconds: int = DEFAULT_PENDING_SECONDS
    auditors: Audience | None = None
    notifications: NotificationSettings = field(default_factory=NotificationSettings)

    def may_see(self, person: Person, requester: str, approval_rule: str) -> bool:
        """Whether the person may see a request: its requester, one who could approve it, or an auditor."""
        if person.subject == requester:
            return True
        if self.auditors is not None and self.auditors.includes(person):
            return True
        rule = self.approvals.get(approval_rule)
        return rule is not None and bool(rule.approver_groups(person))

    def person(self, subject: str) -> Person:
        """The person the directory knows by this subject."""
        found = self.people.get(subject)
        if found is None:
            raise BrokerError(BrokerErrorCode.UNKNOWN_PERSON, f"`{subject}` is not a person the broker knows")
        return found

    def eligible_rule(
        self, person: Person, account_id: str, account_path: tuple[str, ...], role_name: str, scope: str | None = None
    ) -> EligibilityRule:
        """The rule making this person eligible for the role (and scope), the longest maximum when several do."""
        matching = [
            r for r in self.eligibility if r.who.includes(person) and r.covers(account_id, account_path, role_name)
        ]
        if not matching:
            raise BrokerError(
                BrokerErrorCode.NOT_ELIGIBLE,
                f"`{person.subject}` is not eligible for role `{role_name}` in account `{account_id}`",
            )
        if scope is not None:
            matching = [r for r in matching if scope in r.scopes]
            if not matching:
                message = f"no eligible rule for the role offers scope `{scope}`"
                raise BrokerError(BrokerErrorCode.UNKNOWN_SCOPE, message)
        return max(matching, key=lambda r: (r.max_seconds, r.name))

    def rule(self, name: str) -> EligibilityRule:
        """The eligibility rule of this name."""
        for candidate in self.eligibility:
            if candidate.name == name:
                return candidate
        raise BrokerError(BrokerErrorCode.NOT_ELIGIBLE, f"eligibility rule `{name}` no longer exists")

    def to_json(self) -> str:
        """The rules as canonical JSON (what the store keeps)."""
        return json.dumps(rules_to_data(self), sort_keys=True, separators=(",", ":"))


def parse_duration(value: Any, where: str) -> int:
    """Seconds from an integer or `30m`, `4h`, `1d`."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise _invalid(where, "a duration must be whole seconds or a number with s, m, h or d")
    match = _DURATION.match(str(value).strip())
    if match is None:
        raise _invalid(where, f"`{value}` is not a duration such as `900`, `30m` or `4h`")
    return int(match.group(1)) * _UNITS[match.group(2)]


def _invalid(where: str, message: str) -> BrokerError:
    return BrokerError(BrokerErrorCode.INVALID_RULES, message, location=Location(where))


def _mapping(value: Any, where: str, allowed: frozenset[str]) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise _invalid(where, "must be a mapping")
    for key in value:
        if key not in allowed:
            raise _invalid(f"{where}.{key}" if where else str(key), f"unknown key `{key}`")
    return value


def _strings(value: Any, where: str) -> frozenset[str]:
    if value is None:
        return frozenset()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise _invalid(where, "must be a list of non-empty strings")
    return frozenset(value)


def _attributes(value: Any, where: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, Mapping) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        raise _invalid(where, "must map attribute names to strings")
    return dict(value)


def _audience(value: Any, where: str) -> Audience:
    raw = _mapping(value, where, frozenset({"groups", "attributes"}))
    audience = Audience(_strings(raw.get("groups"), f"{where}.groups"), _attributes(raw.get("attributes"), where))
    if not audience.groups and not audience.attributes:
        raise _invalid(where, "must name at least one group or attribute")
    return audience


def _approval(name: str, value: Any, where: str) -> ApprovalRule:
    raw = _mapping(value, where, frozenset({"approvers", "auto_approve", "break_glass"}))
    quotas_raw = raw.get("approvers")
    if not isinstance(quotas_raw, list) or not quotas_raw:
        raise _invalid(f"{where}.approvers", "must list at least one approver group")
    quotas: list[ApproverQuota] = []
    for i, item in enumerate(quotas_raw):
        at = f"{where}.approvers[{i}]"
        entry = _mapping(item, at, frozenset({"group", "count"}))
        group, count = entry.get("group"), entry.get("count", 1)
        if not isinstance(group, str) or not group:
            raise _invalid(f"{at}.group", "must be a group name")
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise _invalid(f"{at}.count", "must be a whole number of at least 1")
        if any(q.group == group for q in quotas):
            raise _invalid(f"{at}.group", f"group `{group}` is listed twice")
        quotas.append(ApproverQuota(group, count))
    auto = raw.get("auto_approve")
    break_glass = raw.get("break_glass", False)
    if not isinstance(break_glass, bool):
        raise _invalid(f"{where}.break_glass", "must be true or false")
    return ApprovalRule(
        name, tuple(quotas), None if auto is None else _audience(auto, f"{where}.auto_approve"), break_glass
    )


def _eligibility(value: Any, where: str, approvals: Mapping[str, ApprovalRule]) -> EligibilityRule:
    keys = frozenset({"name", "who", "accounts", "ous", "roles", "max_duration", "approval", "scopes"})
    raw = _mapping(value, where, keys)
    name = raw.get("name")
    if not isinstance(name, str) or not name:
        raise _invalid(f"{where}.name", "must be a non-empty name")
    accounts = _strings(raw.get("accounts"), f"{where}.accounts")
    ous = _strings(raw.get("ous"), f"{where}.ous")
    roles = _strings(raw.get("roles"), f"{where}.roles")
    for account in accounts:
        if not _ACCOUNT.match(account):
            raise _invalid(f"{where}.accounts", f"`{account}` is not a 12-digit account id")
    for ou in ous:
        if not _OU.match(ou):
            raise _invalid(f"{where}.ous", f"`{ou}` is not an OU or root id")
    for role in roles:
        if not _ROLE_NAME.match(role):
            raise _invalid(f"{where}.roles", f"`{role}` is not a role name")
    if not (accounts or ous) or not roles:
        raise _invalid(where, "must name at least one account or OU and at least one role")
    if "max_duration" not in raw:
        raise _invalid(f"{where}.max_duration", "is required")
    max_seconds = parse_duration(raw["max_duration"], f"{where}.max_duration")
    if max_seconds < MINIMUM_SESSION_SECONDS:
        raise _invalid(f"{where}.max_duration", "must be at least 900 seconds, the shortest session STS issues")
    approval = raw.get("approval")
    if not isinstance(approval, str) or approval not in approvals:
        raise _invalid(f"{where}.approval", f"`{approval}` is not a defined approval rule")
    scopes_raw = raw.get("scopes") or {}
    if not isinstance(scopes_raw, Mapping) or not all(isinstance(v, Mapping) for v in scopes_raw.values()):
        raise _invalid(f"{where}.scopes", "must map scope names to session policy documents")
    return EligibilityRule(
        name,
        _audience(raw.get("who"), f"{where}.who"),
        accounts,
        ous,
        roles,
        max_seconds,
        approval,
        {str(k): dict(v) for k, v in scopes_raw.items()},
    )


def parse_rules(data: Any) -> BrokerRules:
    """Read the broker's configuration (parsed YAML or JSON), refusing anything ambiguous."""
    keys = frozenset({"eligibility", "approval_rules", "people", "pending_expiry", "auditors", "notifications"})
    raw = _mapping(data, "", keys)
    approvals_raw = raw.get("approval_rules")
    if not isinstance(approvals_raw, Mapping) or not approvals_raw:
        raise _invalid("approval_rules", "must define at least one approval rule")
    approvals = {str(n): _approval(str(n), v, f"approval_rules.{n}") for n, v in approvals_raw.items()}
    eligibility_raw = raw.get("eligibility")
    if not isinstance(eligibility_raw, list) or not eligibility_raw:
        raise _invalid("eligibility", "must list at least one eligibility rule")
    eligibility = tuple(_eligibility(v, f"eligibility[{i}]", approvals) for i, v in enumerate(eligibility_raw))
    names = [r.name for r in eligibility]
    if len(set(names)) != len(names):
        raise _invalid("eligibility", "rule names must be unique")
    people: dict[str, Person] = {}
    for subject, entry in (raw.get("people") or {}).items():
        at = f"people.{subject}"
        fields = _mapping(entry or {}, at, frozenset({"groups", "attributes"}))
        people[str(subject)] = Person(
            str(subject), _strings(fields.get("groups"), f"{at}.groups"), _attributes(fields.get("attributes"), at)
        )
    pending = parse_duration(raw.get("pending_expiry", DEFAULT_PENDING_SECONDS), "pending_expiry")
    if pending < MINIMUM_SESSION_SECONDS:
        raise _invalid("pending_expiry", "must be at least 900 seconds")
    auditors = None if raw.get("auditors") is None else _audience(raw["auditors"], "auditors")
    return BrokerRules(eligibility, approvals, people, pending, auditors, parse_notifications(raw.get("notifications")))


def _audience_data(audience: Audience) -> dict[str, Any]:
    return {"groups": sorted(audience.groups), "attributes": dict(audience.attributes)}


def rules_to_data(rules: BrokerRules) -> dict[str, Any]:
    """The rules as plain data that `parse_rules` reads back to equal rules."""
    return {
        **({"auditors": _audience_data(rules.auditors)} if rules.auditors else {}),
        **({"notifications": notifications_to_data(rules.notifications)} if rules.notifications.configured else {}),
        "pending_expiry": rules.pending_seconds,
        "people": {
            p.subject: {"groups": sorted(p.groups), "attributes": dict(p.attributes)} for p in rules.people.values()
        },
        "approval_rules": {
            a.name: {
                "approvers": [{"group": q.group, "count": q.count} for q in a.quotas],
                **({"auto_approve": _audience_data(a.auto_approve)} if a.auto_approve else {}),
                "break_glass": a.break_glass,
            }
            for a in rules.approvals.values()
        },
        "eligibility": [
            {
                "name": r.name,
                "who": _audience_data(r.who),
                "accounts": sorted(r.accounts),
                "ous": sorted(r.ous),
                "roles": sorted(r.roles),
                "max_duration": r.max_seconds,
                "approval": r.approval,
                "scopes": {k: dict(v) for k, v in r.scopes.items()},
            }
            for r in rules.eligibility
        ],
    }
