"""`iamtwin escalation --from PRINCIPAL`: text, JSON and Graphviz output, world files and stored worlds, errors.

Role chaining: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_terms-and-concepts.html#iam-term-role-chaining
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from iamtwin.cli.app import app
from iamtwin.world.stored import World
from iamtwin.world.worldfile import load_world

runner = CliRunner()
ALICE = "arn:aws:iam::111122223333:user/alice"
FIRST = "arn:aws:iam::111122223333:role/first"
ADMIN = "arn:aws:iam::111122223333:role/admin"

WORLD = """
accounts:
  - id: "111122223333"
    users:
      - name: alice
        inline_policies:
          p: {Version: "2012-10-17", Statement: [{Sid: Hop, Effect: Allow, Action: sts:AssumeRole, Resource: "*"}]}
      - name: bob
    roles:
      - name: first
        trust_policy:
          Version: "2012-10-17"
          Statement: [{Effect: Allow, Principal: {AWS: "arn:aws:iam::111122223333:user/alice"}, Action: sts:AssumeRole}]
        inline_policies:
          p: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: sts:AssumeRole, Resource: "*"}]}
      - name: admin
        trust_policy:
          Version: "2012-10-17"
          Statement: [{Effect: Allow, Principal: {AWS: "arn:aws:iam::111122223333:role/first"}, Action: sts:AssumeRole}]
        managed_policies: [arn:aws:iam::aws:policy/AdministratorAccess]
"""


@pytest.fixture
def world_file(tmp_path: Path) -> Path:
    """The two-hop world as a file."""
    path = tmp_path / "world.yaml"
    path.write_text(WORLD, encoding="utf-8")
    return path


def test_text_lists_each_step_with_its_statements(world_file: Path) -> None:
    """Text output: the administrator reached, each step with its method and the statements that allow it."""
    result = runner.invoke(app, ["escalation", "--from", ALICE, "--world", str(world_file)])
    assert result.exit_code == 0, result.output
    assert f"{ADMIN} has full access (2 step(s))" in result.stdout
    assert f"{ALICE} -assume_role-> {FIRST}" in result.stdout
    assert f"{FIRST} -assume_role-> {ADMIN}" in result.stdout
    assert f"{ALICE}#p[0] Hop" in result.stdout
    assert "arn:aws:iam::aws:policy/AdministratorAccess[0]" in result.stdout


def test_json_has_paths_edges_and_statements(world_file: Path) -> None:
    """JSON output: one path with its edges in order, each with its evidence."""
    result = runner.invoke(app, ["escalation", "--from", ALICE, "--world", str(world_file), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["from"] == ALICE
    [path] = data["paths"]
    assert (path["admin"], path["reason"], path["length"]) == (ADMIN, "full_access", 2)
    assert [(e["source"], e["kind"], e["target"]) for e in path["edges"]] == [
        (ALICE, "assume_role", FIRST),
        (FIRST, "assume_role", ADMIN),
    ]
    statements = path["edges"][0]["evidence"][0]["statements"]
    assert {"policy_id": f"{ALICE}#p", "statement_index": 0, "sid": "Hop"}.items() <= statements[1].items()


def test_dot_draws_the_paths(world_file: Path) -> None:
    """Graphviz output: the start as a box, the administrator as a double circle, one labelled edge per step."""
    result = runner.invoke(app, ["escalation", "--from", ALICE, "--world", str(world_file), "--format", "dot"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("digraph escalation {")
    assert f'"{ALICE}" [shape=box];' in result.stdout
    assert f'"{ADMIN}" [shape=doublecircle];' in result.stdout
    assert f'"{ALICE}" -> "{FIRST}" [label="assume_role"];' in result.stdout
    assert f'"{FIRST}" -> "{ADMIN}" [label="assume_role"];' in result.stdout


def test_stored_world(db_url: str) -> None:
    """`--db` reads the stored world; a principal with no way up gets no path and exit 0."""
    stored = World.open(db_url)
    try:
        stored.import_model(load_world(WORLD).world)
    finally:
        stored.close()
    result = runner.invoke(app, ["escalation", "--from", ALICE, "--db", db_url, "--format", "json"])
    assert result.exit_code == 0, result.output
    assert [p["admin"] for p in json.loads(result.stdout)["paths"]] == [ADMIN]
    bob = "arn:aws:iam::111122223333:user/bob"
    result = runner.invoke(app, ["escalation", "--from", bob, "--db", db_url])
    assert result.exit_code == 0, result.output
    assert "no escalation path" in result.stdout


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["--from", "arn:aws:iam::111122223333:user/nobody"], "UNKNOWN_PRINCIPAL"),
        (["--from", ALICE, "--format", "svg"], "INVALID_FORMAT"),
        (["--from", ALICE, "--db", "sqlite:///x.db"], "CONFLICTING_OPTIONS"),
    ],
    ids=["unknown_principal", "bad_format", "db_and_world"],
)
def test_errors_exit_2_with_a_code(world_file: Path, args: list[str], code: str) -> None:
    """A bad question is a coded error on stderr and exit 2, never a traceback."""
    result = runner.invoke(app, ["escalation", "--world", str(world_file), *args])
    assert result.exit_code == 2
    assert code in result.stderr


def test_unreadable_world_file_is_a_coded_error(tmp_path: Path) -> None:
    """A missing world file is the world file error, exit 2."""
    result = runner.invoke(app, ["escalation", "--from", ALICE, "--world", str(tmp_path / "none.yaml")])
    assert result.exit_code == 2
    assert "FILE_NOT_FOUND" in result.stderr


def test_a_step_through_a_resource_names_it(tmp_path: Path) -> None:
    """A function that runs as an administrator role: one step, `update_function_code`, via the function.

    cloudsplaining's EditExistingLambdaFunctionWithRole (lambda:UpdateFunctionCode);
    https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html
    """
    function = "arn:aws:lambda:us-east-1:111122223333:function:nightly"
    path = tmp_path / "world.yaml"
    path.write_text(
        f"""
accounts:
  - id: "111122223333"
    users:
      - name: alice
        inline_policies:
          p: {{Version: "2012-10-17", Statement: [{{Effect: Allow, Action: lambda:UpdateFunctionCode, Resource: "*"}}]}}
    roles:
      - name: admin
        trust_policy:
          Version: "2012-10-17"
          Statement: [{{Effect: Allow, Principal: {{Service: lambda.amazonaws.com}}, Action: sts:AssumeRole}}]
        managed_policies: [arn:aws:iam::aws:policy/AdministratorAccess]
    resources: [{{arn: "{function}", runs_as: "{ADMIN}"}}]
""",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["escalation", "--from", ALICE, "--world", str(path)])
    assert result.exit_code == 0, result.output
    assert f"{ALICE} -update_function_code-> {ADMIN} via {function}" in result.stdout
    data = json.loads(runner.invoke(app, ["escalation", "--from", ALICE, "--world", str(path), "-f", "json"]).stdout)
    assert data["paths"][0]["edges"][0]["via"] == function
