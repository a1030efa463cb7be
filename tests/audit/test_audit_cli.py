"""`iamtwin audit verify|export|prune` on a stored trail."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete
from typer.testing import CliRunner

from iamtwin.audit.store import AuditStore
from iamtwin.cli.app import app
from iamtwin.world.store.schema import audit_events
from iamtwin.world.stored import World

from .events import call

runner = CliRunner()
T0 = datetime(2020, 1, 1, tzinfo=UTC)


def _trail(world: World, count: int = 4) -> None:
    store = AuditStore(world.engine)
    for i in range(count):
        store.append([call(T0 + timedelta(days=i))])


def test_verify_says_ok_then_names_a_removed_event(world: World, db_url: str) -> None:
    """Exit 0 on an intact trail; exit 1 naming the event that was removed."""
    _trail(world)
    ok = runner.invoke(app, ["audit", "verify", "--db", db_url])
    assert ok.exit_code == 0, ok.output
    assert "ok: 4 events checked" in ok.output
    with world.engine.begin() as conn:
        conn.execute(delete(audit_events).where(audit_events.c.seq == 2))
    broken = runner.invoke(app, ["audit", "verify", "--db", db_url, "--format", "json"])
    assert broken.exit_code == 1
    report = json.loads(broken.output)
    assert report["ok"] is False
    assert [(p["kind"], p["seq"]) for p in report["problems"]] == [("MISSING", 2)]


def test_export_writes_json_lines_in_a_time_window(world: World, db_url: str) -> None:
    """--since is inclusive, --until exclusive; each line is one CloudTrail record."""
    _trail(world)
    out = runner.invoke(
        app, ["audit", "export", "--db", db_url, "--since", "2020-01-02T00:00:00Z", "--until", "2020-01-04T00:00:00Z"]
    )
    assert out.exit_code == 0, out.output
    records = [json.loads(line) for line in out.output.splitlines()]
    assert [r["eventTime"] for r in records] == ["2020-01-02T00:00:00Z", "2020-01-03T00:00:00Z"]
    assert all(r["eventSource"] == "iam.amazonaws.com" for r in records)


def test_prune_removes_old_events_and_the_rest_verifies(world: World, db_url: str) -> None:
    """Events before --before go; verify still passes from the anchor."""
    _trail(world)
    pruned = runner.invoke(app, ["audit", "prune", "--db", db_url, "--before", "2020-01-03T00:00:00Z"])
    assert pruned.exit_code == 0, pruned.output
    assert "removed 2 events" in pruned.output
    assert AuditStore(world.engine).count() == 2
    assert runner.invoke(app, ["audit", "verify", "--db", db_url]).exit_code == 0


def test_a_time_without_a_zone_is_a_coded_error(db_url: str) -> None:
    """Exit 2 with INVALID_TIME, never a traceback."""
    out = runner.invoke(app, ["audit", "export", "--db", db_url, "--since", "2020-01-02T00:00:00"])
    assert out.exit_code == 2
    assert "INVALID_TIME" in out.output


def test_prune_by_age_and_its_argument_errors(world: World, db_url: str) -> None:
    """--older-than-days counts back from now; exactly one of the two options, and at least one day."""
    store = AuditStore(world.engine)
    now = datetime.now(UTC)
    store.append([call(now - timedelta(days=400)), call(now - timedelta(days=300)), call(now - timedelta(days=30))])
    pruned = runner.invoke(app, ["audit", "prune", "--db", db_url, "--older-than-days", "100"])
    assert pruned.exit_code == 0, pruned.output
    assert "removed 2 events" in pruned.output
    assert runner.invoke(app, ["audit", "verify", "--db", db_url]).exit_code == 0
    for args, code in (
        ([], "INVALID_ARGUMENTS"),
        (["--before", "2020-01-03T00:00:00Z", "--older-than-days", "3"], "INVALID_ARGUMENTS"),
        (["--older-than-days", "0"], "INVALID_RETENTION"),
    ):
        out = runner.invoke(app, ["audit", "prune", "--db", db_url, *args])
        assert out.exit_code == 2 and code in out.output, out.output
