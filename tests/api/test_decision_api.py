"""Scenario 11: an application's API authorized by iamtwin from its users' OIDC tokens.

Groups in the token select stored policies; the API gateway's method, path and stage become the
`execute-api:Invoke` ARN (https://docs.aws.amazon.com/apigateway/latest/developerguide/arn-format-reference.html);
`aws:SourceIp` comes from the call.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from tests.sts.federation_fixtures import epoch, make_identity, running_issuer, sign_token

from iamtwin.api.app import create_app
from iamtwin.api.authorizer import Authorizer, AuthorizerConfig
from iamtwin.clock import FixedClock
from iamtwin.sts.oidc_discovery import HttpJwksSource
from iamtwin.world.stored import World

from .conftest import serving

ACCOUNT = "123456789012"
VET = f"arn:aws:iam::{ACCOUNT}:policy/pet-veterinarian"
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": "execute-api:Invoke",
            "Resource": [
                "arn:aws:execute-api:*:*:*/*/*/petstore/v1/*",
                "arn:aws:execute-api:*:*:*/*/GET/petstore/v2/status",
            ],
            "Condition": {"IpAddress": {"aws:SourceIp": ["192.0.2.0/24", "198.51.100.0/24"]}},
        }
    ],
}


@pytest.fixture
def api(world: World) -> Iterator[dict[str, Any]]:
    """A server with the authorizer of a local OIDC issuer whose `cognito:groups` map to pet-veterinarian."""
    world.clock = FixedClock(NOW)
    with world.changes() as iam:
        iam.create_account(ACCOUNT)
        iam.create_policy(ACCOUNT, "pet-veterinarian", POLICY)
    signer = make_identity()
    with running_issuer({"keys": [signer.public_jwk("k1")]}) as issuer:
        config = AuthorizerConfig(
            issuer.issuer, ("petstore-app",), ACCOUNT, "cognito:groups", {"pet-veterinarian": (VET,)}
        )
        authorizer = Authorizer(world, config, HttpJwksSource())
        with serving(create_app(world, authorizer)) as url:
            yield {"url": url, "issuer": issuer, "signer": signer}


def _token(api: dict[str, Any], groups: list[str], **overrides: Any) -> str:
    claims = {
        "iss": api["issuer"].issuer,
        "aud": "petstore-app",
        "sub": "user-42",
        "cognito:groups": groups,
        "exp": epoch(NOW) + 600,
        "iat": epoch(NOW),
    }
    claims.update(overrides)
    return sign_token(api["signer"], claims)


def _call(api: dict[str, Any], token: str | None, method: str, path: str, ip: str) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    body = {"method": method, "path": path, "stage": "prod", "api_id": "a1b2c3", "source_ip": ip}
    return httpx.post(f"{api['url']}/v1/authorize", json=body, headers=headers, timeout=10)


def test_no_or_bad_token_is_401_before_any_policy(api: dict[str, Any]) -> None:
    """Expected 1: no token, a token of another audience, or an expired one: 401."""
    assert _call(api, None, "GET", "/petstore/v1/pets", "192.0.2.15").status_code == 401
    other = _token(api, ["pet-veterinarian"], aud="someone-else")
    expired = _token(api, ["pet-veterinarian"], exp=epoch(NOW - timedelta(hours=1)))
    for token in (other, expired):
        answer = _call(api, token, "GET", "/petstore/v1/pets", "192.0.2.15")
        assert answer.status_code == 401
        assert answer.json()["message"] == "User is not authorized to access this resource"


@pytest.mark.parametrize(
    ("method", "path", "ip", "allowed"),
    [
        ("GET", "/petstore/v1/pets", "192.0.2.15", True),
        ("POST", "/petstore/v1/pets", "192.0.2.15", True),
        ("GET", "/petstore/v2/status", "192.0.2.15", True),
        ("GET", "/petstore/v2/pets", "192.0.2.15", False),
        ("GET", "/petstore/v1/pets", "203.0.113.9", False),
        ("GET", "/petstore/v2/status", "203.0.113.9", False),
    ],
)
def test_the_veterinarian_reaches_v1_and_v2_status_from_the_office(
    api: dict[str, Any], method: str, path: str, ip: str, allowed: bool
) -> None:
    """Expected 2 and 3: the group's policy, its resource patterns and its address condition decide."""
    answer = _call(api, _token(api, ["pet-veterinarian"]), method, path, ip)
    assert answer.status_code == 200
    assert answer.json()["allowed"] is allowed


def test_a_user_in_no_mapped_group_is_denied(api: dict[str, Any]) -> None:
    """Expected 4: no mapped group, no policy, implicit deny."""
    answer = _call(api, _token(api, ["pet-owner"]), "GET", "/petstore/v1/pets", "192.0.2.15")
    assert answer.json()["decision"] == "ImplicitDeny"


def test_keys_are_cached_and_a_rotation_is_picked_up(api: dict[str, Any]) -> None:
    """Expected 5: the JWKS is fetched once; a token signed by a new key refetches it without a restart."""
    token = _token(api, ["pet-veterinarian"])
    for _ in range(3):
        assert _call(api, token, "GET", "/petstore/v1/pets", "192.0.2.15").json()["allowed"]
    fetched = api["issuer"].requests.count("/keys")
    assert fetched == 1
    rotated = make_identity()
    api["issuer"].jwks = {"keys": [rotated.public_jwk("k2")]}
    claims = {
        "iss": api["issuer"].issuer,
        "aud": "petstore-app",
        "sub": "u",
        "cognito:groups": ["pet-veterinarian"],
        "exp": epoch(NOW) + 600,
    }
    fresh = sign_token(rotated, claims, kid="k2")
    assert _call(api, fresh, "GET", "/petstore/v1/pets", "192.0.2.15").json()["allowed"]


def test_batch_and_openapi(api: dict[str, Any]) -> None:
    """The batch form decides each call; /openapi.json describes the API."""
    token = _token(api, ["pet-veterinarian"])
    calls = [
        {"method": "GET", "path": p, "stage": "prod", "api_id": "a1b2c3", "source_ip": "192.0.2.15"}
        for p in ("/petstore/v1/pets", "/petstore/v2/pets")
    ]
    answer = httpx.post(
        f"{api['url']}/v1/authorize/batch",
        json={"requests": calls},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert [r["allowed"] for r in answer.json()["results"]] == [True, False]
    spec = httpx.get(f"{api['url']}/openapi.json", timeout=10).json()
    assert set(spec["paths"]) == {"/v1/authorize", "/v1/authorize/batch", "/v1/grants", "/v1/grants/{grant_id}"}
    bad = httpx.post(f"{api['url']}/v1/authorize", content=b"not json", headers={"Authorization": f"Bearer {token}"})
    assert bad.status_code == 400 and json.loads(bad.content)["code"] == "INVALID_JSON"
