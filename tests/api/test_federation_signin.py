"""The twin's federation endpoint: getSigninToken, then login, over real HTTP with boto3-issued credentials.

Follows https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_enable-console-custom-url.html:
`Session` is the JSON of sessionId, sessionKey and sessionToken; `SessionDuration` is 900 to 43200
seconds and fails for role-chained credentials; the SigninToken lasts 15 minutes; `Action=login`
takes Issuer, Destination and SigninToken. GetSessionToken credentials cannot sign in to the console
(https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_sts-comparison.html). Sign-ins are
recorded as CloudTrail records them, `signin.amazonaws.com` ConsoleLogin
(https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-aws-console-sign-in-events.html).
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import httpx
import pytest
from tests.api.conftest import RunningServer
from tests.broker.estate import BROKER_ROLE, TARGET, build_estate

from iamtwin.audit.store import AuditStore
from iamtwin.clock import FixedClock

INCIDENT_ISSUER = "https://broker.example.com/<script>alert(1)</script>"


def _session(creds: dict[str, Any]) -> str:
    keys = {"sessionId": "AccessKeyId", "sessionKey": "SecretAccessKey", "sessionToken": "SessionToken"}
    return json.dumps({name: creds[key] for name, key in keys.items()})


def _token(server: RunningServer, session: str, duration: int | None = None) -> httpx.Response:
    params = {"Action": "getSigninToken", "Session": session}
    if duration is not None:
        params["SessionDuration"] = str(duration)
    return httpx.get(f"{server.url}/federation", params=params, timeout=10)


def _login(server: RunningServer, token: str, issuer: str = INCIDENT_ISSUER) -> httpx.Response:
    destination = "https://console.aws.amazon.com/"
    params = {"Action": "login", "Issuer": issuer, "Destination": destination, "SigninToken": token}
    return httpx.get(f"{server.url}/federation", params=params, timeout=10)


def _code(answer: httpx.Response) -> str:
    assert answer.status_code == 400, answer.text
    return str(answer.json()["Error"]["Code"])


@pytest.fixture
def sessions(server: RunningServer) -> dict[str, dict[str, Any]]:
    """The broker host's keys; a session of the broker role (from the user); a chained session of the target role."""
    key, secret = build_estate(server.world)
    host = server.client("sts", key, secret)
    broker = host.assume_role(RoleArn=BROKER_ROLE, RoleSessionName="broker", DurationSeconds=3600)["Credentials"]
    sts = server.client("sts", broker["AccessKeyId"], broker["SecretAccessKey"], broker["SessionToken"])
    target = sts.assume_role(
        RoleArn=TARGET,
        RoleSessionName="alice@example.com+r-1",
        SourceIdentity="alice@example.com",
        DurationSeconds=1800,
    )["Credentials"]
    return {"host": {"AccessKeyId": key, "SecretAccessKey": secret}, "broker": broker, "target": target, "sts": host}


def test_credentials_sign_in_and_the_page_shows_the_session(server: RunningServer, sessions: dict[str, Any]) -> None:
    """getSigninToken answers a SigninToken; login shows account, role, session name and source identity, escaped."""
    answer = _token(server, _session(sessions["target"]))
    assert answer.status_code == 200 and answer.headers["cache-control"] == "no-store"
    page = _login(server, answer.json()["SigninToken"])
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    text = page.text
    for shown in ("111122223333", "TempAccessRoleS3Admin", "alice@example.com+r-1", "alice@example.com"):
        assert shown in text
    assert "arn:aws:sts::111122223333:assumed-role/TempAccessRoleS3Admin/alice@example.com+r-1" in text
    assert "<script>" not in text and "&lt;script&gt;" in text
    assert "default-src 'none'" in page.headers["content-security-policy"]
    records = [json.loads(e.record) for e in AuditStore(server.world.engine).events()]
    login = next(r for r in records if r["eventName"] == "ConsoleLogin")
    assert login["eventSource"] == "signin.amazonaws.com" and login["eventType"] == "AwsConsoleSignIn"
    assert login["userIdentity"]["type"] == "AssumedRole"
    assert login["userIdentity"]["sessionContext"]["sourceIdentity"] == "alice@example.com"
    assert login["responseElements"] == {"ConsoleLogin": "Success"}


def test_session_duration_sets_the_console_session_and_is_refused_for_role_chaining(
    server: RunningServer, sessions: dict[str, Any]
) -> None:
    """A role session of a user may ask 900-43200 seconds; a chained one may not ask at all."""
    now = server.world.clock.now()
    token = _token(server, _session(sessions["broker"]), 7200).json()["SigninToken"]
    page = _login(server, token).text
    ends = (now + timedelta(seconds=7200)).strftime("%Y-%m-%dT%H:")
    assert f"<th>Console session ends</th><td>{ends}" in page
    assert _code(_token(server, _session(sessions["broker"]), 899)) == "InvalidSessionDuration"
    assert _code(_token(server, _session(sessions["broker"]), 43201)) == "InvalidSessionDuration"
    assert _code(_token(server, _session(sessions["target"]), 3600)) == "InvalidSessionDuration"


def test_refused_credentials(server: RunningServer, sessions: dict[str, Any]) -> None:
    """Not JSON, a wrong secret or token, long-term keys, GetSessionToken credentials: each a clear refusal."""
    target = sessions["target"]
    assert _code(_token(server, "not json")) == "MalformedSession"
    assert _code(_token(server, json.dumps({"sessionId": target["AccessKeyId"]}))) == "MalformedSession"
    assert _code(_token(server, _session({**target, "SecretAccessKey": "x" * 40}))) == "InvalidClientTokenId"
    assert _code(_token(server, _session({**target, "SessionToken": "forged"}))) == "InvalidClientTokenId"
    assert _code(_token(server, _session({**target, "AccessKeyId": "ASIAUNKNOWN000000000"}))) == "InvalidClientTokenId"
    host = sessions["host"]
    assert _code(_token(server, _session({**host, "SessionToken": "none"}))) == "InvalidSession"
    user_session = sessions["sts"].get_session_token(DurationSeconds=900)["Credentials"]
    assert _code(_token(server, _session(user_session))) == "InvalidSession"
    refused = httpx.get(f"{server.url}/federation", params={"Action": "logout"}, timeout=10)
    assert _code(refused) == "InvalidAction"


def test_expired_credentials_and_old_or_altered_tokens_are_refused(
    server: RunningServer, sessions: dict[str, Any]
) -> None:
    """Credentials past their expiry, a token older than 15 minutes, a token altered by one character."""
    session = _session(sessions["target"])
    token = _token(server, session).json()["SigninToken"]
    tampered = token[:-6] + ("A" if token[-6] != "A" else "B") + token[-5:]
    assert _code(_login(server, tampered)) == "InvalidSigninToken"
    assert _code(_login(server, "garbage")) == "InvalidSigninToken"
    now = server.world.clock.now()
    server.world.clock = FixedClock(now + timedelta(minutes=15, seconds=2))
    assert _code(_login(server, token)) == "ExpiredSigninToken"
    server.world.clock = FixedClock(now + timedelta(minutes=31))
    assert _code(_token(server, session)) == "ExpiredToken"
    records = [json.loads(e.record) for e in AuditStore(server.world.engine).events()]
    failures = [r["errorCode"] for r in records if r["eventSource"] == "signin.amazonaws.com" and r.get("errorCode")]
    assert failures == ["InvalidSigninToken", "InvalidSigninToken", "ExpiredSigninToken", "ExpiredToken"]
