"""The three check commands: exit codes (0 PASS, 2 FAIL, 3 UNKNOWN, 1 bad input), JSON shape, coded errors.

The JSON follows Access Analyzer's responses (`result`, `message`, `reasons` with `statementIndex`
and `statementId`): https://docs.aws.amazon.com/access-analyzer/latest/APIReference/API_CheckNoNewAccess.html
"""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from iamtwin.cli.app import app

ALLOW_GET = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}
ALLOW_S3 = {
    "Version": "2012-10-17",
    "Statement": [{"Sid": "AllS3", "Effect": "Allow", "Action": "s3:*", "Resource": "*"}],
}
PUBLIC = {
    "Version": "2012-10-17",
    "Statement": [{"Sid": "Anyone", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}],
}


def _write(tmp_path: Path, name: str, policy: object) -> str:
    path = tmp_path / name
    path.write_text(json.dumps(policy), encoding="utf-8")
    return str(path)


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_no_new_access_pass_and_fail(tmp_path: Path) -> None:
    """Narrowing exits 0; widening exits 2 with the statement and a witness in the JSON."""
    small, big = _write(tmp_path, "small.json", ALLOW_GET), _write(tmp_path, "big.json", ALLOW_S3)
    code, out, _ = _run("check-no-new-access", "--existing", big, "--new", small)
    assert code == 0 and "PASS" in out
    code, out, _ = _run("check-no-new-access", "--existing", small, "--new", big, "--format", "json")
    assert code == 2
    data = json.loads(out)
    assert data["check"] == "CheckNoNewAccess" and data["result"] == "FAIL"
    (reason,) = data["reasons"]
    assert reason["statementIndex"] == 0 and reason["statementId"] == "AllS3"
    assert reason["witness"]["action"].lower().startswith("s3:")
    assert reason["witness"]["action"].lower() != "s3:getobject"
    assert set(reason["witness"]) == {"action", "resource", "context"}


def test_access_not_granted(tmp_path: Path) -> None:
    """A forbidden action the policy allows exits 2; one it does not exits 0."""
    policy = _write(tmp_path, "p.json", ALLOW_S3)
    code, out, _ = _run("check-access-not-granted", policy, "--actions", "iam:PassRole,s3:PutObject", "-f", "json")
    assert code == 2 and json.loads(out)["reasons"][0]["witness"]["action"] == "s3:PutObject"
    code, out, _ = _run("check-access-not-granted", policy, "--actions", "iam:PassRole", "--resources", "*")
    assert code == 0 and "CheckAccessNotGranted: PASS" in out


def test_no_public_access(tmp_path: Path) -> None:
    """A policy open to `*` exits 2 with an anonymous witness principal; a bucket policy for one account exits 0."""
    code, out, _ = _run(
        "check-no-public-access",
        _write(tmp_path, "pub.json", PUBLIC),
        "--resource-type",
        "AWS::S3::Bucket",
        "--format",
        "json",
    )
    assert code == 2
    witness = json.loads(out)["reasons"][0]["witness"]
    assert witness["principal"]["type"] in ("anonymous", "AWS")
    private = {**PUBLIC, "Statement": [{**PUBLIC["Statement"][0], "Principal": {"AWS": "111122223333"}}]}  # type: ignore[dict-item]
    code, out, _ = _run(
        "check-no-public-access", _write(tmp_path, "priv.json", private), "--resource-type", "AWS::S3::Bucket"
    )
    assert code == 0 and "PASS" in out


def test_bad_inputs_are_coded_errors(tmp_path: Path) -> None:
    """An unreadable file, invalid JSON, a policy error, a bad flag value: exit 1, a code, no traceback."""
    good = _write(tmp_path, "good.json", ALLOW_GET)
    broken = tmp_path / "broken.json"
    broken.write_text('{"Version": "2012-10-17", "Statement": [', encoding="utf-8")
    no_effect = _write(tmp_path, "noeffect.json", {"Statement": [{"Action": "s3:*", "Resource": "*"}]})
    cases = [
        (("check-no-new-access", "--existing", str(tmp_path / "missing.json"), "--new", good), "FILE_NOT_READABLE"),
        (("check-access-not-granted", str(broken), "--actions", "s3:GetObject"), "JSON_SYNTAX_ERROR"),
        (("check-access-not-granted", no_effect, "--actions", "s3:GetObject"), "MISSING_EFFECT"),
        (("check-access-not-granted", good), "MISSING_ACCESS"),
        (("check-access-not-granted", good, "--actions", "GetObject"), "INVALID_ACTION"),
        (("check-no-public-access", good, "--resource-type", "AWS::EC2::Instance"), "INVALID_RESOURCE_TYPE"),
        (("check-no-new-access", "--existing", good, "--new", good, "--policy-type", "bucket"), "INVALID_POLICY_TYPE"),
        (("check-no-new-access", "--existing", good, "--new", good, "--format", "xml"), "INVALID_FORMAT"),
        (("check-no-new-access", "--existing", good, "--new", good, "--timeout", "0"), "INVALID_TIMEOUT"),
    ]
    for args, code_name in cases:
        result = CliRunner().invoke(app, list(args))
        assert result.exit_code == 1, (args, result.stdout, result.stderr)
        assert code_name in result.stderr, (args, result.stderr)
        assert "Traceback" not in result.stderr + result.stdout
        assert result.exception is None or isinstance(result.exception, SystemExit)


def test_policy_from_stdin(tmp_path: Path) -> None:
    """`-` reads the policy from standard input."""
    result = CliRunner().invoke(
        app, ["check-access-not-granted", "-", "--actions", "s3:DeleteBucket"], input=json.dumps(ALLOW_GET)
    )
    assert result.exit_code == 0, result.stdout
