"""A console sign-in URL from issued session credentials, by AWS's federation endpoint protocol.

Two steps (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_enable-console-custom-url.html):
`GET <federation>?Action=getSigninToken&Session=<JSON of sessionId, sessionKey, sessionToken>` (and
`SessionDuration`, 900 to 43200 seconds, for role sessions) answers `{"SigninToken": …}`, valid for
15 minutes; the URL is then `<federation>?Action=login&Issuer=…&Destination=…&SigninToken=…`.

The federation endpoint is real AWS's (`https://signin.aws.amazon.com/federation`) or the twin's
(`/federation` of `iamtwin serve`). The console session never outlasts the approved window: when
the broker's credentials are themselves a role session, its sessions are role chaining and AWS
refuses `SessionDuration` for them, so none is sent and the console session ends with the
credentials; otherwise `SessionDuration` is the credentials' own remaining lifetime.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

import httpx

from .defaults import AWS_CONSOLE, DEFAULT_ISSUER
from .errors import BrokerError, BrokerErrorCode
from .issuance import SessionCredentials

AWS_FEDERATION_ENDPOINT = "https://signin.aws.amazon.com/federation"
MINIMUM_CONSOLE_SECONDS = 900
MAXIMUM_CONSOLE_SECONDS = 43200


@dataclass(frozen=True, slots=True)
class ConsoleSignIn:
    """A console sign-in URL, and when the credentials behind it expire."""

    url: str
    expiration: datetime
    session_name: str


def federation_endpoint(sts_endpoint: str | None) -> str:
    """The federation endpoint next to an STS endpoint: the twin's `/federation`, or AWS's for real AWS (None)."""
    if sts_endpoint is None:
        return AWS_FEDERATION_ENDPOINT
    return sts_endpoint.rstrip("/") + "/federation"


def session_json(creds: SessionCredentials) -> str:
    """The `Session` parameter: the credentials as the JSON the federation endpoint reads."""
    return json.dumps(
        {"sessionId": creds.access_key_id, "sessionKey": creds.secret_access_key, "sessionToken": creds.session_token}
    )


def console_seconds(creds: SessionCredentials, now: datetime, chained: bool) -> int | None:
    """`SessionDuration` to ask for: None for role-chained credentials, else their remaining whole seconds (≥ 900)."""
    if chained:
        return None
    remaining = math.floor((creds.expiration - now).total_seconds())
    return max(MINIMUM_CONSOLE_SECONDS, min(MAXIMUM_CONSOLE_SECONDS, remaining))


def _refused(message: str) -> BrokerError:
    return BrokerError(BrokerErrorCode.CONSOLE_SIGNIN_REFUSED, message)


def signin_token(endpoint: str, creds: SessionCredentials, seconds: int | None, timeout: float = 10) -> str:
    """Exchange the credentials for a sign-in token at the federation endpoint."""
    params = {"Action": "getSigninToken", "Session": session_json(creds)}
    if seconds is not None:
        params["SessionDuration"] = str(seconds)
    try:
        answer = httpx.get(endpoint, params=params, timeout=timeout)
    except httpx.HTTPError as exc:
        raise _refused(f"the federation endpoint `{endpoint}` could not be reached: {exc}") from exc
    if answer.status_code != 200:
        raise _refused(f"the federation endpoint refused the session ({answer.status_code}): {answer.text[:300]}")
    try:
        token = answer.json()["SigninToken"]
    except (ValueError, KeyError, TypeError) as exc:
        raise _refused("the federation endpoint answered without a SigninToken") from exc
    if not isinstance(token, str) or not token:
        raise _refused("the federation endpoint answered without a SigninToken")
    return token


def login_url(endpoint: str, token: str, issuer: str, destination: str) -> str:
    """The console URL a person opens: Action=login with the issuer, destination and sign-in token."""
    query = urlencode({"Action": "login", "Issuer": issuer, "Destination": destination, "SigninToken": token})
    return f"{endpoint}?{query}"


def console_sign_in(
    endpoint: str,
    creds: SessionCredentials,
    *,
    now: datetime,
    chained: bool,
    issuer: str = DEFAULT_ISSUER,
    destination: str = AWS_CONSOLE,
) -> ConsoleSignIn:
    """Both steps: a sign-in token for these credentials, then the login URL."""
    token = signin_token(endpoint, creds, console_seconds(creds, now, chained))
    return ConsoleSignIn(login_url(endpoint, token, issuer, destination), creds.expiration, creds.session_name)
