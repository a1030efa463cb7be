"""Bearer tokens are verified once and then answered from `VerifiedTokens`, inside the token's own window.

The window is the one verification enforces for an IAM OIDC provider: `exp` plus the five minutes
of clock skew IAM allows, not before `nbf`/`iat` minus the same
(https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_oidc.html), and never
longer than the key set is cached, so a withdrawn key is not honoured longer than without the cache.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from types import MappingProxyType
from typing import Any

import pytest
from tests.sts.federation_fixtures import SigningIdentity, epoch, make_identity, sign_token

from iamtwin.api.authorizer import Authorizer, AuthorizerConfig, Unauthorized
from iamtwin.api.verified_tokens import VerifiedTokens
from iamtwin.sts.oidc import OidcProvider, WebIdentityToken
from iamtwin.world.stored import World

ISSUER = "https://idp.example.com"
ACCOUNT = "123456789012"
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


class CountingJwks:
    """The in-memory key set of one issuer, counting lookups: one lookup per signature verification."""

    def __init__(self, key_set: Mapping[str, Any]) -> None:
        self.key_set = key_set
        self.lookups = 0

    def keys_for(self, issuer_url: str) -> Mapping[str, Any]:
        """The key set (every verification asks for it)."""
        self.lookups += 1
        return self.key_set


@pytest.fixture(scope="module")
def signer() -> SigningIdentity:
    """One RSA key for the module's tokens."""
    return make_identity()


def _authorizer(world: World, signer: SigningIdentity, **cache: Any) -> tuple[Authorizer, CountingJwks]:
    jwks = CountingJwks({"keys": [signer.public_jwk("k1")]})
    config = AuthorizerConfig(ISSUER, ("petstore-app",), ACCOUNT)
    return Authorizer(world, config, jwks, VerifiedTokens(**cache) if cache else None), jwks


def _token(signer: SigningIdentity, **claims: Any) -> str:
    base = {"iss": ISSUER, "aud": "petstore-app", "sub": "user-42", "iat": epoch(NOW), "exp": epoch(NOW) + 600}
    return sign_token(signer, {**base, **claims})


def test_a_token_is_verified_once_while_it_is_valid(world: World, signer: SigningIdentity) -> None:
    """Repeated requests with one token check its signature once; the answer is the same token."""
    authorizer, jwks = _authorizer(world, signer)
    header = "Bearer " + _token(signer)
    first = authorizer.verify(header, NOW)
    for minute in range(1, 4):
        assert authorizer.verify(header, NOW + timedelta(minutes=minute)) is first
    assert jwks.lookups == 1


def test_a_cached_token_expires_with_iams_five_minutes_of_skew(world: World, signer: SigningIdentity) -> None:
    """Accepted until `exp` + 5 minutes, refused after, exactly as without the cache."""
    authorizer, _ = _authorizer(world, signer, key_set_seconds=3600)
    header = "Bearer " + _token(signer)
    authorizer.verify(header, NOW)
    expires = NOW + timedelta(seconds=600)
    authorizer.verify(header, expires + timedelta(minutes=5))
    with pytest.raises(Unauthorized):
        authorizer.verify(header, expires + timedelta(minutes=5, seconds=1))
    fresh, _ = _authorizer(world, signer, key_set_seconds=3600)
    with pytest.raises(Unauthorized):  # the reference: verification alone refuses it at the same instant
        fresh.verify(header, expires + timedelta(minutes=5, seconds=1))


def test_a_cached_token_is_not_accepted_before_its_nbf(world: World, signer: SigningIdentity) -> None:
    """A clock read before `nbf` - 5 minutes refuses the token even after it was verified later."""
    authorizer, _ = _authorizer(world, signer)
    header = "Bearer " + _token(signer, nbf=epoch(NOW) + 60)
    authorizer.verify(header, NOW + timedelta(minutes=2))
    authorizer.verify(header, NOW - timedelta(minutes=4))
    with pytest.raises(Unauthorized):
        authorizer.verify(header, NOW - timedelta(minutes=5))


def test_the_signature_is_checked_again_when_the_key_set_would_be_refetched(
    world: World, signer: SigningIdentity
) -> None:
    """After `key_set_seconds` the token is verified again, so a key the provider withdrew stops working."""
    authorizer, jwks = _authorizer(world, signer, key_set_seconds=300)
    header = "Bearer " + _token(signer)
    authorizer.verify(header, NOW)
    authorizer.verify(header, NOW + timedelta(seconds=299))
    assert jwks.lookups == 1
    jwks.key_set = {"keys": [make_identity().public_jwk("k1")]}  # the provider replaced its key
    with pytest.raises(Unauthorized):
        authorizer.verify(header, NOW + timedelta(seconds=301))


def test_refused_tokens_are_never_kept(world: World, signer: SigningIdentity) -> None:
    """A refusal is decided afresh each time: nothing is cached for it."""
    authorizer, jwks = _authorizer(world, signer)
    header = "Bearer " + _token(signer, aud="someone-else")
    for _ in range(2):
        with pytest.raises(Unauthorized):
            authorizer.verify(header, NOW)
    assert jwks.lookups == 2 and len(authorizer.tokens) == 0


def test_the_cache_is_bounded_least_recently_used_first(world: World, signer: SigningIdentity) -> None:
    """At most `max_tokens` entries; the one used least recently leaves first."""
    authorizer, jwks = _authorizer(world, signer, max_tokens=2)
    a, b, c = ("Bearer " + _token(signer, sub=name) for name in "abc")
    authorizer.verify(a, NOW)
    authorizer.verify(b, NOW)
    authorizer.verify(a, NOW)  # a is now the most recent
    authorizer.verify(c, NOW)  # b leaves
    assert len(authorizer.tokens) == 2 and jwks.lookups == 3
    authorizer.verify(a, NOW)
    assert jwks.lookups == 3
    authorizer.verify(b, NOW)
    assert jwks.lookups == 4


def test_an_exp_at_the_end_of_the_calendar_does_not_overflow() -> None:
    """`exp` at 9999-12-31T23:59:59Z is kept for the key set's lifetime; `exp` + 5 minutes would overflow."""
    provider = OidcProvider("idp.example.com", ("petstore-app",), f"arn:aws:iam::{ACCOUNT}:oidc-provider/idp")
    claims = MappingProxyType({"sub": "u", "exp": 253402300799})
    verified = WebIdentityToken(provider, ISSUER, "u", "petstore-app", claims)
    tokens = VerifiedTokens(key_set_seconds=300)
    tokens.put("t", verified, NOW)
    assert tokens.get("t", NOW + timedelta(seconds=300)) is verified
    assert tokens.get("t", NOW + timedelta(seconds=301)) is None
