"""The REST API with bearer ID tokens: scenario 05 end to end, boto3 using the issued credentials, the OpenAPI document.

Sessions are AssumeRole calls by the broker (https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html);
a scope is the session policy, and a session's permissions are the intersection of the role's and
the session policy's (https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html#policies_session).
"""

from __future__ import annotations

import base64
import json
from typing import Any

import httpx
import pytest
from botocore.exceptions import ClientError

from .conftest import WebBroker, id_token

INCIDENT = "INC-1042: restore bucket policy"
TARGET = "arn:aws:iam::111122223333:role/TempAccessRoleS3Admin"


def _bearer(web: WebBroker, who: str) -> httpx.Client:
    return web.client(headers={"authorization": f"Bearer {id_token(web, who)}"})


def _ask(scope: str | None = None) -> dict[str, Any]:
    return {
        "account": "111122223333",
        "role": "TempAccessRoleS3Admin",
        "durationSeconds": "2h",
        "justification": INCIDENT,
        **({"scope": scope} if scope else {}),
    }


def test_scenario_05_through_the_api_with_bearer_tokens(web: WebBroker) -> None:
    """alice asks, bob approves, alice starts a session: to boto3 it is the assumed role naming her and the request."""
    alice, bob = _bearer(web, "alice"), _bearer(web, "bob")
    created = alice.post("/api/v1/requests", json=_ask())
    assert created.status_code == 201, created.text
    request_id = created.json()["id"]
    assert created.json()["state"] == "pending" and created.json()["durationSeconds"] == 7200
    assert [r["id"] for r in bob.get("/api/v1/requests", params={"view": "review"}).json()["requests"]] == [request_id]
    approved = bob.post(f"/api/v1/requests/{request_id}/approve")
    assert approved.status_code == 200 and approved.json()["state"] == "approved"
    started = alice.post(f"/api/v1/requests/{request_id}/sessions")
    assert started.status_code == 201, started.text
    creds = started.json()
    session_name = f"alice@example.com+{request_id}"
    assert creds["SourceIdentity"] == "alice@example.com" and creds["SessionName"] == session_name
    sts = web.server.client("sts", creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"])
    identity = sts.get_caller_identity()
    assert identity["Arn"] == f"arn:aws:sts::111122223333:assumed-role/TempAccessRoleS3Admin/{session_name}"
    iam = web.server.client("iam", creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"])
    assert iam.get_role(RoleName="TempAccessRoleS3Admin")["Role"]["Arn"] == TARGET
    shown = alice.get(f"/api/v1/requests/{request_id}").json()
    assert shown["state"] == "active"
    assert [s["sessionName"] for s in shown["sessions"]] == [session_name]
    assert "SecretAccessKey" not in json.dumps(shown)


def test_bob_revoking_stops_alices_issued_session_at_once(web: WebBroker) -> None:
    """After bob's revoke through the API, the session alice already holds is denied; a new one is refused.

    The deny is keyed on `aws:TokenIssueTime`, as IAM's "Revoke active sessions"
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_revoke-sessions.html).
    """
    alice, bob = _bearer(web, "alice"), _bearer(web, "bob")
    request_id = alice.post("/api/v1/requests", json=_ask()).json()["id"]
    bob.post(f"/api/v1/requests/{request_id}/approve")
    creds = alice.post(f"/api/v1/requests/{request_id}/sessions").json()
    iam = web.server.client("iam", creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"])
    assert iam.get_role(RoleName="TempAccessRoleS3Admin")["Role"]["Arn"] == TARGET
    revoked = bob.post(f"/api/v1/requests/{request_id}/revoke", json={"reason": "done early"})
    assert revoked.status_code == 200 and revoked.json()["state"] == "revoked"
    with pytest.raises(ClientError) as denied:
        iam.get_role(RoleName="TempAccessRoleS3Admin")
    assert denied.value.response["Error"]["Code"] == "AccessDenied"
    again = alice.post(f"/api/v1/requests/{request_id}/sessions")
    assert (again.status_code, again.json()["error"]["code"]) == (409, "INVALID_TRANSITION")


def test_a_tampered_or_foreign_token_is_refused(web: WebBroker) -> None:
    """A token whose claims were edited (groups added) fails its signature; a non-bearer header is refused."""
    token = id_token(web, "mallory")
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["groups"] = ["reviewers-111122223333", "auditors"]
    forged_payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    forged = web.client(headers={"authorization": f"Bearer {header}.{forged_payload}.{signature}"})
    answer = forged.get("/api/v1/me")
    assert (answer.status_code, answer.json()["error"]["code"]) == (401, "INVALID_TOKEN")
    unsigned = base64.urlsafe_b64encode(b'{"alg":"none"}').rstrip(b"=").decode()
    assert (
        web.client(headers={"authorization": f"Bearer {unsigned}.{forged_payload}."}).get("/api/v1/me").status_code
        == 401
    )
    assert web.client(headers={"authorization": f"Basic {token}"}).get("/api/v1/me").status_code == 401
    assert web.client().get("/api/v1/me").status_code == 401


def test_the_reviewer_sees_what_the_scope_narrows_the_role_to(web: WebBroker) -> None:
    """For a `read-only` request the role allows s3 writes and IAM reads; the scope keeps only s3 Get/List."""
    alice, bob = _bearer(web, "alice"), _bearer(web, "bob")
    request_id = alice.post("/api/v1/requests", json=_ask("read-only")).json()["id"]
    simulation = bob.get(f"/api/v1/requests/{request_id}/simulation").json()
    counts = {(c["service"], c["accessLevel"]): (c["role"], c["scoped"]) for c in simulation["counts"]}
    role_writes, scoped_writes = counts[("s3", "Write")]
    assert role_writes > 0 and scoped_writes == 0
    role_reads, scoped_reads = counts[("s3", "Read")]
    assert 0 < scoped_reads <= role_reads
    assert counts[("iam", "Read")] == (1, 0)
    assert simulation["removedCount"] == role_writes + 1 + sum(
        r - s for (service, level), (r, s) in counts.items() if service == "s3" and level != "Write"
    )
    assert "iam:GetRole" in simulation["removedByScope"]
    assert not [a for a in simulation["removedByScope"] if a.startswith(("s3:Get", "s3:List"))]
    # The requester does not get the reviewer's view; someone who cannot see the request gets a 404.
    assert alice.get(f"/api/v1/requests/{request_id}/simulation").status_code == 403
    assert _bearer(web, "mallory").get(f"/api/v1/requests/{request_id}/simulation").status_code == 404


def test_carol_exports_the_history_as_json_lines(web: WebBroker) -> None:
    """The auditor's export has one line per event: created, then approval and approved."""
    alice, bob, carol = _bearer(web, "alice"), _bearer(web, "bob"), _bearer(web, "carol")
    request_id = alice.post("/api/v1/requests", json=_ask()).json()["id"]
    bob.post(f"/api/v1/requests/{request_id}/approve")
    lines = carol.get("/api/v1/history", params={"format": "jsonl", "requester": "alice@example.com"}).text
    rows = [json.loads(line) for line in lines.splitlines()]
    assert [(r["requestId"], r["kind"], r["actor"]) for r in rows] == [
        (request_id, "created", "alice@example.com"),
        (request_id, "approval", "bob@example.com"),
        (request_id, "approved", "bob@example.com"),
    ]
    assert rows[0]["justification"] == INCIDENT
    nobody = carol.get("/api/v1/history", params={"requester": "nobody@example.com"}).json()
    assert nobody == {"unreviewedBreakGlass": [], "events": []}


def test_the_openapi_document_lists_every_route(web: WebBroker) -> None:
    """/api/v1/openapi.json is OpenAPI 3.1 and names the API's paths and both ways to authenticate."""
    document = web.client().get("/api/v1/openapi.json").json()
    assert document["openapi"] == "3.1.0"
    assert {"/api/v1/requests", "/api/v1/requests/{request_id}/approve", "/api/v1/history"} <= set(document["paths"])
    assert set(document["components"]["securitySchemes"]) == {"bearer", "cookie"}
