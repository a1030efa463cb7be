"""SigV4 verification: botocore's header and presigned signatures verify; a changed request does not.

https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import httpx
from botocore.auth import SigV4Auth, SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from iamtwin.api.sigv4 import expected_signature, parse_signature

from .conftest import RunningServer


def test_header_signature_verifies_and_a_changed_body_does_not() -> None:
    """The signature botocore puts in the Authorization header is recomputed exactly; one byte changed breaks it."""
    body = b"Action=GetCallerIdentity&Version=2011-06-15"
    request = AWSRequest(
        method="POST",
        url="http://127.0.0.1:8777/",
        data=body,
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
    )
    SigV4Auth(Credentials("AKIAEXAMPLEEXAMPLE00", "secret"), "sts", "us-east-1").add_auth(request)
    headers = {k.lower(): v for k, v in request.headers.items()} | {"host": "127.0.0.1:8777"}
    signed = parse_signature(headers, {})
    assert (signed.service, signed.region) == ("sts", "us-east-1")
    assert expected_signature(signed, "secret", "POST", "/", "", headers, body) == signed.signature
    assert expected_signature(signed, "secret", "POST", "/", "", headers, body + b"x") != signed.signature
    assert expected_signature(signed, "other", "POST", "/", "", headers, body) != signed.signature


def test_presigned_url_is_accepted_by_the_server(server: RunningServer) -> None:
    """A presigned GetCallerIdentity URL (as EKS tokens use) is answered for the key's owner."""
    request = AWSRequest(method="GET", url=f"{server.url}/?Action=GetCallerIdentity&Version=2011-06-15")
    SigV4QueryAuth(Credentials(server.admin_key, server.admin_secret), "sts", "us-east-1", expires=60).add_auth(request)
    query = urlsplit(request.url).query
    assert "X-Amz-Signature" in dict(parse_qsl(query))
    answer = httpx.get(request.url, timeout=10)
    assert answer.status_code == 200
    assert b"arn:aws:iam::123456789012:user/iamtwin-admin" in answer.content
    tampered = request.url.replace("GetCallerIdentity", "GetSessionToken")
    assert httpx.get(tampered, timeout=10).status_code == 403
