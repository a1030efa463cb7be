"""Verifying AWS Signature Version 4 on incoming requests, header and presigned-query forms.

The expected signature is computed with botocore's own signer over exactly the headers the client
listed in `SignedHeaders`, at the client's `X-Amz-Date`, and compared in constant time. The caller
is then the key's owner: a user for `AKIA…` keys, a session for `ASIA…` keys, whose security token
must match and whose session must not have expired. Errors carry the codes AWS returns
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-troubleshooting.html).
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl

from botocore.auth import SigV4Auth, SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.compat import HTTPHeaders
from botocore.credentials import Credentials

from ..errors import IamtwinError
from ..world.errors import WorldFileError
from ..world.store.sessions import token_hash
from ..world.stored import Caller, World

ALGORITHM = "AWS4-HMAC-SHA256"
# AWS accepts a request signed up to 15 minutes before or after its own clock.
CLOCK_SKEW = timedelta(minutes=15)
_STAMP = "%Y%m%dT%H%M%SZ"


class AuthError(IamtwinError):
    """A request whose signature or credentials AWS would refuse; `http_status` as AWS sends it."""

    def __init__(self, code: str, message: str, http_status: int = 403) -> None:
        super().__init__(message, code=code)
        self.http_status = http_status


@dataclass(frozen=True, slots=True)
class SignedRequest:
    """What was signed: the key, the credential scope and the signature."""

    access_key_id: str
    date: str
    region: str
    service: str
    signed_headers: tuple[str, ...]
    signature: str
    timestamp: datetime
    presigned: bool
    expires: int | None = None


@dataclass(frozen=True, slots=True)
class Authenticated:
    """A verified caller and where it sent the request (region, service of the credential scope)."""

    caller: Caller
    region: str
    service: str


def _missing() -> AuthError:
    return AuthError("MissingAuthenticationToken", "Request is missing Authentication Token")


def _parse_scope(credential: str) -> tuple[str, str, str, str]:
    parts = credential.split("/")
    if len(parts) != 5 or parts[4] != "aws4_request":
        raise AuthError(
            "IncompleteSignature", f"Credential should be scoped to a valid region, not '{credential}'.", 400
        )
    return parts[0], parts[1], parts[2], parts[3]


def _timestamp(text: str) -> datetime:
    try:
        return datetime.strptime(text, _STAMP).replace(tzinfo=UTC)
    except ValueError as exc:
        raise AuthError("IncompleteSignature", f"Date must be in ISO-8601 'basic format'. Got '{text}'.", 400) from exc


def parse_signature(headers: Mapping[str, str], query: Mapping[str, str]) -> SignedRequest:
    """The signature parts of a request, from its Authorization header or its presigned query."""
    authorization = headers.get("authorization")
    if authorization is not None:
        if not authorization.startswith(ALGORITHM + " "):
            raise AuthError("IncompleteSignature", "Unsupported authorization type; sign requests with SigV4.", 400)
        fields: dict[str, str] = {}
        for part in authorization[len(ALGORITHM) + 1 :].split(","):
            name, _, value = part.strip().partition("=")
            fields[name] = value
        if not {"Credential", "SignedHeaders", "Signature"} <= set(fields):
            raise AuthError(
                "IncompleteSignature", "Authorization header requires Credential, SignedHeaders and Signature.", 400
            )
        stamp = headers.get("x-amz-date")
        if stamp is None:
            raise AuthError(
                "IncompleteSignature",
                "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
                400,
            )
        key, date, region, service = _parse_scope(fields["Credential"])
        return SignedRequest(
            key,
            date,
            region,
            service,
            tuple(fields["SignedHeaders"].split(";")),
            fields["Signature"],
            _timestamp(stamp),
            presigned=False,
        )
    if query.get("X-Amz-Algorithm") == ALGORITHM:
        try:
            key, date, region, service = _parse_scope(query["X-Amz-Credential"])
            return SignedRequest(
                key,
                date,
                region,
                service,
                tuple(query["X-Amz-SignedHeaders"].split(";")),
                query["X-Amz-Signature"],
                _timestamp(query["X-Amz-Date"]),
                presigned=True,
                expires=int(query.get("X-Amz-Expires", "900")),
            )
        except (KeyError, ValueError) as exc:
            raise AuthError("IncompleteSignature", "The presigned URL is missing signature parameters.", 400) from exc
    raise _missing()


class _SignedHeadersOnly:
    """Signs only the headers the client listed in SignedHeaders, with their received values."""

    _signed: tuple[str, ...]

    def headers_to_sign(self, request: AWSRequest) -> HTTPHeaders:
        """The client's SignedHeaders, with their received values."""
        header_map = HTTPHeaders()
        for name in self._signed:
            for value in request.headers.get_all(name) or []:
                header_map[name] = value
        return header_map


class _Verifier(_SignedHeadersOnly, SigV4Auth):  # type: ignore[misc]
    """botocore's SigV4 signer at the client's time, over the client's signed headers."""

    def __init__(self, credentials: Credentials, service: str, region: str, signed: tuple[str, ...]) -> None:
        SigV4Auth.__init__(self, credentials, service, region)
        self._signed = signed


class _QueryVerifier(_SignedHeadersOnly, SigV4QueryAuth):  # type: ignore[misc]
    """botocore's presigned-URL signer, over the client's signed headers."""

    def __init__(
        self, credentials: Credentials, service: str, region: str, signed: tuple[str, ...], expires: int
    ) -> None:
        SigV4QueryAuth.__init__(self, credentials, service, region, expires=expires)
        self._signed = signed


def expected_signature(
    signed: SignedRequest,
    secret: str,
    method: str,
    url_path: str,
    raw_query: str,
    headers: Any,
    body: bytes,
) -> str:
    """The signature botocore computes for this request with this secret."""
    credentials = Credentials(signed.access_key_id, secret)
    # botocore reads the query from the URL as sent (already encoded): keep the client's encoding.
    kept = "&".join(part for part in raw_query.split("&") if part and not part.startswith("X-Amz-Signature="))
    url = "http://placeholder" + url_path + ("?" + kept if kept else "")
    request = AWSRequest(method=method, url=url, headers=dict(headers), data=body)
    request.context["timestamp"] = signed.timestamp.strftime(_STAMP)
    auth: SigV4Auth
    if signed.presigned:
        auth = _QueryVerifier(credentials, signed.service, signed.region, signed.signed_headers, signed.expires or 900)
    else:
        auth = _Verifier(credentials, signed.service, signed.region, signed.signed_headers)
    canonical = auth.canonical_request(request)
    return str(auth.signature(auth.string_to_sign(request, canonical), request))


def authenticate(
    world: World,
    *,
    method: str,
    path: str,
    raw_query: str,
    headers: Mapping[str, str],
    body: bytes,
    now: datetime,
) -> Authenticated:
    """The verified caller of a signed request, or the AuthError AWS would return."""
    query_pairs = parse_qsl(raw_query, keep_blank_values=True)
    signed = parse_signature(headers, dict(query_pairs))
    if signed.presigned:
        if now > signed.timestamp + timedelta(seconds=signed.expires or 900):
            raise AuthError("AccessDenied", "Request has expired")
    elif abs(now - signed.timestamp) > CLOCK_SKEW:
        raise AuthError(
            "SignatureDoesNotMatch",
            f"Signature expired: {signed.timestamp:%Y%m%dT%H%M%SZ} is now "
            f"earlier than {(now - CLOCK_SKEW):%Y%m%dT%H%M%SZ} ({now:%Y%m%dT%H%M%SZ} - 15 min.)",
        )
    try:
        caller = world.caller(signed.access_key_id)
    except WorldFileError as err:
        if err.code == "EXPIRED_SESSION":
            raise AuthError("ExpiredToken", "The security token included in the request is expired") from err
        raise AuthError("InvalidClientTokenId", "The security token included in the request is invalid.") from err
    if caller.key is None:
        raise AuthError("InvalidClientTokenId", "The security token included in the request is invalid.")
    if caller.session is not None:
        token = headers.get("x-amz-security-token") or dict(query_pairs).get("X-Amz-Security-Token")
        presented = token_hash(token) if token else ""
        if not hmac.compare_digest(presented, caller.session.token_hash):
            raise AuthError("InvalidClientTokenId", "The security token included in the request is invalid.")
    expected = expected_signature(signed, caller.key.secret, method, path, raw_query, headers, body)
    if not hmac.compare_digest(expected, signed.signature):
        raise AuthError(
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature "
            "you provided. Check your AWS Secret Access Key and signing method. Consult the service "
            "documentation for details.",
        )
    return Authenticated(caller, signed.region, signed.service)
