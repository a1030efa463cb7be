"""Web identity tokens for `AssumeRoleWithWebIdentity`: verify an OIDC JWT as AWS STS does.

`verify_web_identity_token` checks, in this order, and stops at the first failure:

1. the token is a JWS signed with an asymmetric algorithm (`none` and HMAC are refused);
2. its `iss` is the IAM OIDC provider's URL (IAM stores it without `https://`);
3. the signing key, found by `kid` in the issuer's JWKS (`JwksSource`), verifies the signature;
4. `exp` is present and not passed, allowing the five minutes of clock skew IAM documents;
   `nbf` and `iat`, when present, are not in the future (with the same allowance);
5. the audience (`azp` when the token has one, else `aud`) is one of the provider's client IDs;
6. `sub` is present.

Errors are `StsError`s with the code AWS returns (`InvalidIdentityToken`, `ExpiredTokenException`,
`IDPCommunicationError`) and a finer `reason`. The result, `WebIdentityToken`, names the condition
keys AWS puts in the request context (`<provider-url>:sub` and so on).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import MappingProxyType
from typing import Any

import jwt

from .errors import StsError, StsErrorCode
from .oidc_discovery import HttpJwksSource, JwksSource, StaticJwksSource, is_loopback_url

__all__ = [
    "CLOCK_SKEW",
    "HttpJwksSource",
    "JwksSource",
    "OidcProvider",
    "StaticJwksSource",
    "WebIdentityToken",
    "issuer_url_of",
    "verify_web_identity_token",
]

# IAM OIDC federation: "IAM provides five minutes beyond the expiration time specified in the JWT to
# account for clock skew".
CLOCK_SKEW = timedelta(minutes=5)

# Asymmetric JWS algorithms only: an HMAC key would be a secret shared with AWS, which OIDC providers
# do not have, and `none` is no signature at all.
ALLOWED_ALGORITHMS = frozenset({"RS256", "RS384", "RS512", "ES256", "ES384", "ES512"})

GITHUB_ACTIONS = "token.actions.githubusercontent.com"
# The claims AWS documents as condition keys for GitHub's issuer, besides the default ones.
_GITHUB_CLAIM_KEYS = (
    "actor",
    "actor_id",
    "job_workflow_ref",
    "repository",
    "repository_id",
    "repository_owner_id",
    "workflow",
    "ref",
    "environment",
    "enterprise_id",
)
# Login with Amazon and Facebook name their keys after the app and the user, not `aud` and `sub`.
_APP_AND_USER_KEYS = {
    "graph.facebook.com": ("app_id", "id"),
    "www.amazon.com": ("app_id", "user_id"),
}


@dataclass(frozen=True, slots=True)
class OidcProvider:
    """An IAM OIDC identity provider: its URL as IAM stores it (no scheme), its client IDs and its ARN."""

    url: str
    client_ids: tuple[str, ...]
    arn: str


def issuer_url_of(provider: OidcProvider) -> str:
    """The `iss` a token of this provider carries: `https://` + the URL (`http://` for loopback test issuers)."""
    scheme = "http" if is_loopback_url("http://" + provider.url) else "https"
    return f"{scheme}://{provider.url}"


@dataclass(frozen=True, slots=True)
class WebIdentityToken:
    """A verified web identity token: who issued it, for whom, about whom, and all its claims."""

    provider: OidcProvider
    issuer: str
    subject: str
    audience: str
    claims: Mapping[str, Any]

    def condition_keys(self) -> dict[str, str | list[str]]:
        """The request context keys AWS derives from the token, named `<provider-url>:<key>`."""
        prefix = self.provider.url
        claims = self.claims
        special = _APP_AND_USER_KEYS.get(prefix)
        if special is not None:
            app_key, user_key = special
            return {f"{prefix}:{app_key}": self.audience, f"{prefix}:{user_key}": self.subject}
        keys: dict[str, str | list[str]] = {f"{prefix}:sub": self.subject, f"{prefix}:aud": self.audience}
        aud = claims.get("aud")
        if isinstance(aud, str):
            keys[f"{prefix}:oaud"] = aud
        elif isinstance(aud, list) and aud:
            keys[f"{prefix}:oaud"] = [str(v) for v in aud]
        amr = claims.get("amr")
        if isinstance(amr, str):
            keys[f"{prefix}:amr"] = [amr]
        elif isinstance(amr, list):
            keys[f"{prefix}:amr"] = [str(v) for v in amr]
        if isinstance(claims.get("email"), str):
            keys[f"{prefix}:email"] = claims["email"]
        if prefix == GITHUB_ACTIONS:
            for name in _GITHUB_CLAIM_KEYS:
                value = claims.get(name)
                if isinstance(value, (str, int)) and not isinstance(value, bool):
                    keys[f"{prefix}:{name}"] = str(value)
        return keys


def _invalid(message: str, reason: str) -> StsError:
    return StsError(StsErrorCode.INVALID_IDENTITY_TOKEN, message, reason=reason)


def _unverified_parts(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    try:
        header = jwt.get_unverified_header(token)
        payload = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        raise _invalid("the web identity token is not a well-formed JWT", "MALFORMED_TOKEN") from None
    return header, payload


def _signing_key(header: Mapping[str, Any], key_set: Mapping[str, Any], alg: str) -> jwt.PyJWK:
    keys = [k for k in key_set.get("keys", ()) if isinstance(k, Mapping) and k.get("use", "sig") == "sig"]
    kid = header.get("kid")
    if kid is not None:
        candidates = [k for k in keys if k.get("kid") == kid]
        if not candidates:
            raise _invalid(f"no signing key with kid `{kid}` in the provider's key set", "UNKNOWN_KEY_ID")
    elif len(keys) == 1:
        candidates = keys
    else:
        raise _invalid("the token names no kid and the provider has several keys", "MISSING_KEY_ID")
    jwk_data = dict(candidates[0])
    if "alg" in jwk_data and jwk_data["alg"] != alg:
        raise _invalid(f"the key `{kid}` is for `{jwk_data['alg']}`, not `{alg}`", "KEY_ALGORITHM_MISMATCH")
    try:
        return jwt.PyJWK(jwk_data, algorithm=alg)
    except jwt.PyJWTError:
        raise _invalid(f"the key `{kid}` cannot verify `{alg}` signatures", "KEY_ALGORITHM_MISMATCH") from None


def _verified_payload(token: str, key: jwt.PyJWK, alg: str) -> dict[str, Any]:
    try:
        decoded = jwt.PyJWS().decode_complete(token, key=key, algorithms=[alg])
        payload = json.loads(decoded["payload"])
    except jwt.InvalidSignatureError:
        raise _invalid("the signature of the web identity token is not valid", "INVALID_SIGNATURE") from None
    except (jwt.PyJWTError, ValueError):
        raise _invalid("the web identity token could not be verified", "MALFORMED_TOKEN") from None
    if not isinstance(payload, dict):
        raise _invalid("the claims of the web identity token are not a JSON object", "MALFORMED_TOKEN")
    return payload


def _instant(claims: Mapping[str, Any], name: str) -> datetime | None:
    value = claims.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _invalid(f"the `{name}` claim is not a number of seconds", "MALFORMED_TOKEN")
    try:
        return datetime.fromtimestamp(value, tz=UTC)
    except (OverflowError, OSError, ValueError):
        raise _invalid(f"the `{name}` claim is out of range", "MALFORMED_TOKEN") from None


def _check_times(claims: Mapping[str, Any], now: datetime) -> None:
    expires = _instant(claims, "exp")
    if expires is None:
        raise _invalid("the web identity token has no `exp` claim", "MISSING_EXPIRATION")
    if now - CLOCK_SKEW > expires:  # not `expires + skew`: an `exp` at the end of year 9999 would overflow
        raise StsError(
            StsErrorCode.EXPIRED_TOKEN,
            f"token expired: current date/time {now.isoformat()} must be before {expires.isoformat()}",
            reason="TOKEN_EXPIRED",
        )
    for name in ("nbf", "iat"):
        instant = _instant(claims, name)
        if instant is not None and now + CLOCK_SKEW < instant:
            raise _invalid(f"the token's `{name}` ({instant.isoformat()}) is in the future", "TOKEN_NOT_YET_VALID")


def _matched_audience(claims: Mapping[str, Any], provider: OidcProvider) -> str:
    azp = claims.get("azp")
    aud = claims.get("aud")
    if azp is None and aud is None:
        raise _invalid("missing a required claim: aud", "MISSING_AUDIENCE")
    # Like Google's hybrid apps: when the token names its authorized party, that is the client AWS checks.
    if azp is not None:
        candidates = [azp] if isinstance(azp, str) else []
    elif isinstance(aud, str):
        candidates = [aud]
    elif isinstance(aud, list):
        candidates = [a for a in aud if isinstance(a, str)]
    else:
        candidates = []
    for candidate in candidates:
        if candidate in provider.client_ids:
            return candidate
    raise _invalid("incorrect token audience", "AUDIENCE_NOT_ALLOWED")


def verify_web_identity_token(token: str, provider: OidcProvider, jwks: JwksSource, now: datetime) -> WebIdentityToken:
    """Verify an OIDC token for `provider` at `now`; raise `StsError` as AWS STS would refuse it."""
    if now.tzinfo is None:
        raise ValueError("`now` must be timezone-aware")
    header, unverified = _unverified_parts(token)
    alg = header.get("alg")
    if not isinstance(alg, str) or alg not in ALLOWED_ALGORITHMS:
        raise _invalid(f"the signing algorithm `{alg}` is not supported", "UNSUPPORTED_ALGORITHM")
    issuer = issuer_url_of(provider)
    # The unverified `iss` only chooses where keys come from, and only once it names the trusted provider.
    if unverified.get("iss") != issuer:
        raise _invalid(
            f"no OpenIDConnect provider found for `{unverified.get('iss')}`; expected `{issuer}`", "ISSUER_MISMATCH"
        )
    key = _signing_key(header, jwks.keys_for(issuer), alg)
    claims = _verified_payload(token, key, alg)
    if claims.get("iss") != issuer:
        raise _invalid("the verified `iss` does not name the provider", "ISSUER_MISMATCH")
    _check_times(claims, now)
    audience = _matched_audience(claims, provider)
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject:
        raise _invalid("missing a required claim: sub", "MISSING_SUBJECT")
    return WebIdentityToken(
        provider=provider, issuer=issuer, subject=subject, audience=audience, claims=MappingProxyType(claims)
    )
