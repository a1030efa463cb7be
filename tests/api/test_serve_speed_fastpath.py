"""The decision API's direct ASGI path answers exactly as the Starlette routes do, and logs each request.

`iamtwin serve` puts `FastDecisions` in front of `create_app`; both call `DecisionEndpoint.answer`.
Every case here is sent to a server of each kind, and the two answers must be the same status, type
and bytes, with the error code the case names. The `execute-api:Invoke` ARN format follows
https://docs.aws.amazon.com/apigateway/latest/developerguide/arn-format-reference.html.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from tests.sts.federation_fixtures import make_identity, running_issuer, sign_token

from iamtwin.api.app import create_app
from iamtwin.api.authorizer import Authorizer, AuthorizerConfig
from iamtwin.api.bootstrap import bootstrap_credentials
from iamtwin.api.decision_api import MAX_BATCH, MAX_BODY
from iamtwin.api.factory import serving_app
from iamtwin.clock import SystemClock
from iamtwin.sts.oidc_discovery import HttpJwksSource
from iamtwin.world.stored import World

from .conftest import serving

ACCOUNT = "123456789012"
VET = f"arn:aws:iam::{ACCOUNT}:policy/pet-veterinarian"
POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": "execute-api:Invoke",
            "Resource": "arn:aws:execute-api:*:*:*/*/*/petstore/v1/*",
            "Condition": {"IpAddress": {"aws:SourceIp": "192.0.2.0/24"}},
        }
    ],
}
CALL = {"method": "GET", "path": "/petstore/v1/pets", "stage": "prod", "api_id": "a1b2c3", "source_ip": "192.0.2.15"}

# name, path, body, token ("good", "bad" or None), expected status, expected code (or `allowed` for a 200)
CASES: list[tuple[str, str, bytes, str | None, int, Any]] = [
    ("allowed", "/v1/authorize", json.dumps(CALL).encode(), "good", 200, True),
    ("denied", "/v1/authorize", json.dumps({**CALL, "source_ip": "203.0.113.9"}).encode(), "good", 200, False),
    (
        "explicit action",
        "/v1/authorize",
        b'{"action": "s3:GetObject", "resource": "arn:aws:s3:::b/k"}',
        "good",
        200,
        False,
    ),
    ("no token", "/v1/authorize", json.dumps(CALL).encode(), None, 401, "Unauthorized"),
    ("bad token", "/v1/authorize", json.dumps(CALL).encode(), "bad", 401, "Unauthorized"),
    ("not json", "/v1/authorize", b"not json", "good", 400, "INVALID_JSON"),
    ("not utf-8", "/v1/authorize", b'{"action": "\xff"}', "good", 400, "INVALID_JSON"),
    (
        "NaN is not JSON",
        "/v1/authorize",
        b'{"action": "s3:GetObject", "context": {"k": NaN}}',
        "good",
        400,
        "INVALID_JSON",
    ),
    ("nested too deep", "/v1/authorize", b"[" * 100_000, "good", 400, "INVALID_JSON"),
    ("not an object", "/v1/authorize", b"[1, 2]", "good", 400, "INVALID_AUTHORIZE_REQUEST"),
    ("no action", "/v1/authorize", b"{}", "good", 400, "INVALID_AUTHORIZE_REQUEST"),
    (
        "gateway without stage",
        "/v1/authorize",
        b'{"method": "GET", "path": "/", "api_id": "a"}',
        "good",
        400,
        "INVALID_AUTHORIZE_REQUEST",
    ),
    (
        "context not an object",
        "/v1/authorize",
        b'{"action": "s3:GetObject", "context": [["a", "b"]]}',
        "good",
        400,
        "INVALID_AUTHORIZE_REQUEST",
    ),
    ("too large", "/v1/authorize", b" " * (MAX_BODY + 1), "good", 413, "REQUEST_TOO_LARGE"),
    (
        "batch",
        "/v1/authorize/batch",
        json.dumps({"requests": [CALL, {**CALL, "path": "/v2"}]}).encode(),
        "good",
        200,
        None,
    ),
    ("batch not a list", "/v1/authorize/batch", b'{"requests": {}}', "good", 400, "INVALID_AUTHORIZE_REQUEST"),
    (
        "batch too large",
        "/v1/authorize/batch",
        json.dumps({"requests": [CALL] * (MAX_BATCH + 1)}).encode(),
        "good",
        400,
        "BATCH_TOO_LARGE",
    ),
]


@pytest.fixture
def both(world: World) -> Iterator[dict[str, Any]]:
    """The Starlette app and the served app over one world, with an authorizer of a local OIDC issuer."""
    world.clock = SystemClock()  # SigV4 signatures are checked against the machine's clock
    with world.changes() as iam:
        iam.create_account(ACCOUNT)
        iam.create_policy(ACCOUNT, "pet-veterinarian", POLICY)
    key, secret, _ = bootstrap_credentials(world)
    signer = make_identity()
    with running_issuer({"keys": [signer.public_jwk("k1")]}) as issuer:
        config = AuthorizerConfig(
            issuer.issuer, ("petstore-app",), ACCOUNT, "cognito:groups", {"pet-veterinarian": (VET,)}
        )
        authorizer = Authorizer(world, config, HttpJwksSource())
        claims = {"iss": issuer.issuer, "aud": "petstore-app", "sub": "u", "cognito:groups": ["pet-veterinarian"]}
        tokens = {
            "good": sign_token(signer, {**claims, "exp": int(time.time()) + 600}),
            "bad": sign_token(signer, {**claims, "exp": int(time.time()) - 3600}),
        }
        with serving(create_app(world, authorizer)) as starlette, serving(serving_app(world, authorizer)) as served:
            yield {"urls": (starlette, served), "tokens": tokens, "key": key, "secret": secret}


def _post(url: str, body: bytes, token: str | None) -> httpx.Response:
    headers = {"Content-Type": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    return httpx.post(url, content=body, headers=headers, timeout=30)


@pytest.mark.parametrize(("name", "path", "body", "token", "status", "expected"), CASES, ids=[c[0] for c in CASES])
def test_both_paths_answer_alike(
    both: dict[str, Any], name: str, path: str, body: bytes, token: str | None, status: int, expected: Any
) -> None:
    """Same status, content type and bytes from the Starlette route and the direct path; the case's code."""
    answers = [_post(url + path, body, both["tokens"][token] if token else None) for url in both["urls"]]
    for answer in answers:
        assert answer.status_code == status
        assert answer.headers["content-type"] == "application/json"
        data = answer.json()
        if status != 200:
            assert data["code"] == expected
        elif isinstance(expected, bool):
            assert data["allowed"] is expected
        else:
            assert [r["allowed"] for r in data["results"]] == [True, False]
    assert answers[0].content == answers[1].content


def test_a_sigv4_signed_caller_is_decided_alike(both: dict[str, Any]) -> None:
    """A stored principal's signed request: the same decision on both paths (its own policies decide)."""
    body = json.dumps({"action": "iam:ListRoles"}).encode()
    answers = []
    for url in both["urls"]:
        request = AWSRequest(
            method="POST", url=url + "/v1/authorize", data=body, headers={"Content-Type": "application/json"}
        )
        SigV4Auth(Credentials(both["key"], both["secret"]), "iam", "us-east-1").add_auth(request)
        answers.append(
            httpx.post(url + "/v1/authorize", content=body, headers=dict(request.headers.items()), timeout=30)
        )
    assert [a.status_code for a in answers] == [200, 200]
    assert answers[0].content == answers[1].content


def test_other_requests_pass_through(both: dict[str, Any]) -> None:
    """Everything but a POST to the two decision paths reaches the wrapped app unchanged."""
    starlette, served = both["urls"]
    assert httpx.get(served + "/health", timeout=10).json() == {"status": "ok"}
    # A GET of a decision path is an (unsigned) AWS call to the wrapped app, as without the wrapper.
    got = [httpx.get(url + "/v1/authorize", timeout=10) for url in (starlette, served)]
    assert got[0].status_code == got[1].status_code == 403
    assert set(httpx.get(served + "/openapi.json", timeout=10).json()["paths"]) == {
        "/v1/authorize",
        "/v1/authorize/batch",
        "/v1/grants",
        "/v1/grants/{grant_id}",
    }


def test_each_direct_answer_is_one_json_access_log_line(both: dict[str, Any], caplog: pytest.LogCaptureFixture) -> None:
    """The `iamtwin.access` logger gets one JSON object per decision request, with its status and error code."""
    _, served = both["urls"]
    with caplog.at_level(logging.INFO, logger="iamtwin.access"):
        _post(served + "/v1/authorize", json.dumps(CALL).encode(), both["tokens"]["good"])
        _post(served + "/v1/authorize", b"{}", both["tokens"]["good"])
    records = [json.loads(r.getMessage()) for r in caplog.records if r.name == "iamtwin.access"]
    assert [(r["operation"], r["status"], r["errorCode"]) for r in records] == [
        ("Authorize", 200, None),
        ("Authorize", 400, "INVALID_AUTHORIZE_REQUEST"),
    ]
    assert all(r["path"] == "/v1/authorize" and r["service"] == "iamtwin" and r["durationMs"] >= 0 for r in records)
