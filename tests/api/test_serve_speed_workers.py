"""`iamtwin serve` as the benchmark runs it: a child process, several workers on PostgreSQL, one on SQLite.

The workers build the served app with `factory.app()` (the direct decision path in front of
`create_app`). A policy changed by another process reaches the decision API within
`World.refresh_seconds`, as IAM's changes become visible after a short delay
(https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_general.html#troubleshoot_general_eventual-consistency).
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.sts.federation_fixtures import make_identity, running_issuer, sign_token

from iamtwin.audit.chain import verify
from iamtwin.audit.store import AuditStore
from iamtwin.world.stored import World

ACCOUNT = "123456789012"
VET = f"arn:aws:iam::{ACCOUNT}:policy/pet-veterinarian"
CALL = {"method": "GET", "path": "/petstore/v1/pets", "stage": "prod", "api_id": "a1b2c3"}


def _policy(effect: str) -> dict[str, Any]:
    statement = {"Effect": effect, "Action": "execute-api:Invoke", "Resource": "arn:aws:execute-api:*:*:*/*/*/*"}
    return {"Version": "2012-10-17", "Statement": [statement]}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def served(world: World, db_url: str, tmp_path: Path) -> Iterator[dict[str, Any]]:
    """`iamtwin serve` in a child process (2 workers on PostgreSQL, 1 on SQLite) with an authorizer."""
    with world.changes() as iam:
        iam.create_account(ACCOUNT)
        iam.create_policy(ACCOUNT, "pet-veterinarian", _policy("Allow"))
    signer = make_identity()
    with running_issuer({"keys": [signer.public_jwk("k1")]}) as issuer:
        config = tmp_path / "authorizer.json"
        groups = {"pet-veterinarian": [VET]}
        config.write_text(
            json.dumps({"issuer": issuer.issuer, "audiences": ["app"], "account": ACCOUNT, "groups": groups})
        )
        workers = "2" if db_url.startswith("postgresql") else "1"
        port = _free_port()
        command = [sys.executable, "-m", "iamtwin", "serve", "--db", db_url, "--port", str(port)]
        log = (tmp_path / "serve.log").open("wb")  # a file, not a pipe: the access log must never block the server
        server = subprocess.Popen(
            # A retention far longer than the test's events: the keeper runs and removes nothing.
            [*command, "--workers", workers, "--authorizer", str(config), "--audit-retention-days", "3650"],
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if httpx.get(url + "/health", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("iamtwin serve did not start: " + (tmp_path / "serve.log").read_text())
                time.sleep(0.1)
            claims = {"iss": issuer.issuer, "aud": "app", "sub": "u", "cognito:groups": ["pet-veterinarian"]}
            token = sign_token(signer, {**claims, "exp": int(time.time()) + 600})
            yield {"url": url, "token": token, "world": world, "log": tmp_path / "serve.log", "process": server}
        finally:
            if server.poll() is None:
                server.terminate()
            server.wait(timeout=30)
            log.close()


def _allowed(served: dict[str, Any]) -> bool:
    headers = {"Authorization": f"Bearer {served['token']}"}
    answer = httpx.post(served["url"] + "/v1/authorize", json=CALL, headers=headers, timeout=10)
    assert answer.status_code == 200
    return bool(answer.json()["allowed"])


def test_every_worker_decides_and_sees_another_process_change_the_policy(served: dict[str, Any]) -> None:
    """Allowed at first; after the policy's default version becomes a Deny, every worker denies within seconds."""
    assert all(_allowed(served) for _ in range(8))  # with 2 workers, both answer some of these
    with served["world"].changes() as iam:
        iam.create_policy_version(VET, _policy("Deny"), set_as_default=True)
    deadline = time.monotonic() + 15
    while any(_allowed(served) for _ in range(8)):
        assert time.monotonic() < deadline, "a worker still decides with the old policy"
        time.sleep(0.2)


def _decide(served: dict[str, Any], call: dict[str, Any]) -> bool:
    headers = {"Authorization": f"Bearer {served['token']}"}
    answer = httpx.post(served["url"] + "/v1/authorize", json=call, headers=headers, timeout=10)
    assert answer.status_code == 200
    return bool(answer.json()["allowed"])


def test_workers_log_each_request_as_json_and_record_each_decision(served: dict[str, Any]) -> None:
    """Worker processes write the JSON access log and put every decision in the audit trail (allows sampled at 1)."""
    assert _decide(served, CALL)
    assert not _decide(served, {"action": "s3:GetObject", "resource": "arn:aws:s3:::b/k"})
    store = AuditStore(served["world"].engine)
    deadline = time.monotonic() + 15  # the workers' recorders write every 100 ms
    while True:
        events = [json.loads(e.record) for e in store.events()]
        decisions = [e for e in events if e["eventName"] == "Authorize"]
        if len(decisions) >= 2 or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert sorted((e["requestParameters"]["action"], e.get("errorCode")) for e in decisions) == [
        ("execute-api:Invoke", None),
        ("s3:GetObject", "AccessDenied"),
    ]
    assert {e["userIdentity"]["type"] for e in decisions} == {"WebIdentityUser"}
    lines = [line for line in served["log"].read_text().splitlines() if line.startswith("{")]
    access = [json.loads(line) for line in lines]
    assert [(a["operation"], a["status"]) for a in access if a["path"] == "/v1/authorize"] == [
        ("Authorize", 200),
        ("Authorize", 200),
    ]


def test_a_stopped_server_leaves_every_decision_in_an_intact_trail(served: dict[str, Any]) -> None:
    """Stopping the server writes every recorded decision (workers hand theirs to the writer) and the chain verifies."""
    for _ in range(30):
        assert _decide(served, CALL)
    served["process"].terminate()
    served["process"].wait(timeout=30)  # uvicorn shuts down gracefully, then re-raises SIGTERM
    store = AuditStore(served["world"].engine)
    decisions = [e for e in store.events() if json.loads(e.record)["eventName"] == "Authorize"]
    assert len(decisions) == 30
    assert verify(store).ok
