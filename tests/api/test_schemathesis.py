"""Schemathesis against the served `/openapi.json`: no server error, every answer as the document says.

The server is the one `iamtwin serve` runs (`serving_app`: the direct decision path in front of
`create_app`), with scenario 11's authorizer and a local OIDC issuer. For each operation of the
document, Schemathesis generates request bodies that follow the schema (positive) and that break it
(negative), sent with a valid bearer token and without one. Every response must be a documented
status with a documented content type and a body that matches its schema, and never a 5xx. The
run is derandomized (the same examples every time) and bounded in examples.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from tests.sts.federation_fixtures import make_identity, running_issuer, sign_token

from iamtwin.api.authorizer import Authorizer, AuthorizerConfig
from iamtwin.api.factory import serving_app
from iamtwin.clock import SystemClock
from iamtwin.sts.oidc_discovery import HttpJwksSource
from iamtwin.world.stored import World

from .conftest import serving

ACCOUNT = "123456789012"
VET = f"arn:aws:iam::{ACCOUNT}:policy/pet-veterinarian"
# Gateway GETs are allowed, DELETEs denied, anything else implicitly denied: answers of every kind.
POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Action": "execute-api:Invoke", "Resource": "arn:aws:execute-api:*:*:*/*/GET/*"},
        {"Effect": "Deny", "Action": "execute-api:Invoke", "Resource": "arn:aws:execute-api:*:*:*/*/DELETE/*"},
    ],
}
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES = 60


@pytest.fixture
def served(world: World) -> Iterator[dict[str, Any]]:
    """The served app with the decision API configured, and a valid bearer token for it."""
    world.clock = SystemClock()
    with world.changes() as iam:
        iam.create_account(ACCOUNT)
        iam.create_policy(ACCOUNT, "pet-veterinarian", POLICY)
    signer = make_identity()
    with running_issuer({"keys": [signer.public_jwk("k1")]}) as issuer:
        config = AuthorizerConfig(
            issuer.issuer, ("petstore-app",), ACCOUNT, "cognito:groups", {"pet-veterinarian": (VET,)}
        )
        authorizer = Authorizer(world, config, HttpJwksSource())
        claims = {"iss": issuer.issuer, "aud": "petstore-app", "sub": "user-42", "cognito:groups": ["pet-veterinarian"]}
        token = sign_token(signer, {**claims, "exp": int(time.time()) + 3600})
        with serving(serving_app(world, authorizer)) as url:
            yield {"url": url, "token": token}


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=["positive", "negative"])
def test_no_server_error_and_answers_follow_the_document(served: dict[str, Any], mode: GenerationMode) -> None:
    """Generated calls of each operation, with and without a token: documented, schema-valid answers only."""
    url = served["url"]
    document = httpx.get(url + "/openapi.json", timeout=10).json()
    schema = schemathesis.openapi.from_dict(document)
    operations = [result.ok() for result in schema.get_all_operations()]
    grants = {"/v1/grants", "/v1/grants/{grant_id}"}
    assert {op.path for op in operations} == {"/v1/authorize", "/v1/authorize/batch", *grants}
    statuses: dict[int, int] = {}
    bearer = {"Authorization": f"Bearer {served['token']}"}

    for operation in operations:

        @settings(
            max_examples=EXAMPLES,
            derandomize=True,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy(generation_mode=mode), authorized=st.sampled_from([True, True, True, False]))
        def check(case: Any, authorized: bool) -> None:
            headers = bearer if authorized else {}
            response = case.call(base_url=url, headers=headers, timeout=30)
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
            case.validate_response(response, checks=CHECKS, headers=headers)

        check()
    # The run reached past authentication: decisions were made, and refusals were answered.
    assert 401 in statuses
    assert (200 if mode is GenerationMode.POSITIVE else 400) in statuses
