"""Stored external access findings follow the world's changes, and archive rules archive them (SQLite and PostgreSQL).

Findings stay ACTIVE until archived or until the access goes, when they become RESOLVED; a changed grant is a new
finding: https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-work-with-findings.html. Archive rules
archive new findings that match (https://docs.aws.amazon.com/access-analyzer/latest/APIReference/API_CreateArchiveRule.html),
and existing ones when applied (https://docs.aws.amazon.com/access-analyzer/latest/APIReference/API_ApplyArchiveRule.html).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from iamtwin.analyze.archive_rules import ArchiveRuleError, parse_archive_rule
from iamtwin.analyze.external_access import ExternalAccessFinding, Zone, analyze_external_access
from iamtwin.analyze.findings_store import FindingsStore, FindingStatus, UpdateSummary, finding_id
from iamtwin.catalog import AccessLevel
from iamtwin.clock import FixedClock
from iamtwin.world.stored import World

OWNER = "111111111111"
PARTNER = "arn:aws:iam::999999999999:root"
BUCKET = "arn:aws:s3:::reports"


def _trust(*principals: str) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": list(principals)}, "Action": "sts:AssumeRole"}],
    }


def _bucket_policy(*actions: str) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": "*", "Action": list(actions), "Resource": f"{BUCKET}/*"}],
    }


@pytest.fixture
def estate(world: World) -> World:
    """Account 111111111111 with a role trusted by 999999999999 and a public bucket."""
    with world.changes() as iam:
        iam.create_account(OWNER)
        iam.create_role(OWNER, "partner", _trust(PARTNER))
        iam.put_resource_in(OWNER, BUCKET, policy=_bucket_policy("s3:GetObject"), tags=None, kind="s3:bucket")
    return world


def _analyze(world: World, store: FindingsStore, zone: Zone = Zone.ACCOUNT) -> UpdateSummary:
    return store.update(analyze_external_access(world.export_model(), zone))


def _statuses(store: FindingsStore) -> dict[tuple[str, str], str]:
    return {(s.finding.resource, s.finding.principal[1]): s.status.value for s in store.findings()}


def test_findings_are_active_then_unchanged_on_a_second_analysis(estate: World, clock: FixedClock) -> None:
    """A first analysis stores ACTIVE findings; analyzing an unchanged world keeps their ids and creation time."""
    store = FindingsStore(estate.engine, clock)
    first = _analyze(estate, store)
    assert len(first.new) == 2
    assert _statuses(store) == {
        (BUCKET, "*"): "ACTIVE",
        (f"arn:aws:iam::{OWNER}:role/partner", PARTNER): "ACTIVE",
    }
    created = {s.id: s.created_at for s in store.findings()}
    clock.instant += timedelta(hours=1)
    second = _analyze(estate, store)
    assert second == UpdateSummary((), (), (), ())
    again = store.findings()
    assert {s.id: s.created_at for s in again} == created
    assert all(s.analyzed_at == clock.instant for s in again)
    public = next(s for s in again if s.finding.is_public)
    assert public.to_dict()["principal"] == {"AWS": "*"}
    assert public.to_dict()["accessLevels"] == ["Read"]


def test_removed_access_is_resolved_and_granted_again_is_active(estate: World, clock: FixedClock) -> None:
    """Removing the external principal resolves its finding; trusting it again reactivates the same finding."""
    store = FindingsStore(estate.engine, clock)
    _analyze(estate, store)
    with estate.changes() as iam:
        iam.update_assume_role_policy(OWNER, "partner", _trust(f"arn:aws:iam::{OWNER}:root"))
    clock.instant += timedelta(minutes=5)
    summary = _analyze(estate, store)
    assert len(summary.resolved) == 1 and summary.new == ()
    resolved = store.findings(Zone.ACCOUNT, FindingStatus.RESOLVED)
    assert [s.finding.principal[1] for s in resolved] == [PARTNER]
    assert resolved[0].updated_at == clock.instant
    with estate.changes() as iam:
        iam.update_assume_role_policy(OWNER, "partner", _trust(PARTNER))
    summary = _analyze(estate, store)
    assert summary.reactivated == (resolved[0].id,)
    assert _statuses(store)[(f"arn:aws:iam::{OWNER}:role/partner", PARTNER)] == "ACTIVE"


def test_other_permissions_are_a_new_finding_and_the_old_one_resolves(estate: World, clock: FixedClock) -> None:
    """Granting the same principal other actions makes a new finding; the previous one is resolved."""
    store = FindingsStore(estate.engine, clock)
    _analyze(estate, store)
    with estate.changes() as iam:
        policy = _bucket_policy("s3:GetObject", "s3:PutObject")
        iam.put_resource_in(OWNER, BUCKET, policy=policy, tags=None, kind="s3:bucket")
    summary = _analyze(estate, store)
    assert len(summary.new) == 1 and len(summary.resolved) == 1
    by_status = {s.status: s.finding for s in store.findings() if s.finding.resource == BUCKET}
    assert by_status[FindingStatus.ACTIVE].actions == ("s3:GetObject", "s3:PutObject")
    assert by_status[FindingStatus.RESOLVED].actions == ("s3:GetObject",)


def test_an_archive_rule_archives_new_findings_and_leaves_active_ones(estate: World, clock: FixedClock) -> None:
    """A new rule leaves ACTIVE findings alone (even on the next analysis) and archives matching new findings."""
    store = FindingsStore(estate.engine, clock)
    _analyze(estate, store)
    rule = parse_archive_rule("trusted-partner", {"principal.AWS": {"eq": [PARTNER]}})
    assert store.create_rule(rule) == ()
    with estate.changes() as iam:
        iam.create_role(OWNER, "partner-readonly", _trust(PARTNER))
    summary = _analyze(estate, store)
    assert len(summary.archived) == 1 and summary.new == ()
    stored = {s.finding.resource: s for s in store.findings()}
    assert stored[f"arn:aws:iam::{OWNER}:role/partner-readonly"].status is FindingStatus.ARCHIVED
    assert stored[f"arn:aws:iam::{OWNER}:role/partner-readonly"].archived_by == "trusted-partner"
    assert stored[f"arn:aws:iam::{OWNER}:role/partner"].status is FindingStatus.ACTIVE
    assert [r.name for r in store.rules()] == ["trusted-partner"]


def test_applying_a_rule_archives_the_active_findings_it_matches(estate: World, clock: FixedClock) -> None:
    """ApplyArchiveRule, or creating with `apply`, archives matching ACTIVE findings and no others."""
    store = FindingsStore(estate.engine, clock)
    _analyze(estate, store)
    store.create_rule(parse_archive_rule("trusted-partner", {"principal.AWS": {"eq": [PARTNER]}}))
    clock.instant += timedelta(minutes=1)
    archived = store.apply_rule("trusted-partner")
    assert len(archived) == 1
    assert _statuses(store) == {
        (f"arn:aws:iam::{OWNER}:role/partner", PARTNER): "ARCHIVED",
        (BUCKET, "*"): "ACTIVE",
    }
    role = next(s for s in store.findings() if s.id == archived[0])
    assert role.updated_at == clock.instant and role.archived_by == "trusted-partner"
    assert store.apply_rule("trusted-partner") == ()
    public = parse_archive_rule("public", {"isPublic": {"eq": ["true"]}})
    assert len(store.create_rule(public, apply=True)) == 1
    assert _statuses(store)[(BUCKET, "*")] == "ARCHIVED"
    with pytest.raises(ArchiveRuleError) as missing:
        store.apply_rule("nothing")
    assert missing.value.code == "NO_SUCH_ARCHIVE_RULE"


def test_a_resolved_finding_that_comes_back_is_archived_by_a_matching_rule(estate: World, clock: FixedClock) -> None:
    """Access removed and granted again is found anew, so archive rules apply to it."""
    store = FindingsStore(estate.engine, clock)
    _analyze(estate, store)
    with estate.changes() as iam:
        iam.update_assume_role_policy(OWNER, "partner", _trust(f"arn:aws:iam::{OWNER}:root"))
    _analyze(estate, store)
    store.create_rule(parse_archive_rule("trusted-partner", {"principal.AWS": {"eq": [PARTNER]}}))
    with estate.changes() as iam:
        iam.update_assume_role_policy(OWNER, "partner", _trust(PARTNER))
    summary = _analyze(estate, store)
    assert len(summary.archived) == 1 and summary.reactivated == ()
    assert _statuses(store)[(f"arn:aws:iam::{OWNER}:role/partner", PARTNER)] == "ARCHIVED"


def test_deleting_a_rule_leaves_findings_archived_and_new_ones_active(estate: World, clock: FixedClock) -> None:
    """Findings a deleted rule archived stay archived; findings found afterwards are active."""
    store = FindingsStore(estate.engine, clock)
    _analyze(estate, store)
    store.create_rule(parse_archive_rule("partner", {"principal.AWS": {"eq": [PARTNER]}}), apply=True)
    store.delete_rule("partner")
    assert store.rules() == ()
    with estate.changes() as iam:
        iam.create_role(OWNER, "partner-two", _trust(PARTNER))
    summary = _analyze(estate, store)
    assert len(summary.new) == 1
    statuses = {s.finding.resource: s.status for s in store.findings()}
    assert statuses[f"arn:aws:iam::{OWNER}:role/partner"] is FindingStatus.ARCHIVED
    assert statuses[f"arn:aws:iam::{OWNER}:role/partner-two"] is FindingStatus.ACTIVE


def test_rule_names_are_unique_and_deleting_an_unknown_rule_fails(estate: World, clock: FixedClock) -> None:
    """A second rule of one name is refused without archiving anything; deleting a missing rule is an error."""
    store = FindingsStore(estate.engine, clock)
    _analyze(estate, store)
    store.create_rule(parse_archive_rule("public", {"isPublic": {"eq": ["false"]}}))
    with pytest.raises(ArchiveRuleError) as raised:
        store.create_rule(parse_archive_rule("public", {"isPublic": {"eq": ["true"]}}), apply=True)
    assert raised.value.code == "ARCHIVE_RULE_EXISTS"
    assert _statuses(store)[(BUCKET, "*")] == "ACTIVE"
    with pytest.raises(ArchiveRuleError) as missing:
        store.delete_rule("nothing")
    assert missing.value.code == "NO_SUCH_ARCHIVE_RULE"


def test_each_zone_keeps_its_own_findings(world: World, clock: FixedClock) -> None:
    """An account analysis does not resolve the organization analysis' findings, nor the reverse."""
    with world.organization_changes() as org:
        org.create_organization(OWNER)
    with world.changes() as iam:
        iam.create_role(OWNER, "partner", _trust(PARTNER))
    store = FindingsStore(world.engine, clock)
    _analyze(world, store, Zone.ACCOUNT)
    _analyze(world, store, Zone.ORGANIZATION)
    assert len(store.findings(Zone.ACCOUNT)) == 1
    assert len(store.findings(Zone.ORGANIZATION)) == 1
    assert store.findings(Zone.ACCOUNT)[0].id != store.findings(Zone.ORGANIZATION)[0].id
    with world.changes() as iam:
        iam.delete_entity("role", OWNER, "partner")
    _analyze(world, store, Zone.ACCOUNT)
    assert store.findings(Zone.ORGANIZATION)[0].status is FindingStatus.ACTIVE
    assert store.findings(Zone.ACCOUNT)[0].status is FindingStatus.RESOLVED


def test_finding_ids_are_stable_and_depend_on_zone_condition_and_actions() -> None:
    """The same access keeps its id; another zone, condition or set of actions is another finding.

    Access Analyzer makes a new finding when a changed policy grants other permissions or conditions:
    https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-work-with-findings.html
    """
    base = ExternalAccessFinding(
        Zone.ACCOUNT, BUCKET, "AWS::S3::Bucket", OWNER, ("AWS", "*"), (), ("s3:GetObject",), (AccessLevel.READ,),
        is_public=True, statements=(),
    )  # fmt: skip
    assert finding_id(base) == finding_id(replace(base, is_public=False))
    others = [
        replace(base, zone=Zone.ORGANIZATION),
        replace(base, condition=(("aws:SourceIp", "203.0.113.0/24"),)),
        replace(base, actions=("s3:GetObject", "s3:PutObject")),
    ]
    assert len({finding_id(base), *(finding_id(o) for o in others)}) == 4


def test_an_update_that_fails_midway_stores_nothing(
    estate: World, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The update is one transaction: when writing the second finding fails, the first is not kept either."""
    import iamtwin.analyze.findings_store as findings_store

    store = FindingsStore(estate.engine, clock)
    report = analyze_external_access(estate.export_model(), Zone.ACCOUNT)
    assert len(report.findings) == 2
    real_row = findings_store._row
    calls: list[str] = []

    def failing_row(*args: Any) -> dict[str, Any]:
        calls.append("row")
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real_row(*args)

    monkeypatch.setattr(findings_store, "_row", failing_row)
    with pytest.raises(RuntimeError):
        store.update(report)
    assert store.findings() == ()


def test_a_renamed_statement_updates_the_finding_in_place(estate: World, clock: FixedClock) -> None:
    """The same access granted by a statement with another Sid keeps its finding, now naming that statement."""
    store = FindingsStore(estate.engine, clock)
    _analyze(estate, store)
    trust = _trust(PARTNER)
    trust["Statement"][0]["Sid"] = "Partner"
    with estate.changes() as iam:
        iam.update_assume_role_policy(OWNER, "partner", trust)
    assert _analyze(estate, store) == UpdateSummary((), (), (), ())
    role = next(s for s in store.findings() if s.finding.resource.endswith(":role/partner"))
    assert role.status is FindingStatus.ACTIVE
    assert [st.sid for st in role.finding.statements] == ["Partner"]
