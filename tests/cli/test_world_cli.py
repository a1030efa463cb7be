"""`iamtwin world`, `import`, `export`, `sts` and `simulate` over a stored world, as a user runs them."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from tests.conftest import example_path
from typer.testing import CliRunner

from iamtwin.cli.app import app
from iamtwin.world.formats.organizations_writer import write_organization
from iamtwin.world.worldfile import load_world

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from gen_auth_details import generate

runner = CliRunner()
S04 = str(example_path("scenario04-tenant-isolation.yaml"))
SERVICE = "arn:aws:iam::111122223333:role/TrackingServiceRole"
ACCESS = "arn:aws:iam::111122223333:role/TrackingAccessRole"


def _run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


@pytest.fixture
def db(db_url: str) -> str:
    """A database URL with scenario 04's account imported through `iamtwin world import`."""
    code, out = _run("world", "import", S04, "--db", db_url)
    assert code == 0, out
    return db_url


def test_init_show_and_ls_report_the_world(db: str) -> None:
    """`world init` is idempotent; `show` counts entities; `ls roles` lists them as JSON."""
    assert _run("world", "init", "--db", db)[0] == 0
    code, out = _run("world", "show", "--db", db, "--format", "json")
    assert code == 0
    counts = json.loads(out)
    assert (counts["accounts"], counts["roles"], counts["policies"]) == (1, 5, 2)
    code, out = _run("world", "ls", "roles", "--db", db, "-f", "json")
    assert code == 0 and {r["name"] for r in json.loads(out)} >= {"TrackingServiceRole", "TrackingAccessRole"}


def test_assume_role_then_simulate_as_the_session(db: str) -> None:
    """`sts assume-role` issues a session; `simulate --principal <access key>` decides as that session."""
    code, out = _run(
        "sts",
        "assume-role",
        "--principal",
        SERVICE,
        "--role-arn",
        ACCESS,
        "--session-name",
        "t1",
        "--tag",
        "TenantID=yellow",
        "--db",
        db,
        "-f",
        "json",
    )
    assert code == 0, out
    result = json.loads(out)
    key = result["Credentials"]["AccessKeyId"]
    assert result["AssumedRoleUser"]["Arn"] == "arn:aws:sts::111122223333:assumed-role/TrackingAccessRole/t1"
    code, out = _run(
        "simulate",
        "--principal",
        key,
        "--action",
        "s3:GetObject",
        "--resource",
        "arn:aws:s3:::sample-bucket-12345678/yellow/orders.json",
        "--db",
        db,
        "-f",
        "json",
    )
    assert code == 0 and json.loads(out)["decision"] == "Allowed"
    code, out = _run("sts", "get-caller-identity", "--principal", key, "--db", db, "-f", "json")
    assert json.loads(out)["Arn"] == result["AssumedRoleUser"]["Arn"]


def test_a_denied_assume_role_exits_1_with_the_decision(db: str) -> None:
    """A refused AssumeRole prints AccessDenied and the decision behind it, exit status 1."""
    code, out = _run(
        "sts",
        "assume-role",
        "--principal",
        ACCESS,
        "--role-arn",
        SERVICE,
        "--session-name",
        "x1",
        "--db",
        db,
        "-f",
        "json",
    )
    assert code == 1
    payload = json.loads(out)
    assert payload["error"]["code"] == "AccessDenied" and payload["decision"]["decision"] == "ImplicitDeny"


def test_bad_input_exits_2_with_a_code(db: str, tmp_path: Path) -> None:
    """Importing the same account twice, or a malformed session name, is a coded error, never a traceback."""
    code, out = _run("world", "import", S04, "--db", db)
    assert code == 2 and "EntityAlreadyExists" in out
    code, out = _run(
        "sts", "assume-role", "--principal", SERVICE, "--role-arn", ACCESS, "--session-name", "x", "--db", db
    )
    assert code == 2 and "ValidationError" in out
    code, out = _run(
        "simulate", "--principal", "arn:aws:iam::111122223333:user/nobody", "--action", "s3:GetObject", "--db", db
    )
    assert code == 2 and "UNKNOWN_PRINCIPAL" in out


def test_auth_details_import_and_export_round_trip(db_url: str, tmp_path: Path) -> None:
    """`import aws-auth-details` then `export --to aws-auth-details` gives back the same entities."""
    source = tmp_path / "auth.json"
    source.write_text(json.dumps(generate(roles=40, policies=20, users=10, groups=3, seed=3)), encoding="utf-8")
    code, out = _run("import", "aws-auth-details", str(source), "--db", db_url, "-f", "json")
    assert code == 0, out
    assert json.loads(out)["entities"] > 70
    exported = tmp_path / "out.json"
    code, out = _run("export", "--to", "aws-auth-details", "--output", str(exported), "--db", db_url)
    assert code == 0, out
    before, after = json.loads(source.read_text()), json.loads(exported.read_text())
    assert sorted(r["RoleName"] for r in after["RoleDetailList"]) == sorted(
        r["RoleName"] for r in before["RoleDetailList"]
    )
    # AWS managed policies the account attaches are listed too, as AWS lists them without a filter.
    customer = [p for p in after["Policies"] if not p["Arn"].startswith("arn:aws:iam::aws:")]
    assert len(customer) == len(before["Policies"])


def test_organizations_import_places_accounts_under_their_ous(db_url: str, tmp_path: Path) -> None:
    """`import organizations DIR` then the IAM data of a member account: the OU's SCP governs it."""
    model = load_world(example_path("scenario07-org-guardrails.yaml")).world
    assert model.organization is not None
    write_organization(model.organization, tmp_path / "org")
    code, out = _run("import", "organizations", str(tmp_path / "org"), "--db", db_url)
    assert code == 0, out
    world_file = tmp_path / "sandbox.yaml"
    world_file.write_text(
        'accounts:\n  - id: "200000000003"\n    roles:\n      - name: dev\n'
        "        trust_policy: {Version: '2012-10-17', Statement: [{Effect: Allow,"
        " Principal: {Service: ec2.amazonaws.com}, Action: 'sts:AssumeRole'}]}\n"
        "        managed_policies: ['arn:aws:iam::aws:policy/AdministratorAccess']\n",
        encoding="utf-8",
    )
    code, out = _run("world", "import", str(world_file), "--db", db_url)
    assert code == 0, out
    code, out = _run(
        "simulate",
        "--principal",
        "arn:aws:iam::200000000003:role/dev",
        "--action",
        "storagegateway:ListGateways",
        "--db",
        db_url,
        "-f",
        "json",
    )
    assert json.loads(out)["decision"] == "ExplicitDeny"


def test_world_export_reimports_to_the_same_decisions(db: str, tmp_path: Path) -> None:
    """`export --to world` writes a world file that imports into a new database with the same answers."""
    exported = tmp_path / "world.yaml"
    assert _run("export", "--output", str(exported), "--db", db)[0] == 0
    fresh = f"sqlite:///{tmp_path / 'fresh.db'}"
    code, out = _run("world", "import", str(exported), "--db", fresh)
    assert code == 0, out
    request = (
        "simulate",
        "--principal",
        "arn:aws:iam::111122223333:role/assumeRole-tenant1",
        "--action",
        "rds-db:connect",
        "--resource",
        "arn:aws:rds-db:us-west-2:111122223333:dbuser:cluster-ABC/tenant1_dbuser",
        "-f",
        "json",
    )
    first = json.loads(_run(*request, "--db", db)[1])
    second = json.loads(_run(*request, "--db", fresh)[1])
    assert first == second and first["decision"] == "Allowed"


def test_credentials_bootstrap_prints_a_working_key(db: str) -> None:
    """`credentials bootstrap` prints an AKIA key of the management account's administrator."""
    code, out = _run("credentials", "bootstrap", "--db", db)
    assert code == 0, out
    printed = json.loads(out)
    assert printed["AccessKeyId"].startswith("AKIA") and len(printed["SecretAccessKey"]) == 40
    assert printed["UserArn"] == "arn:aws:iam::111122223333:user/iamtwin-admin"
    code, out = _run("sts", "get-caller-identity", "--principal", printed["AccessKeyId"], "--db", db, "-f", "json")
    assert json.loads(out)["Arn"] == printed["UserArn"]
