"""Scenario 13 end to end through `iamtwin serve`: pipelines sign `/v1/grants` with their STS sessions.

The sessions come from `sts.assume_role` over the wire (boto3); requests to `/v1/grants` are signed
with botocore's SigV4Auth, exactly as any AWS SDK signs, so the orchestrator learns who asks from the
signature alone. API Gateway cannot sign a request to iamtwin, so its invocations are decided by the
engine over the same world (aws:SourceArn and aws:SourceAccount as API Gateway sends them:
https://docs.aws.amazon.com/lambda/latest/dg/access-control-resource-based.html).
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import jsonschema_rs
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from tests.api.conftest import RunningServer

from iamtwin.audit.store import AuditStore

from .conftest import FUNCTION, Estate, build_estate, grant_request

A1B2C3 = "arn:aws:execute-api:us-east-1:444444444444:a1b2c3/prod/GET/tokens"


class Pipeline:
    """A caller of the server holding an STS session, signing every request with it."""

    def __init__(self, server: RunningServer, credentials: dict[str, str]) -> None:
        self.server = server
        self.credentials = Credentials(
            credentials["AccessKeyId"], credentials["SecretAccessKey"], credentials["SessionToken"]
        )

    def call(self, method: str, path: str, body: Any = None) -> httpx.Response:
        """Send a SigV4-signed request; the response."""
        data = b"" if body is None else json.dumps(body).encode("utf-8")
        request = AWSRequest(
            method=method, url=self.server.url + path, data=data, headers={"Content-Type": "application/json"}
        )
        SigV4Auth(self.credentials, "iamtwin", "us-east-1").add_auth(request)
        return httpx.request(method, request.url, content=data, headers=dict(request.headers.items()), timeout=30)


def _pipeline(server: RunningServer, estate: Estate, account: str, role: str) -> Pipeline:
    key, secret = estate.bot_key(account)
    sts = server.client("sts", key=key, secret=secret)
    answer = sts.assume_role(RoleArn=f"arn:aws:iam::{account}:role/{role}", RoleSessionName="pipeline")
    return Pipeline(server, answer["Credentials"])


def _invoke(estate: Estate, source_arn: str, source_account: str) -> bool:
    context = {"aws:SourceArn": source_arn, "aws:SourceAccount": source_account}
    return estate.world.authorize("apigateway.amazonaws.com", "lambda:InvokeFunction", FUNCTION, context).allowed


def _grant_records(estate: Estate) -> list[dict[str, Any]]:
    records = [json.loads(e.record) for e in AuditStore(estate.world.engine).events()]
    return [r for r in records if r["eventSource"] == "grants.iamtwin" and r["eventName"] != "PutGrantSettings"]


def _documented(server: RunningServer, answer: httpx.Response, path: str, method: str) -> None:
    """The answer is one /openapi.json documents for that operation, with a body its schema accepts."""
    operation = httpx.get(server.url + "/openapi.json", timeout=30).json()["paths"][path][method]
    documented = operation["responses"][str(answer.status_code)]
    jsonschema_rs.validate(documented["content"]["application/json"]["schema"], answer.json())


def test_scenario_13_through_the_api(server: RunningServer) -> None:
    """Expected 1 to 4 over HTTP: grant, invoke for that API and account only, refusals audited, idempotent, revoked."""
    estate = build_estate(server.world)
    pipeline = _pipeline(server, estate, "444444444444", "cicd-deployer")
    before = estate.policy_text()

    # 1. The pipeline asks; the orchestrator adds the statement; request and change are audited.
    created = pipeline.call("POST", "/v1/grants", grant_request().to_json())
    assert created.status_code == 201, created.text
    _documented(server, created, "/v1/grants", "post")
    grant = created.json()["grant"]
    assert created.json()["changed"] is True
    statement = json.loads(estate.policy_text() or "")["Statement"][-1]
    assert statement == grant["statement"]
    assert statement["Principal"] == {"Service": "apigateway.amazonaws.com"}
    assert statement["Action"] == "lambda:InvokeFunction"
    assert statement["Condition"] == {
        "ArnLike": {"aws:SourceArn": "arn:aws:execute-api:us-east-1:444444444444:a1b2c3/*"},
        "StringEquals": {"aws:SourceAccount": "444444444444"},
    }
    [record] = _grant_records(estate)
    assert (record["eventName"], record["sourceIPAddress"]) == ("RequestGrant", "127.0.0.1")
    assert record["userIdentity"]["arn"] == "arn:aws:sts::444444444444:assumed-role/cicd-deployer/pipeline"
    assert record["responseElements"]["grantId"] == grant["id"]

    # 2. API Gateway may invoke for that API of that account only.
    assert _invoke(estate, A1B2C3, "444444444444")
    assert not _invoke(estate, "arn:aws:execute-api:us-east-1:444444444444:other1/prod/GET/x", "444444444444")
    assert not _invoke(estate, "arn:aws:execute-api:us-east-1:555555555555:a1b2c3/prod/GET/x", "555555555555")
    # The pipeline itself may not change the function's policy: only the orchestrator may.
    direct = pipeline.call("POST", "/v1/authorize", {"action": "lambda:AddPermission", "resource": FUNCTION})
    assert direct.json()["decision"] == "ExplicitDeny"

    # 3. Not a pipeline: refused and audited. A pipeline out of its scope: refused.
    developer = _pipeline(server, estate, "444444444444", "developer")
    refused = developer.call("POST", "/v1/grants", grant_request().to_json())
    assert (refused.status_code, refused.json()["code"]) == (403, "GRANT_NOT_PERMITTED")
    _documented(server, refused, "/v1/grants", "post")
    elsewhere = grant_request(resource="arn:aws:lambda:us-east-1:333333333333:function:billing").to_json()
    out_of_scope = pipeline.call("POST", "/v1/grants", elsewhere)
    assert (out_of_scope.status_code, out_of_scope.json()["code"]) == (403, "GRANT_OUT_OF_SCOPE")
    for_other = pipeline.call("POST", "/v1/grants", grant_request("555555555555").to_json())
    assert (for_other.status_code, for_other.json()["code"]) == (403, "GRANT_OUT_OF_SCOPE")
    claimed = developer.call(
        "POST", "/v1/grants", {**grant_request().to_json(), "requester": "arn:aws:iam::444444444444:role/cicd-deployer"}
    )
    assert (claimed.status_code, claimed.json()["code"]) == (400, "GRANT_INVALID")
    unsigned = httpx.post(server.url + "/v1/grants", json=grant_request().to_json(), timeout=30)
    assert (unsigned.status_code, unsigned.json()["code"]) == (403, "MissingAuthenticationToken")
    refusals = [(r["eventName"], r["errorCode"], r["userIdentity"].get("arn")) for r in _grant_records(estate)[1:]]
    assert refusals[0] == (
        "RequestGrant",
        "GRANT_NOT_PERMITTED",
        "arn:aws:sts::444444444444:assumed-role/developer/pipeline",
    )
    # Every refusal is recorded: a request naming its requester, and one nobody signed (no identity).
    assert [code for _, code, _ in refusals] == [
        "GRANT_NOT_PERMITTED",
        "GRANT_OUT_OF_SCOPE",
        "GRANT_OUT_OF_SCOPE",
        "GRANT_INVALID",
        "MissingAuthenticationToken",
    ]
    assert refusals[-1][2] is None

    # 4. The same request again changes nothing; revoking restores the previous policy exactly.
    applied = estate.policy_text()
    again = pipeline.call("POST", "/v1/grants", grant_request().to_json())
    assert (again.status_code, again.json()["changed"], again.json()["grant"]["id"]) == (200, False, grant["id"])
    assert estate.policy_text() == applied
    listed = pipeline.call("GET", "/v1/grants")
    _documented(server, listed, "/v1/grants", "get")
    assert [g["id"] for g in listed.json()["grants"]] == [grant["id"]]
    assert developer.call("GET", "/v1/grants").json() == {"grants": []}
    assert developer.call("DELETE", f"/v1/grants/{grant['id']}").json()["code"] == "GRANT_NOT_FOUND"
    revoked = pipeline.call("DELETE", f"/v1/grants/{grant['id']}")
    assert revoked.status_code == 200, revoked.text
    _documented(server, revoked, "/v1/grants/{grant_id}", "delete")
    assert (revoked.json()["restoration"], revoked.json()["grant"]["state"]) == ("exact", "revoked")
    assert estate.policy_text() == before
    assert not _invoke(estate, A1B2C3, "444444444444")
