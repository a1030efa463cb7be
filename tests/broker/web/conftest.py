"""A real OIDC provider (node `oidc-provider`), `iamtwin serve` as STS/IAM, and the broker's web app, on 127.0.0.1.

The provider runs from tests/broker/web/oidc_provider; its packages are installed there with
`npm ci` when node_modules is missing (the registry is the only network it needs). Tests are
skipped, saying why, only when node itself is absent.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import uvicorn
import yaml
from tests.api.conftest import RunningServer, server
from tests.broker.estate import EXAMPLE_RULES, broker_principal, build_estate

from iamtwin.broker.service import Broker
from iamtwin.broker.web.app import broker_web_app
from iamtwin.broker.web.background import BackgroundWork
from iamtwin.broker.web.config import OidcConfig, WebConfig

__all__ = ["server"]

PROVIDER_DIR = Path(__file__).parent / "oidc_provider"
CLIENT_ID = "iamtwin-broker"
CLIENT_SECRET = "broker-test-secret"


class ShiftedClock:
    """The machine's clock moved by a settable offset: the web app's and broker's clock in these tests."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def now(self) -> datetime:
        """The current UTC time plus the offset."""
        return datetime.now(UTC) + self.offset

    def advance(self, by: timedelta) -> None:
        """Move the clock forward."""
        self.offset += by


@dataclass
class Provider:
    """A running OIDC provider."""

    issuer: str

    def config(self) -> OidcConfig:
        """The broker's client registration at this provider."""
        return OidcConfig(self.issuer, CLIENT_ID, CLIENT_SECRET)


@dataclass
class WebBroker:
    """The web app's URL, its broker and clock, the STS/IAM server behind it, and its background work."""

    url: str
    broker: Broker
    clock: ShiftedClock
    server: RunningServer
    provider: Provider
    clients: list[httpx.Client]
    work: BackgroundWork

    def client(self, **options: Any) -> httpx.Client:
        """An HTTP client of the web app, closed when the test ends."""
        made = httpx.Client(base_url=self.url, timeout=20, **options)
        self.clients.append(made)
        return made


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _install_provider() -> None:
    if (PROVIDER_DIR / "node_modules" / "oidc-provider").is_dir():
        return
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip("npm is not installed, so the OIDC provider's packages cannot be installed")
    command = [npm, "ci" if (PROVIDER_DIR / "package-lock.json").exists() else "install", "--no-audit", "--no-fund"]
    subprocess.run(command, cwd=PROVIDER_DIR, check=True, capture_output=True, timeout=300)


@pytest.fixture(scope="session")
def oidc_provider() -> Iterator[Provider]:
    """`node provider.mjs` on a free port, until the session ends."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: the tests need a real OpenID Connect provider (oidc-provider)")
    _install_provider()
    port = free_port()
    env = {
        **os.environ,
        "PORT": str(port),
        "CLIENT_ID": CLIENT_ID,
        "CLIENT_SECRET": CLIENT_SECRET,
        "REDIRECT_URI": "http://127.0.0.1/auth/callback",
        "NODE_NO_WARNINGS": "1",
    }
    process = subprocess.Popen(
        [node, "provider.mjs"], cwd=PROVIDER_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    assert process.stdout is not None
    lines: list[str] = []
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        lines.append(line)
        if line.startswith("listening "):
            break
    else:
        process.kill()
        raise RuntimeError("the OIDC provider did not start: " + "".join(lines))
    if not lines or not lines[-1].startswith("listening "):
        process.kill()
        raise RuntimeError("the OIDC provider did not start: " + "".join(lines))
    # Keep reading its output so it never blocks on a full pipe.
    drain = threading.Thread(target=process.stdout.read, daemon=True)
    drain.start()
    try:
        yield Provider(f"http://127.0.0.1:{port}")
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        drain.join(timeout=5)
        process.stdout.close()


def serve_on(app: Any, port: int) -> tuple[uvicorn.Server, threading.Thread]:
    """Run an ASGI app under uvicorn in a thread on a port, its lifespan started, once it accepts connections."""
    instance = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=instance.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not instance.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the web app did not start")
        time.sleep(0.02)
    return instance, thread


@pytest.fixture
def web(request: pytest.FixtureRequest, server: RunningServer, oidc_provider: Provider) -> Iterator[WebBroker]:
    """Scenario 05's estate and rules, a broker holding its role's session, and its web app on a free port.

    Parametrize indirectly with `{"session_seconds": n}` to change how long web sessions last, or
    `{"sweep_seconds": s}` to sweep every s seconds: by default the app never sweeps on its own,
    so the tests that move the clock see only what their own calls settle.
    """
    options = {"sweep_seconds": 0, **getattr(request, "param", {})}
    key, secret = build_estate(server.world)
    clock = ShiftedClock()
    broker = Broker(server.world.engine, clock, broker_principal(server.url, key, secret))
    broker.load_rules(EXAMPLE_RULES.read_text(encoding="utf-8"))
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    app = broker_web_app(broker, oidc_provider.config(), clock, WebConfig(url, secure_cookies=False, **options))
    instance, thread = serve_on(app, port)
    try:
        running = WebBroker(url, broker, clock, server, oidc_provider, [], app.state.web.background)
        yield running
    finally:
        for client in running.clients:
            client.close()
        instance.should_exit = True
        thread.join(timeout=10)


def allow_break_glass(web: WebBroker) -> None:
    """Scenario 05's rules with break-glass allowed on the account's approval rule."""
    rules = yaml.safe_load(EXAMPLE_RULES.read_text(encoding="utf-8"))
    rules["approval_rules"]["account-111122223333-reviewers"]["break_glass"] = True
    web.broker.load_rules(yaml.safe_dump(rules))


_FORM_ACTION = re.compile(r'<form method="post" action="(/interaction/[\w-]+/login)"')


def sign_in(web: WebBroker, who: str) -> httpx.Client:
    """An HTTP client signed in to the web app as `who` (alice, bob, …) through the provider's login form."""
    client = web.client(follow_redirects=True)
    form_page = client.get("/login")
    action = _FORM_ACTION.search(form_page.text)
    assert action is not None, form_page.text
    provider = f"{urlsplit(str(form_page.url)).scheme}://{urlsplit(str(form_page.url)).netloc}"
    done = client.post(provider + action.group(1), data={"email": f"{who}@example.com", "password": f"{who}-password"})
    assert done.status_code == 200 and str(done.url).startswith(web.url), (done.status_code, done.url, done.text)
    return client


def csrf_of(client: httpx.Client) -> str:
    """The session's CSRF token (as the API's /me gives it to the signed-in browser)."""
    token = client.get("/api/v1/me").json()["csrfToken"]
    assert isinstance(token, str)
    return token


def id_token(web: WebBroker, who: str) -> str:
    """An ID token for `who` from the provider, obtained by a full code + PKCE flow outside the web app."""
    import base64
    import hashlib
    import secrets

    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    redirect = "http://127.0.0.1:1/auth/callback"
    with httpx.Client(timeout=20) as client:
        page = client.get(
            web.provider.issuer + "/auth",
            params={
                "client_id": CLIENT_ID,
                "response_type": "code",
                "scope": "openid email groups department",
                "redirect_uri": redirect,
                "state": "s",
                "nonce": "n",
                "code_challenge": challenge,
                "code_challenge_method": "S256",
            },
            follow_redirects=True,
        )
        action = _FORM_ACTION.search(page.text)
        assert action is not None, page.text
        answer = client.post(
            web.provider.issuer + action.group(1), data={"email": f"{who}@example.com", "password": f"{who}-password"}
        )
        while answer.is_redirect and not answer.headers["location"].startswith(redirect):
            answer = client.get(httpx.URL(str(answer.url)).join(answer.headers["location"]))
        code = parse_qs(urlsplit(answer.headers["location"]).query)["code"][0]
        token = client.post(
            web.provider.issuer + "/token",
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": redirect,
                "code_verifier": verifier,
            },
            auth=(CLIENT_ID, CLIENT_SECRET),
        ).json()
    value = token["id_token"]
    assert isinstance(value, str)
    return value
