"""OpenID Connect sign-in: authorization code with PKCE (S256), and ID tokens checked against the provider's JWKS.

The flow follows OpenID Connect Core 1.0 section 3.1 (https://openid.net/specs/openid-connect-core-1_0.html):
the browser is sent to the provider's authorization endpoint with `state`, `nonce` and a PKCE
challenge (RFC 7636); the callback's `state` must equal the one stored in the server-side session,
the code is exchanged with the verifier, and the ID token must be signed by a key of the provider's
JWKS and carry this issuer, this client as audience, an unexpired `exp` and the stored `nonce`.
Authlib builds the authorization request and the PKCE challenge (its httpx client is not used: without
the `httpx2` package it is deprecated); the code is exchanged with httpx (client_secret_basic); joserfc
(Authlib's JOSE library) checks the token.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import quote

import httpx
from authlib.oauth2.rfc6749.parameters import prepare_grant_uri  # type: ignore[import-untyped]  # Authlib has no types
from authlib.oauth2.rfc7636 import create_s256_code_challenge  # type: ignore[import-untyped]
from joserfc import jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet

from ...clock import Clock
from ..rules import Person
from .config import OidcConfig
from .errors import WebError, WebErrorCode

# Asymmetric algorithms only: a token "signed" with the client secret (HS256) or unsigned is refused.
ALLOWED_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA")
CLOCK_SKEW_SECONDS = 60
# Tokens naming an unknown key make the keys be read again, at most this often (no fetch per bad token).
KEY_REFRESH_SECONDS = 60.0


@dataclass(frozen=True, slots=True)
class LoginAttempt:
    """What a sign-in started: kept server-side until the callback, never sent to the browser except `state`."""

    state: str
    nonce: str
    code_verifier: str
    next_path: str


@dataclass(frozen=True, slots=True)
class SignedIn:
    """A validated sign-in: the person, and the ID token's claims and expiry."""

    person: Person
    claims: Mapping[str, Any]


class OidcClient:
    """One provider: discovery and keys fetched once (keys again when a token names an unknown key)."""

    def __init__(self, config: OidcConfig, redirect_uri: str, clock: Clock, *, timeout: float = 10.0) -> None:
        self.config = config
        self.redirect_uri = redirect_uri
        self.clock = clock
        self.timeout = timeout
        self._discovery: Mapping[str, Any] | None = None
        self._keys: KeySet | None = None
        self._keys_read_at = float("-inf")

    async def _get_json(self, url: str) -> Mapping[str, Any]:
        try:
            async with httpx.AsyncClient(timeout=self.timeout) as http:
                answer = await http.get(url)
                answer.raise_for_status()
                data = answer.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise WebError(WebErrorCode.PROVIDER_UNREACHABLE, f"cannot read `{url}`: {exc}") from exc
        if not isinstance(data, Mapping):
            raise WebError(WebErrorCode.PROVIDER_UNREACHABLE, f"`{url}` did not answer a JSON object")
        return data

    async def discovery(self) -> Mapping[str, Any]:
        """The provider's metadata (OpenID Connect Discovery 1.0), whose issuer must be the configured one."""
        if self._discovery is None:
            url = self.config.issuer.rstrip("/") + "/.well-known/openid-configuration"
            found = await self._get_json(url)
            if found.get("issuer") != self.config.issuer:
                raise WebError(
                    WebErrorCode.PROVIDER_UNREACHABLE,
                    f"the provider names issuer `{found.get('issuer')}`, not `{self.config.issuer}`",
                )
            self._discovery = found
        return self._discovery

    async def _key_set(self, *, refresh: bool = False) -> KeySet:
        if self._keys is None or (refresh and time.monotonic() - self._keys_read_at > KEY_REFRESH_SECONDS):
            self._keys_read_at = time.monotonic()
            jwks_uri = str((await self.discovery())["jwks_uri"])
            self._keys = KeySet.import_key_set(cast(Any, await self._get_json(jwks_uri)))
        return self._keys

    async def start(self, next_path: str) -> tuple[str, LoginAttempt]:
        """The authorization URL to send the browser to, and what the callback must find."""
        attempt = LoginAttempt(
            state=secrets.token_urlsafe(32),
            nonce=secrets.token_urlsafe(32),
            code_verifier=secrets.token_urlsafe(64),
            next_path=next_path,
        )
        endpoint = str((await self.discovery())["authorization_endpoint"])
        url = prepare_grant_uri(
            endpoint,
            self.config.client_id,
            "code",
            redirect_uri=self.redirect_uri,
            scope=" ".join(self.config.scopes),
            state=attempt.state,
            nonce=attempt.nonce,
            code_challenge=create_s256_code_challenge(attempt.code_verifier),
            code_challenge_method="S256",
        )
        return str(url), attempt

    async def finish(self, attempt: LoginAttempt, params: Mapping[str, str]) -> SignedIn:
        """Check the callback against the stored attempt, exchange the code, validate the ID token."""
        if "error" in params:
            raise WebError(WebErrorCode.SIGN_IN_FAILED, f"the provider refused the sign-in: `{params['error']}`")
        if not secrets.compare_digest(params.get("state", ""), attempt.state):
            raise WebError(WebErrorCode.SIGN_IN_FAILED, "the sign-in's state does not match this browser's")
        # RFC 9207: when the provider names itself in the response, it must be the configured issuer.
        if "iss" in params and params["iss"] != self.config.issuer:
            raise WebError(WebErrorCode.SIGN_IN_FAILED, "the sign-in came back from another issuer")
        code = params.get("code")
        if not code:
            raise WebError(WebErrorCode.SIGN_IN_FAILED, "the provider sent no authorization code")
        endpoint = str((await self.discovery())["token_endpoint"])
        # RFC 6749 section 2.3.1: client_secret_basic form-encodes the id and secret before Basic encoding.
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": self.redirect_uri,
            "code_verifier": attempt.code_verifier,
        }
        try:
            async with httpx.AsyncClient(timeout=self.timeout) as http:
                answer = await http.post(
                    endpoint,
                    data=form,
                    auth=(quote(self.config.client_id, safe=""), quote(self.config.client_secret, safe="")),
                )
            token = answer.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise WebError(WebErrorCode.SIGN_IN_FAILED, f"the code exchange failed: {exc}") from exc
        if answer.status_code != 200 or not isinstance(token, dict):
            error = token.get("error") if isinstance(token, dict) else None
            raise WebError(WebErrorCode.SIGN_IN_FAILED, f"the provider refused the code exchange: `{error}`")
        id_token = token.get("id_token")
        if not isinstance(id_token, str):
            raise WebError(WebErrorCode.SIGN_IN_FAILED, "the provider returned no ID token")
        claims = await self.validate(id_token, nonce=attempt.nonce)
        return SignedIn(self.person(claims), claims)

    async def validate(self, id_token: str, *, nonce: str | None = None) -> Mapping[str, Any]:
        """The claims of an ID token signed by the provider for this client, unexpired (and with this nonce)."""
        try:
            try:
                decoded = jwt.decode(id_token, await self._key_set(), algorithms=list(ALLOWED_ALGORITHMS))
            except InvalidKeyIdError:
                # The provider may have rotated its keys since they were read.
                keys = await self._key_set(refresh=True)
                decoded = jwt.decode(id_token, keys, algorithms=list(ALLOWED_ALGORITHMS))
            options: dict[str, Any] = {
                "iss": {"essential": True, "value": self.config.issuer},
                "aud": {"essential": True, "value": self.config.client_id},
                "exp": {"essential": True},
                "sub": {"essential": True},
            }
            if nonce is not None:
                options["nonce"] = {"essential": True, "value": nonce}
            registry = jwt.JWTClaimsRegistry(
                now=lambda: int(self.clock.now().timestamp()), leeway=CLOCK_SKEW_SECONDS, **options
            )
            registry.validate(decoded.claims)
        except (JoseError, ValueError) as exc:
            raise WebError(WebErrorCode.INVALID_TOKEN, f"the ID token is not valid: {exc}") from exc
        claims = decoded.claims
        # OpenID Connect Core 3.1.3.7: with several audiences, `azp` must name this client.
        audience = claims.get("aud")
        if isinstance(audience, list) and len(audience) > 1 and claims.get("azp") != self.config.client_id:
            raise WebError(WebErrorCode.INVALID_TOKEN, "the ID token was issued to another client")
        return claims

    def person(self, claims: Mapping[str, Any]) -> Person:
        """The person an ID token names: the identity claim, groups and attributes exactly as given."""
        subject = claims.get(self.config.identity_claim)
        if not isinstance(subject, str) or not subject:
            raise WebError(WebErrorCode.INVALID_TOKEN, f"the ID token has no `{self.config.identity_claim}` claim")
        if self.config.identity_claim == "email" and claims.get("email_verified") is False:
            raise WebError(WebErrorCode.INVALID_TOKEN, "the provider has not verified this email address")
        raw_groups = claims.get(self.config.groups_claim, [])
        groups = [raw_groups] if isinstance(raw_groups, str) else raw_groups
        if not isinstance(groups, list) or not all(isinstance(g, str) for g in groups):
            raise WebError(WebErrorCode.INVALID_TOKEN, f"the `{self.config.groups_claim}` claim is not a list of names")
        attributes = {name: claims[name] for name in self.config.attribute_claims if isinstance(claims.get(name), str)}
        return Person(subject, frozenset(groups), attributes)
