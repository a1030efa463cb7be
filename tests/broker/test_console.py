"""Scenario 05, point 3: a console sign-in URL for an approved request, through the twin's federation endpoint.

The broker starts a session as for CLI credentials (same checks, same session name and source
identity), exchanges it for a SigninToken with `getSigninToken` and builds the `Action=login` URL
(https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_enable-console-custom-url.html).
The broker's own credentials are a role session, so its sessions are role chaining: no
`SessionDuration` is sent (the federation endpoint refuses it then) and the console session ends
with the credentials, inside the approved window.
"""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from tests.api.conftest import RunningServer
from typer.testing import CliRunner

from iamtwin.broker.errors import BrokerError
from iamtwin.broker.requests import Ask
from iamtwin.broker.service import Broker
from iamtwin.cli.app import app
from iamtwin.clock import SystemClock

from .estate import EXAMPLE_RULES, broker_principal, build_estate

ALICE, BOB = "alice@example.com", "bob@example.com"
ASK = Ask("111122223333", "TempAccessRoleS3Admin", 7200, "INC-1042: restore bucket policy")


@pytest.fixture
def broker(server: RunningServer) -> Broker:
    """A broker holding its role's session against the running server, with scenario 05's rules."""
    key, secret = build_estate(server.world)
    made = Broker(server.world.engine, SystemClock(), broker_principal(server.url, key, secret))
    made.load_rules(EXAMPLE_RULES.read_text(encoding="utf-8"))
    return made


def test_an_approved_request_signs_in_to_the_twins_console(server: RunningServer, broker: Broker) -> None:
    """The URL is the twin's login with Issuer, Destination and SigninToken; opening it shows alice's session."""
    alice, bob = broker.person(ALICE), broker.person(BOB)
    request = broker.approve(broker.request(alice, ASK).id, bob)
    signin = broker.console_url(request.id, alice, issuer="https://broker.example.com")
    parts = urlsplit(signin.url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == f"{server.url}/federation"
    query = parse_qs(parts.query)
    assert query["Action"] == ["login"] and query["Issuer"] == ["https://broker.example.com"]
    assert query["Destination"] == ["https://console.aws.amazon.com/"] and query["SigninToken"][0]
    page = httpx.get(signin.url, timeout=10)
    assert page.status_code == 200
    assert f"arn:aws:sts::111122223333:assumed-role/TempAccessRoleS3Admin/{signin.session_name}" in page.text
    assert "<th>Source identity</th><td>alice@example.com</td>" in page.text
    window_end = request.window_end
    assert window_end is not None and signin.expiration <= window_end
    _, events = broker.history(request.id, alice)
    assert [e.kind for e in events][-1] == "session"


def test_no_console_for_someone_else_or_after_revocation(server: RunningServer, broker: Broker) -> None:
    """Only the requester, only while granted; an unreachable federation endpoint is a clear refusal."""
    alice, bob = broker.person(ALICE), broker.person(BOB)
    request = broker.approve(broker.request(alice, ASK).id, bob)
    with pytest.raises(BrokerError) as other:
        broker.console_url(request.id, bob)
    assert other.value.code == "NOT_THE_REQUESTER"
    with pytest.raises(BrokerError) as down:
        broker.console_url(request.id, alice, endpoint="http://127.0.0.1:9/federation")
    assert down.value.code == "CONSOLE_SIGNIN_REFUSED"
    broker.revoke(request.id, bob, "incident over")
    with pytest.raises(BrokerError) as revoked:
        broker.console_url(request.id, alice)
    assert revoked.value.code == "INVALID_TRANSITION"


def test_the_console_command_prints_the_url(server: RunningServer, broker: Broker, db_url: str) -> None:
    """`iamtwin broker console --request ID` prints a URL that signs in."""
    alice, bob = broker.person(ALICE), broker.person(BOB)
    request = broker.approve(broker.request(alice, ASK).id, bob)
    principal = broker.principal
    assert principal is not None
    env = {
        "IAMTWIN_DB": db_url,
        "IAMTWIN_BROKER_ENDPOINT": server.url,
        "IAMTWIN_BROKER_ACCESS_KEY_ID": principal.access_key_id,
        "IAMTWIN_BROKER_SECRET_ACCESS_KEY": principal.secret_access_key,
        "IAMTWIN_BROKER_SESSION_TOKEN": principal.session_token or "",
    }
    command = ["broker", "console", "--as", ALICE, "--request", request.id, "-f", "json"]
    result = CliRunner().invoke(app, command, env=env)
    assert result.exit_code == 0, result.output
    printed = json.loads(result.output)
    assert printed["sessionName"] == f"alice@example.com+{request.id}"
    assert httpx.get(printed["url"], timeout=10).status_code == 200
