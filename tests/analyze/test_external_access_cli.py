"""`iamtwin analyzer findings` and `iamtwin analyzer archive-rule create|apply|list|delete` on a stored world.

The JSON is Access Analyzer's Finding shape (https://docs.aws.amazon.com/access-analyzer/latest/APIReference/API_Finding.html);
archive rule filters are its FilterCriteria
(https://docs.aws.amazon.com/access-analyzer/latest/APIReference/API_CreateArchiveRule.html).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from typer.testing import CliRunner

from iamtwin.cli.app import app
from iamtwin.world.stored import World

runner = CliRunner()
OWNER = "111111111111"
PARTNER = "arn:aws:iam::999999999999:root"
ROLE = f"arn:aws:iam::{OWNER}:role/partner"


def _trust(principal: str) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "sts:AssumeRole"}],
    }


@pytest.fixture
def estate(world: World) -> World:
    """Account 111111111111, in an organization, with a role trusted by 999999999999 and a queue open to it."""
    with world.organization_changes() as org:
        org.create_organization(OWNER)
    with world.changes() as iam:
        iam.create_role(OWNER, "partner", _trust(PARTNER))
        queue = f"arn:aws:sqs:us-east-1:{OWNER}:jobs"
        policy = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": "*",
                    "Action": "sqs:SendMessage",
                    "Resource": queue,
                    "Condition": {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}},
                }
            ],
        }
        iam.put_resource(queue, policy=policy)
    return world


def _findings(db_url: str, *args: str) -> dict[str, Any]:
    out = runner.invoke(app, ["analyzer", "findings", "--db", db_url, "--format", "json", *args])
    assert out.exit_code == 0, out.output
    data: dict[str, Any] = json.loads(out.stdout)
    return data


def test_findings_lists_access_analyzer_shaped_findings(estate: World, db_url: str) -> None:
    """Each finding has the Finding fields, with the condition and whether it is public."""
    report = _findings(db_url)
    assert report["zone"] == "ACCOUNT"
    by_resource = {f["resource"]: f for f in report["findings"]}
    role = by_resource[ROLE]
    assert role["principal"] == {"AWS": PARTNER}
    assert role["resourceType"] == "AWS::IAM::Role"
    assert role["resourceOwnerAccount"] == OWNER
    assert role["action"] == ["sts:AssumeRole"]
    assert role["status"] == "ACTIVE"
    assert role["isPublic"] is False
    assert {"id", "createdAt", "updatedAt", "analyzedAt", "condition"} <= set(role)
    queue = by_resource[f"arn:aws:sqs:us-east-1:{OWNER}:jobs"]
    assert queue["condition"] == {"aws:SourceIp": "203.0.113.0/24"}
    assert queue["isPublic"] is False
    assert queue["accessLevels"] == ["Write"]
    assert sorted(report["changes"]["new"]) == sorted(f["id"] for f in report["findings"])


def test_findings_update_on_change_and_filter_by_status(estate: World, db_url: str) -> None:
    """After the partner is removed from the trust policy its finding is listed as RESOLVED."""
    first = _findings(db_url)
    role_id = next(f["id"] for f in first["findings"] if f["resource"] == ROLE)
    with estate.changes() as iam:
        iam.update_assume_role_policy(OWNER, "partner", _trust(f"arn:aws:iam::{OWNER}:root"))
    second = _findings(db_url, "--status", "resolved")
    assert second["changes"]["resolved"] == [role_id]
    assert [f["id"] for f in second["findings"]] == [role_id]
    assert second["findings"][0]["status"] == "RESOLVED"


def test_findings_text_names_status_resource_and_access(estate: World, db_url: str) -> None:
    """The text listing shows one line per finding and a summary of what the analysis changed."""
    out = runner.invoke(app, ["analyzer", "findings", "--db", db_url, "--zone", "organization"])
    assert out.exit_code == 0, out.output
    lines = out.stdout.splitlines()
    role_line = next(line for line in lines if ROLE in line)
    assert role_line.startswith("ACTIVE")
    assert f"AWS {PARTNER}" in role_line and "Write" in role_line
    assert "aws:SourceIp=203.0.113.0/24" in out.stdout
    assert lines[-1].startswith("2 finding(s) listed; this analysis: 2 new")


def test_archive_rule_create_apply_list_delete(estate: World, db_url: str) -> None:
    """A rule is created, applied to the active findings it matches, listed with its filter, and deleted."""
    _findings(db_url)
    rule_filter = json.dumps({"principal.AWS": {"eq": [PARTNER]}})
    created = runner.invoke(
        app, ["analyzer", "archive-rule", "create", "partner", "--filter", rule_filter, "--db", db_url, "-f", "json"]
    )
    assert created.exit_code == 0, created.output
    assert json.loads(created.stdout)["archived"] == []
    applied = runner.invoke(app, ["analyzer", "archive-rule", "apply", "partner", "--db", db_url])
    assert applied.exit_code == 0, applied.output
    assert "archived 1 finding(s)" in applied.stdout
    listed = runner.invoke(app, ["analyzer", "archive-rule", "list", "--db", db_url, "--format", "json"])
    assert json.loads(listed.stdout) == [{"ruleName": "partner", "filter": {"principal.AWS": {"eq": [PARTNER]}}}]
    archived = _findings(db_url, "--status", "ARCHIVED")
    assert [(f["resource"], f["archivedBy"]) for f in archived["findings"]] == [(ROLE, "partner")]
    deleted = runner.invoke(app, ["analyzer", "archive-rule", "delete", "partner", "--db", db_url])
    assert deleted.exit_code == 0, deleted.output
    again = runner.invoke(app, ["analyzer", "archive-rule", "list", "--db", db_url, "--format", "json"])
    assert json.loads(again.stdout) == []


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["findings", "--zone", "galaxy"], "INVALID_ZONE"),
        (["findings", "--status", "open"], "INVALID_STATUS"),
        (["archive-rule", "create", "r", "--filter", "{not json"], "INVALID_ARCHIVE_RULE"),
        (["archive-rule", "create", "r", "--filter", '{"status": {"eq": ["ACTIVE"]}}'], "INVALID_ARCHIVE_RULE"),
        (["archive-rule", "create", "9bad", "--filter", '{"isPublic": {"eq": ["true"]}}'], "INVALID_ARCHIVE_RULE"),
        (["archive-rule", "delete", "missing"], "NO_SUCH_ARCHIVE_RULE"),
        (["archive-rule", "apply", "missing"], "NO_SUCH_ARCHIVE_RULE"),
    ],
)
def test_bad_input_is_a_coded_error(world: World, db_url: str, args: list[str], code: str) -> None:
    """Bad options and rules exit 2 with a code on stderr, never a traceback."""
    out = runner.invoke(app, ["analyzer", *args, "--db", db_url])
    assert out.exit_code == 2
    assert code in out.stderr
    assert "Traceback" not in out.output


def test_organization_zone_without_an_organization_is_a_coded_error(world: World, db_url: str) -> None:
    """The organization zone needs the world to have an organization."""
    out = runner.invoke(app, ["analyzer", "findings", "--db", db_url, "--zone", "organization"])
    assert out.exit_code == 2
    assert "NO_ORGANIZATION" in out.stderr


def test_archive_rule_create_with_apply_archives_active_findings(estate: World, db_url: str) -> None:
    """`create --apply` archives the active findings the new rule matches at once."""
    _findings(db_url)
    rule_filter = json.dumps({"isPublic": {"eq": ["false"]}, "resourceType": {"eq": ["AWS::SQS::Queue"]}})
    created = runner.invoke(
        app, ["analyzer", "archive-rule", "create", "office", "--apply", "--filter", rule_filter, "--db", db_url]
    )
    assert created.exit_code == 0, created.output
    assert "archived 1 finding(s)" in created.stdout
    archived = _findings(db_url, "--status", "ARCHIVED")
    assert [f["resource"] for f in archived["findings"]] == [f"arn:aws:sqs:us-east-1:{OWNER}:jobs"]
