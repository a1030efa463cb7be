"""`iamtwin who-can` and `iamtwin what-can` through the command line: stored worlds, world files, both formats.

Scenario 01 (../shared/scenarios/01-orchestrator-tags.md): the orchestrator's `aws:TagKeys` condition
restricts nothing on an invoke, so `who-can` lists it for the untagged function.
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
"""

from __future__ import annotations

import json

import pytest
from tests.conftest import example_path
from typer.testing import CliRunner

from iamtwin.cli.app import app
from iamtwin.world.stored import World
from iamtwin.world.worldfile import load_world

runner = CliRunner()
SCENARIO = "scenario01-orchestrator.yaml"
UNTAGGED = "arn:aws:lambda:us-east-1:111111111111:function:untagged"
ORCHESTRATOR = "arn:aws:iam::111111111111:role/Orchestrator"


@pytest.fixture
def stored(world: World) -> World:
    """Scenario 01 imported into a stored world (SQLite and PostgreSQL)."""
    world.import_model(load_world(example_path(SCENARIO)).world)
    return world


def _db(world: World) -> str:
    return world.engine.url.render_as_string(hide_password=False)


def test_who_can_json_from_the_stored_world(stored: World) -> None:
    """The stored world answers as the world file does: the orchestrator may invoke the untagged function."""
    result = runner.invoke(
        app,
        ["who-can", "--action", "lambda:InvokeFunction", "--resource", UNTAGGED, "--db", _db(stored), "-f", "json"],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    by_arn = {p["principal"]["arn"]: p for p in data["principals"]}
    orchestrator = by_arn[ORCHESTRATOR]
    assert orchestrator["verdict"] == "allowed"
    assert orchestrator["principal"]["kind"] == "role"
    assert "condition_restricts_nothing" in [n["code"] for n in orchestrator["notes"]]
    assert data["total_principals"] == 3


def test_who_can_text_from_a_world_file() -> None:
    """The text table names the sessions of the role and why its condition restricts nothing."""
    args = ["who-can", "--action", "lambda:InvokeFunction", "--resource", UNTAGGED]
    result = runner.invoke(app, [*args, "--world", str(example_path(SCENARIO))], env={"COLUMNS": "240"})
    assert result.exit_code == 0, result.output
    assert "sessions of role arn:aws:iam::111111111111:role/Orchestrator" in result.stdout
    assert "restricts nothing" in result.stdout
    assert "principals decided" in result.stdout


def test_what_can_both_formats() -> None:
    """What-can lists the product role's decrypt on the platform key, in text and in JSON."""
    args = ["what-can", "--principal", "arn:aws:iam::111111111111:role/ReportFunctionRole"]
    args += ["--world", str(example_path(SCENARIO))]
    text = runner.invoke(app, args, env={"COLUMNS": "240"})
    assert text.exit_code == 0, text.output
    assert "kms:Decrypt" in text.stdout
    data = json.loads(runner.invoke(app, [*args, "--format", "json"]).stdout)
    assert [(a["action"], a["verdict"]) for a in data["access"]] == [("kms:Decrypt", "allowed")]


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["who-can", "--action", "lambda:InvokeFunctio", "--resource", UNTAGGED], "UNKNOWN_ACTION"),
        (["who-can", "--action", "lambda", "--resource", UNTAGGED], "INVALID_ACTION"),
        (["who-can", "--action", "lambda:InvokeFunction", "--resource", "untagged"], "INVALID_RESOURCE"),
        (["who-can", "--action", "lambda:InvokeFunction", "--resource", UNTAGGED, "-f", "yaml"], "INVALID_FORMAT"),
        (["what-can", "--principal", "arn:aws:iam::111111111111:role/Nobody"], "UNKNOWN_PRINCIPAL"),
        (["what-can", "--principal", ORCHESTRATOR, "--service", "nosuchservice"], "UNKNOWN_SERVICE"),
    ],
)
def test_bad_input_exits_2_with_a_code(args: list[str], code: str) -> None:
    """Bad input is a coded error on stderr and exit 2, never a traceback."""
    result = runner.invoke(app, [*args, "--world", str(example_path(SCENARIO))])
    assert result.exit_code == 2
    assert code in result.stderr
    assert "Traceback" not in result.output
