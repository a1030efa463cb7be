"""`iamtwin broker …` as an operator runs it, against the real server: scenario 05 from rules to revocation.

Credentials print in three forms AWS tools read: `export` lines
(https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-envvars.html), a credentials-file
profile (https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-files.html) and
`credential_process` JSON version 1 (https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-sourcing-external.html),
which botocore itself runs and reads here.
"""

from __future__ import annotations

import configparser
import json
import shlex
import sys
from pathlib import Path

import boto3
import pytest
from botocore.exceptions import ClientError
from tests.api.conftest import RunningServer
from typer.testing import CliRunner

from iamtwin.cli.app import app

from .estate import EXAMPLE_RULES, broker_principal, build_estate

runner = CliRunner()
ROLE = ["--account", "111122223333", "--role", "TempAccessRoleS3Admin"]
WHY = ["--justification", "INC-1042: restore bucket policy"]


def _run(env: dict[str, str], *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["broker", *args], env=env)
    return result.exit_code, result.output


def test_scenario_05_through_the_command_line(server: RunningServer, db_url: str, tmp_path: Path) -> None:
    """Rules, refusals by code, approval, credentials in each format, revocation, history."""
    key, secret = build_estate(server.world)
    principal = broker_principal(server.url, key, secret)
    env = {
        "IAMTWIN_DB": db_url,
        "IAMTWIN_BROKER_ENDPOINT": server.url,
        "IAMTWIN_BROKER_ACCESS_KEY_ID": principal.access_key_id,
        "IAMTWIN_BROKER_SECRET_ACCESS_KEY": principal.secret_access_key,
        "IAMTWIN_BROKER_SESSION_TOKEN": principal.session_token or "",
    }
    assert _run(env, "rules", "load", str(EXAMPLE_RULES))[0] == 0

    for who, extra, code in (
        ("mallory@example.com", ["--duration", "2h", *WHY], "NOT_ELIGIBLE"),
        ("alice@example.com", ["--duration", "5h", *WHY], "DURATION_OVER_MAXIMUM"),
        ("alice@example.com", ["--duration", "2h", "--justification", ""], "EMPTY_JUSTIFICATION"),
        ("nobody@example.com", ["--duration", "2h", *WHY], "UNKNOWN_PERSON"),
    ):
        status, out = _run(env, "request", "--as", who, *ROLE, *extra)
        assert (status, code in out) == (2, True), out

    status, out = _run(env, "request", "--as", "alice@example.com", *ROLE, "--duration", "2h", *WHY, "-f", "json")
    assert status == 0, out
    request_id = json.loads(out)["id"]
    status, out = _run(env, "approve", request_id, "--as", "alice@example.com")
    assert status == 2 and "SELF_APPROVAL_FORBIDDEN" in out
    status, out = _run(env, "approve", request_id, "--as", "bob@example.com", "-f", "json")
    assert status == 0 and json.loads(out)["state"] == "approved", out
    assert json.loads(_run(env, "list", "--as", "mallory@example.com", "-f", "json")[1]) == []

    status, out = _run(env, "credentials", request_id, "--as", "alice@example.com", "--format", "process")
    assert status == 0, out
    process = json.loads(out)
    assert process["Version"] == 1 and process["AccessKeyId"].startswith("ASIA")
    saved = tmp_path / "creds.json"
    saved.write_text(out, encoding="utf-8")
    config = tmp_path / "config"
    command = f'{shlex.quote(sys.executable)} -c "import sys; sys.stdout.write(open(sys.argv[1]).read())" {saved}'
    config.write_text(f"[profile elevated]\ncredential_process = {command}\n", encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AWS_CONFIG_FILE", str(config))
        patch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
        session = boto3.Session(profile_name="elevated", region_name="us-east-1")
        arn = session.client("sts", endpoint_url=server.url).get_caller_identity()["Arn"]
    assert arn == f"arn:aws:sts::111122223333:assumed-role/TempAccessRoleS3Admin/alice@example.com+{request_id}"

    status, out = _run(env, "credentials", request_id, "--as", "alice@example.com", "--format", "env")
    exports = dict(shlex.split(line)[1].split("=", 1) for line in out.splitlines())
    assert set(exports) == {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"}
    status, out = _run(env, "credentials", request_id, "--as", "alice@example.com", "--format", "profile")
    parsed = configparser.ConfigParser()
    parsed.read_string(out)
    profile = parsed["elevated"]
    iam = server.client(
        "iam", profile["aws_access_key_id"], profile["aws_secret_access_key"], profile["aws_session_token"]
    )
    assert iam.get_role(RoleName="TempAccessRoleS3Admin")["Role"]["RoleName"] == "TempAccessRoleS3Admin"

    status, out = _run(env, "credentials", request_id, "--as", "bob@example.com")
    assert status == 2 and "NOT_THE_REQUESTER" in out
    status, out = _run(env, "revoke", request_id, "--as", "mallory@example.com")
    assert status == 2 and "UNKNOWN_REQUEST" in out  # mallory cannot even tell the request exists
    status, out = _run(env, "revoke", request_id, "--as", "carol@example.com")
    assert status == 2 and "NOT_ALLOWED_TO_REVOKE" in out  # the auditor sees it, but only reads
    status, out = _run(env, "revoke", request_id, "--as", "bob@example.com", "--reason", "done")
    assert status == 0, out
    with pytest.raises(ClientError) as denied:
        iam.get_role(RoleName="TempAccessRoleS3Admin")
    assert denied.value.response["Error"]["Code"] == "AccessDenied"

    status, out = _run(env, "show", request_id, "--as", "carol@example.com", "-f", "json")
    history = json.loads(out)
    assert [e["kind"] for e in history["events"]] == [
        "created",
        "approval",
        "approved",
        "session",
        "session",
        "session",
        "revoked",
    ]
    assert len(history["sessions"]) == 3 and history["state"] == "revoked"
    status, out = _run(env, "show", request_id, "--as", "mallory@example.com")
    assert status == 2 and "UNKNOWN_REQUEST" in out
