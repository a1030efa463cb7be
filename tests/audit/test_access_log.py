"""The structured access log: one JSON object per request on the `iamtwin.access` logger."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from botocore.exceptions import ClientError

from .conftest import AuditedServer


def _lines(caplog: pytest.LogCaptureFixture) -> list[dict[str, Any]]:
    return [json.loads(r.getMessage()) for r in caplog.records if r.name == "iamtwin.access"]


def test_each_request_is_one_json_line(audited: AuditedServer, caplog: pytest.LogCaptureFixture) -> None:
    """time, requestId, client, method, path, service, operation, status, duration, caller, error code."""
    caplog.set_level(logging.INFO, logger="iamtwin.access")
    answer = audited.client("iam").list_roles()
    with pytest.raises(ClientError):
        audited.client("sts", secret="wrong").get_caller_identity()
    ok, refused = _lines(caplog)
    assert set(ok) == {
        "time",
        "requestId",
        "client",
        "method",
        "path",
        "service",
        "operation",
        "status",
        "durationMs",
        "caller",
        "errorCode",
    }
    assert ok["requestId"] == answer["ResponseMetadata"]["RequestId"]
    assert (ok["client"], ok["method"], ok["path"]) == ("127.0.0.1", "POST", "/")
    assert (ok["service"], ok["operation"], ok["status"]) == ("iam", "ListRoles", 200)
    assert ok["caller"] == "arn:aws:iam::123456789012:user/iamtwin-admin" and ok["errorCode"] is None
    assert isinstance(ok["durationMs"], float) and ok["durationMs"] >= 0
    assert ok["time"].endswith("+00:00")
    assert (refused["service"], refused["operation"], refused["status"]) == ("sts", "GetCallerIdentity", 403)
    assert refused["errorCode"] == "SignatureDoesNotMatch" and refused["caller"] is None


def test_decision_api_requests_are_logged_too(audited: AuditedServer, caplog: pytest.LogCaptureFixture) -> None:
    """`/v1/authorize` without credentials: a 401 line with the decision API's code."""
    import httpx

    caplog.set_level(logging.INFO, logger="iamtwin.access")
    httpx.post(f"{audited.url}/v1/authorize", json={"action": "s3:GetObject"})
    (line,) = _lines(caplog)
    assert (line["service"], line["operation"], line["status"]) == ("iamtwin", "Authorize", 401)
    assert line["errorCode"] == "Unauthorized" and line["path"] == "/v1/authorize"
