"""`iamtwin grants …` on a world database, acting as the principal `--principal` names (an access key id here)."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from iamtwin.cli.app import app
from iamtwin.clock import SystemClock

from .conftest import FUNCTION, HERE, Estate

runner = CliRunner()


def _ask(command: str, principal: str, db: str, account: str = "444444444444") -> list[str]:
    return [
        "grants",
        command,
        "--principal",
        principal,
        "--resource",
        FUNCTION,
        "--service",
        "apigateway.amazonaws.com",
        "--action",
        "lambda:InvokeFunction",
        "--source-arn",
        f"arn:aws:execute-api:us-east-1:{account}:a1b2c3/*",
        "--source-account",
        account,
        "--db",
        db,
        "--format",
        "json",
    ]


def test_request_apply_list_revoke(estate: Estate, db_url: str) -> None:
    """`request` changes nothing, `apply` grants, `list` shows it, `revoke` restores the policy; refusals exit 2."""
    estate.world.clock = SystemClock()  # the command line reads the machine's clock: its sessions must be current
    result = runner.invoke(app, ["grants", "configure", str(HERE / "settings13.yaml"), "--db", db_url])
    assert result.exit_code == 0, result.output
    key = estate.session("444444444444", "cicd-deployer").key
    assert key is not None
    before = estate.policy_text()
    planned = runner.invoke(app, _ask("request", key.access_key_id, db_url))
    assert planned.exit_code == 0, planned.output
    assert json.loads(planned.output)["changed"] is True
    assert estate.policy_text() == before
    applied = runner.invoke(app, _ask("apply", key.access_key_id, db_url))
    assert applied.exit_code == 0, applied.output
    grant_id = json.loads(applied.output)["grant"]["id"]
    listed = runner.invoke(app, ["grants", "list", "--principal", key.access_key_id, "--db", db_url, "-f", "json"])
    assert [g["id"] for g in json.loads(listed.output)["grants"]] == [grant_id]
    revoked = runner.invoke(app, ["grants", "revoke", grant_id, "--principal", key.access_key_id, "--db", db_url])
    assert revoked.exit_code == 0, revoked.output
    assert "policy changed (exact)" in revoked.output
    assert estate.policy_text() == before
    developer = estate.session("444444444444", "developer").key
    assert developer is not None
    refused = runner.invoke(app, _ask("apply", developer.access_key_id, db_url))
    assert refused.exit_code == 2
    assert "GRANT_NOT_PERMITTED" in refused.output
