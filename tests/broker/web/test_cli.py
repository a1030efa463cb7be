"""`iamtwin broker web` as a process: it loads the rules, discovers the provider, serves pages and the API."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import httpx
from typer.testing import CliRunner

from iamtwin.cli.app import app

from ..estate import EXAMPLE_RULES
from .conftest import CLIENT_ID, CLIENT_SECRET, Provider, free_port


def test_the_command_serves_sign_in_and_the_api(tmp_path: Path, oidc_provider: Provider) -> None:
    """With rules loaded at start, /login goes to the provider with PKCE and the OpenAPI document is served."""
    port = free_port()
    command = [
        sys.executable,
        "-c",
        "from iamtwin.cli.app import main; main()",
        "broker",
        "web",
        "--db",
        f"sqlite:///{tmp_path / 'broker.db'}",
        "--rules",
        str(EXAMPLE_RULES),
        "--oidc-issuer",
        oidc_provider.issuer,
        "--client-id",
        CLIENT_ID,
        "--port",
        str(port),
        "--insecure-cookies",
    ]
    env = {"IAMTWIN_BROKER_CLIENT_SECRET": CLIENT_SECRET, "PATH": "/usr/bin:/bin"}
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                answer = httpx.get(url + "/api/v1/openapi.json", timeout=2)
                break
            except httpx.TransportError:
                assert process.poll() is None and time.monotonic() < deadline, "the web app did not start"
                time.sleep(0.1)
        assert answer.json()["openapi"] == "3.1.0"
        login = httpx.get(url + "/login", timeout=10)
        assert login.status_code == 303
        location = login.headers["location"]
        assert location.startswith(oidc_provider.issuer + "/auth?") and "code_challenge_method=S256" in location
        assert f"redirect_uri=http%3A%2F%2F127.0.0.1%3A{port}%2Fauth%2Fcallback" in location
        assert httpx.get(url + "/api/v1/me", timeout=10).status_code == 401
    finally:
        process.terminate()
        process.communicate(timeout=20)


def test_an_unreadable_rules_file_is_a_clear_error(tmp_path: Path) -> None:
    """Exit 2 with the error code, no traceback."""
    result = CliRunner().invoke(
        app,
        [
            "broker",
            "web",
            "--db",
            f"sqlite:///{tmp_path / 'b.db'}",
            "--rules",
            str(tmp_path / "missing.yaml"),
            "--oidc-issuer",
            "http://127.0.0.1:1",
            "--client-id",
            "x",
            "--client-secret",
            "y",
        ],
    )
    assert result.exit_code == 2
    assert "FILE_NOT_READABLE" in result.output or "cannot read" in result.output
    assert "Traceback" not in result.output


def test_a_negative_sweep_interval_is_refused(tmp_path: Path) -> None:
    """`--sweep-interval` is seconds, 0 for never: a negative one is a usage error, not a traceback."""
    result = CliRunner().invoke(
        app,
        [
            "broker",
            "web",
            "--db",
            f"sqlite:///{tmp_path / 'b.db'}",
            "--oidc-issuer",
            "http://127.0.0.1:1",
            "--client-id",
            "x",
            "--client-secret",
            "y",
            "--sweep-interval",
            "-1",
        ],
    )
    assert result.exit_code == 2
    assert "--sweep-interval" in result.output and "Traceback" not in result.output
