"""Stored external access findings and archive rules: each analysis updates the list, as Access Analyzer does.

`FindingsStore.update(report)` compares a fresh analysis of one zone with the stored findings, in one
transaction: a finding not seen before is ACTIVE, or ARCHIVED when an archive rule matches it; a stored
finding the analysis no longer produces becomes RESOLVED; a RESOLVED finding produced again is found anew.
Findings keep their status until the access that produced them goes
(https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-work-with-findings.html). Archive rules
archive new findings (CreateArchiveRule); applying one archives the ACTIVE findings it matches
(https://docs.aws.amazon.com/access-analyzer/latest/APIReference/API_ApplyArchiveRule.html); deleting one
leaves the findings it archived archived (https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-archive-rules.html).
Rules hold for the findings of both zones, where AWS keeps them per analyzer.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, Engine, delete, select, update
from sqlalchemy.exc import IntegrityError

from ..catalog import AccessLevel
from ..clock import Clock
from ..world.store.schema import analyzer_archive_rules as rules_table
from ..world.store.schema import analyzer_findings as findings_table
from .archive_rules import ArchiveRule, ArchiveRuleError, parse_archive_rule
from .external_access import ExternalAccessFinding, ExternalAccessReport, GrantingStatement, PolicyKind, Zone

_FINDING_NAMESPACE = uuid.UUID("5b0c4a52-6a43-4a8e-9d1e-0c7f2f0d4a11")


def finding_id(finding: ExternalAccessFinding) -> str:
    """The stable id of a finding: the same access to the same resource keeps its id across analyses.

    Access Analyzer makes a new finding when a changed policy grants the same principal other permissions or
    conditions (https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-work-with-findings.html), so the
    zone, resource, principal, condition and actions make the id.
    """
    f = finding
    conditions = (f"{key}={values}" for key, values in f.condition)
    parts = [f.zone.value, f.resource, *f.principal, *conditions, *(action.lower() for action in f.actions)]
    return str(uuid.uuid5(_FINDING_NAMESPACE, "\n".join(parts)))


class FindingStatus(StrEnum):
    """Where a finding stands (Access Analyzer's finding status)."""

    ACTIVE = "ACTIVE"
    ARCHIVED = "ARCHIVED"
    RESOLVED = "RESOLVED"


@dataclass(frozen=True, slots=True)
class StoredFinding:
    """A finding as kept: its id, the analysis' finding, its status, the rule that archived it, and its times."""

    id: str
    finding: ExternalAccessFinding
    status: FindingStatus
    archived_by: str | None
    created_at: datetime
    updated_at: datetime
    analyzed_at: datetime

    def to_dict(self) -> dict[str, Any]:
        """The finding in Access Analyzer's Finding shape, with iamtwin's access levels and granting statements."""
        f = self.finding
        return {
            "id": self.id,
            "resource": f.resource,
            "resourceType": f.resource_type,
            "resourceOwnerAccount": f.resource_owner_account,
            "principal": f.principal_map(),
            "action": list(f.actions),
            "condition": f.condition_map(),
            "isPublic": f.is_public,
            "status": self.status.value,
            "createdAt": _iso(self.created_at),
            "updatedAt": _iso(self.updated_at),
            "analyzedAt": _iso(self.analyzed_at),
            "zone": f.zone.value,
            "accessLevels": [level.value for level in f.access_levels],
            "statements": [{"policy": s.policy.value, "index": s.index, "sid": s.sid} for s in f.statements],
            "archivedBy": self.archived_by,
        }


@dataclass(frozen=True, slots=True)
class UpdateSummary:
    """What one update changed: ids of findings new (active or archived), resolved and reactivated."""

    new: tuple[str, ...]
    archived: tuple[str, ...]
    resolved: tuple[str, ...]
    reactivated: tuple[str, ...]


class FindingsStore:
    """The findings and archive rules of a world's database."""

    def __init__(self, engine: Engine, clock: Clock) -> None:
        self.engine = engine
        self.clock = clock

    # -- findings -------------------------------------------------------------------------------

    def update(self, report: ExternalAccessReport) -> UpdateSummary:
        """Bring the stored findings of the report's zone in line with it, in one transaction."""
        try:
            return self._update(report)
        except IntegrityError:
            # Another analysis stored some of the same new findings first; read them and try once more.
            return self._update(report)

    def _update(self, report: ExternalAccessReport) -> UpdateSummary:
        now = self.clock.now()
        new: list[str] = []
        archived: list[str] = []
        resolved: list[str] = []
        reactivated: list[str] = []
        zone = findings_table.c.zone == report.zone.value
        with self.engine.begin() as conn:
            rules = _rules(conn)
            query = select(findings_table.c.id, findings_table.c.status, findings_table.c.details).where(zone)
            stored = {row.id: (FindingStatus(row.status), row.details) for row in conn.execute(query)}
            seen: set[str] = set()
            for finding in report.findings:
                fid = finding_id(finding)
                seen.add(fid)
                rule = next((r for r in rules if r.matches(finding)), None)
                status = FindingStatus.ARCHIVED if rule is not None else FindingStatus.ACTIVE
                if fid not in stored:
                    conn.execute(findings_table.insert().values(**_row(fid, finding, status, rule, now)))
                    (archived if rule is not None else new).append(fid)
                    continue
                known, details = stored[fid]
                values: dict[str, Any] = {}
                if details != _details(finding):  # the granting statements moved or were renamed
                    values["details"] = _details(finding)
                if known is FindingStatus.RESOLVED:  # the access is back: found anew, so archive rules apply
                    values |= {"status": status.value, "archived_by": rule.name if rule else None, "updated_at": now}
                    (archived if rule is not None else reactivated).append(fid)
                if values:
                    conn.execute(update(findings_table).where(findings_table.c.id == fid).values(**values))
            for gone, (known, _details_text) in stored.items():
                if gone not in seen and known is not FindingStatus.RESOLVED:
                    values = {"status": FindingStatus.RESOLVED.value, "updated_at": now, "analyzed_at": now}
                    conn.execute(update(findings_table).where(findings_table.c.id == gone).values(**values))
                    resolved.append(gone)
            # Every resource of the zone was analyzed now; the findings still standing say so.
            standing = findings_table.c.status != FindingStatus.RESOLVED.value
            conn.execute(update(findings_table).where(zone, standing).values(analyzed_at=now))
        return UpdateSummary(tuple(new), tuple(archived), tuple(resolved), tuple(reactivated))

    def findings(self, zone: Zone | None = None, status: FindingStatus | None = None) -> tuple[StoredFinding, ...]:
        """The stored findings, optionally of one zone and one status, by resource then id."""
        query = select(findings_table)
        if zone is not None:
            query = query.where(findings_table.c.zone == zone.value)
        if status is not None:
            query = query.where(findings_table.c.status == status.value)
        query = query.order_by(findings_table.c.resource_arn, findings_table.c.id)
        with self.engine.connect() as conn:
            return tuple(_stored(row) for row in conn.execute(query))

    # -- archive rules --------------------------------------------------------------------------

    def rules(self) -> tuple[ArchiveRule, ...]:
        """The archive rules, by name."""
        with self.engine.connect() as conn:
            return _rules(conn)

    def create_rule(self, rule: ArchiveRule, *, apply: bool = False) -> tuple[str, ...]:
        """Add a rule (CreateArchiveRule): it archives findings found from now on; with `apply`, the ACTIVE ones too.

        The ids archived now (none without `apply`).
        """
        now = self.clock.now()
        with self.engine.begin() as conn:
            exists = conn.execute(select(rules_table.c.name).where(rules_table.c.name == rule.name)).first()
            if exists is not None:
                raise _rule_exists(rule.name)
            row = {"name": rule.name, "filter": rule.filter_json(), "created_at": now, "updated_at": now}
            try:
                conn.execute(rules_table.insert().values(**row))
            except IntegrityError as exc:  # created by someone else since the check above
                raise _rule_exists(rule.name) from exc
            return _archive_matching(conn, rule, now) if apply else ()

    def apply_rule(self, name: str) -> tuple[str, ...]:
        """Archive the ACTIVE findings a rule matches (ApplyArchiveRule); the ids archived."""
        with self.engine.begin() as conn:
            rule = next((r for r in _rules(conn) if r.name == name), None)
            if rule is None:
                raise _no_rule(name)
            return _archive_matching(conn, rule, self.clock.now())

    def delete_rule(self, name: str) -> None:
        """Remove a rule; the findings it archived stay archived."""
        with self.engine.begin() as conn:
            removed = conn.execute(delete(rules_table).where(rules_table.c.name == name)).rowcount
        if not removed:
            raise _no_rule(name)


def _archive_matching(conn: Connection, rule: ArchiveRule, now: datetime) -> tuple[str, ...]:
    """Archive the ACTIVE findings the rule matches; their ids."""
    active = conn.execute(select(findings_table).where(findings_table.c.status == FindingStatus.ACTIVE.value))
    matched = tuple(row.id for row in active if rule.matches(_stored(row).finding))
    for archived_id in matched:
        values = {"status": FindingStatus.ARCHIVED.value, "archived_by": rule.name, "updated_at": now}
        conn.execute(update(findings_table).where(findings_table.c.id == archived_id).values(**values))
    return matched


def _no_rule(name: str) -> ArchiveRuleError:
    return ArchiveRuleError(f"no archive rule `{name}`", code="NO_SUCH_ARCHIVE_RULE")


def _rule_exists(name: str) -> ArchiveRuleError:
    return ArchiveRuleError(f"archive rule `{name}` already exists", code="ARCHIVE_RULE_EXISTS")


def _rules(conn: Connection) -> tuple[ArchiveRule, ...]:
    rows = conn.execute(select(rules_table.c.name, rules_table.c.filter).order_by(rules_table.c.name))
    return tuple(parse_archive_rule(row.name, row.filter) for row in rows)


def _details(finding: ExternalAccessFinding) -> str:
    return json.dumps(
        {
            "actions": list(finding.actions),
            "accessLevels": [level.value for level in finding.access_levels],
            "statements": [{"policy": s.policy.value, "index": s.index, "sid": s.sid} for s in finding.statements],
        },
        sort_keys=True,
    )


def _row(
    fid: str, finding: ExternalAccessFinding, status: FindingStatus, rule: ArchiveRule | None, now: datetime
) -> dict[str, Any]:
    return {
        "id": fid,
        "zone": finding.zone.value,
        "resource_arn": finding.resource,
        "resource_type": finding.resource_type,
        "resource_owner_account": finding.resource_owner_account,
        "principal": json.dumps(finding.principal_map()),
        "condition": json.dumps(finding.condition_map(), sort_keys=True),
        "is_public": finding.is_public,
        "details": _details(finding),
        "status": status.value,
        "archived_by": rule.name if rule is not None else None,
        "created_at": now,
        "updated_at": now,
        "analyzed_at": now,
    }


def _stored(row: Any) -> StoredFinding:
    details = json.loads(row.details)
    ((kind, value),) = json.loads(row.principal).items()
    condition: dict[str, str] = json.loads(row.condition)
    statements: Sequence[dict[str, Any]] = details["statements"]
    finding = ExternalAccessFinding(
        zone=Zone(row.zone),
        resource=row.resource_arn,
        resource_type=row.resource_type,
        resource_owner_account=row.resource_owner_account,
        principal=(kind, value),
        condition=tuple(sorted(condition.items())),
        actions=tuple(details["actions"]),
        access_levels=tuple(AccessLevel(level) for level in details["accessLevels"]),
        is_public=bool(row.is_public),
        statements=tuple(GrantingStatement(PolicyKind(s["policy"]), s["index"], s["sid"]) for s in statements),
    )
    return StoredFinding(
        row.id,
        finding,
        FindingStatus(row.status),
        row.archived_by,
        _aware(row.created_at),
        _aware(row.updated_at),
        _aware(row.analyzed_at),
    )


def _aware(moment: datetime) -> datetime:
    """SQLite gives back naive datetimes; they were stored in UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
