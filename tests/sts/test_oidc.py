"""Web identity tokens verified against a real OIDC issuer served on 127.0.0.1."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import jwt
import pytest

from iamtwin.sts.errors import StsError
from iamtwin.sts.oidc import (
    HttpJwksSource,
    OidcProvider,
    StaticJwksSource,
    WebIdentityToken,
    verify_web_identity_token,
)

from .federation_fixtures import (
    NOW,
    OidcIssuerServer,
    SigningIdentity,
    epoch,
    make_identity,
    running_issuer,
    sign_token,
)

CLIENT_ID = "sts.amazonaws.com"
OIDC_GUIDE = "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_oidc.html"


@pytest.fixture(scope="module")
def identity() -> SigningIdentity:
    return make_identity("oidc.example")


@pytest.fixture
def issuer(identity: SigningIdentity) -> Iterator[OidcIssuerServer]:
    with running_issuer({"keys": [identity.public_jwk("k1")]}) as server:
        yield server


def _provider(server: OidcIssuerServer, *client_ids: str) -> OidcProvider:
    return OidcProvider(
        url=server.host,
        client_ids=client_ids or (CLIENT_ID,),
        arn=f"arn:aws:iam::123456789012:oidc-provider/{server.host}",
    )


def _claims(server: OidcIssuerServer, **overrides: Any) -> dict[str, Any]:
    claims: dict[str, Any] = {
        "iss": server.issuer,
        "sub": "repo:octo-org/octo-repo:ref:refs/heads/main",
        "aud": CLIENT_ID,
        "iat": epoch(NOW - timedelta(minutes=1)),
        "nbf": epoch(NOW - timedelta(minutes=1)),
        "exp": epoch(NOW + timedelta(minutes=10)),
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


def _verify(token: str, server: OidcIssuerServer, **kwargs: Any) -> WebIdentityToken:
    return verify_web_identity_token(token, _provider(server), HttpJwksSource(timeout_seconds=2), NOW, **kwargs)


def _refused(token: str, server: OidcIssuerServer) -> StsError:
    with pytest.raises(StsError) as caught:
        _verify(token, server)
    return caught.value


def test_valid_token_is_verified_through_discovery(identity: SigningIdentity, issuer: OidcIssuerServer) -> None:
    """https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithWebIdentity.html — STS validates
    the token with the keys the IdP publishes (OIDC discovery `jwks_uri`) and returns issuer, subject, audience."""
    result = _verify(sign_token(identity, _claims(issuer)), issuer)
    assert (result.issuer, result.subject, result.audience) == (issuer.issuer, _claims(issuer)["sub"], CLIENT_ID)
    assert issuer.requests == ["/.well-known/openid-configuration", "/keys"]


def test_key_set_is_cached_between_calls(identity: SigningIdentity, issuer: OidcIssuerServer) -> None:
    """https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_oidc.html — IAM fetches the
    provider's keys from its discovery endpoint; a second token in the cache period needs no new fetch."""
    source = HttpJwksSource(timeout_seconds=2)
    token = sign_token(identity, _claims(issuer))
    for _ in range(2):
        verify_web_identity_token(token, _provider(issuer), source, NOW)
    assert len(issuer.requests) == 2


def test_wrong_issuer_is_refused(identity: SigningIdentity, issuer: OidcIssuerServer) -> None:
    """https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithWebIdentity.html — a token whose
    `iss` is not the IAM OIDC provider's URL cannot be validated: InvalidIdentityToken, no key is fetched."""
    error = _refused(sign_token(identity, _claims(issuer, iss="https://evil.example")), issuer)
    assert (error.code, error.reason) == ("InvalidIdentityToken", "ISSUER_MISMATCH")
    assert issuer.requests == []


def test_wrong_audience_is_refused(identity: SigningIdentity, issuer: OidcIssuerServer) -> None:
    """https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_oidc.html — the token's
    audience must be one of the provider's client IDs ("Incorrect token audience": InvalidIdentityToken)."""
    error = _refused(sign_token(identity, _claims(issuer, aud="someone-else")), issuer)
    assert (error.code, error.reason) == ("InvalidIdentityToken", "AUDIENCE_NOT_ALLOWED")


def test_azp_is_the_audience_when_present(identity: SigningIdentity, issuer: OidcIssuerServer) -> None:
    """https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#condition-keys-wif
    — when `azp` is set it is the audience AWS checks (`:aud`), and the token's `aud` becomes `:oaud`."""
    token = sign_token(identity, _claims(issuer, aud="web-client", azp=CLIENT_ID))
    result = _verify(token, issuer)
    keys = result.condition_keys()
    assert keys[f"{issuer.host}:aud"] == CLIENT_ID
    assert keys[f"{issuer.host}:oaud"] == "web-client"
    mismatched = sign_token(identity, _claims(issuer, aud=CLIENT_ID, azp="web-client"))
    assert _refused(mismatched, issuer).reason == "AUDIENCE_NOT_ALLOWED"


def test_expired_token_is_refused_after_the_clock_skew(identity: SigningIdentity, issuer: OidcIssuerServer) -> None:
    """https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_oidc.html — IAM accepts a JWT up to
    five minutes past `exp` for clock skew; later it is ExpiredTokenException."""
    within = sign_token(identity, _claims(issuer, exp=epoch(NOW - timedelta(minutes=4))))
    assert _verify(within, issuer).subject
    expired = sign_token(identity, _claims(issuer, exp=epoch(NOW - timedelta(minutes=6))))
    error = _refused(expired, issuer)
    assert (error.code, error.reason, error.sts_code.http_status) == ("ExpiredTokenException", "TOKEN_EXPIRED", 400)


def test_token_valid_until_the_last_second_of_year_9999_is_accepted(
    identity: SigningIdentity, issuer: OidcIssuerServer
) -> None:
    """An `exp` at 9999-12-31T23:59:59Z is a far but valid expiry: accepted, never a server error."""
    token = sign_token(identity, _claims(issuer, exp=253402300799))
    assert _verify(token, issuer).subject


def test_not_yet_valid_token_is_refused(identity: SigningIdentity, issuer: OidcIssuerServer) -> None:
    """https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithWebIdentity.html — a token whose
    `nbf` lies ahead (beyond the skew allowance of the OIDC guide) cannot be validated yet."""
    token = sign_token(identity, _claims(issuer, nbf=epoch(NOW + timedelta(minutes=10))))
    error = _refused(token, issuer)
    assert (error.code, error.reason) == ("InvalidIdentityToken", "TOKEN_NOT_YET_VALID")


def test_bad_signature_is_refused(identity: SigningIdentity, issuer: OidcIssuerServer) -> None:
    """https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithWebIdentity.html — a token signed
    by another key than the provider's cannot be validated: InvalidIdentityToken."""
    forged = sign_token(make_identity("attacker"), _claims(issuer), kid="k1")
    error = _refused(forged, issuer)
    assert (error.code, error.reason) == ("InvalidIdentityToken", "INVALID_SIGNATURE")


def test_tampered_claims_break_the_signature(identity: SigningIdentity, issuer: OidcIssuerServer) -> None:
    """https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithWebIdentity.html — changing a
    claim after signing leaves a token AWS cannot validate."""
    header, _, signature = sign_token(identity, _claims(issuer)).split(".")
    payload = base64.urlsafe_b64encode(json.dumps(_claims(issuer, sub="admin")).encode()).rstrip(b"=").decode()
    assert _refused(f"{header}.{payload}.{signature}", issuer).reason == "INVALID_SIGNATURE"


def test_unknown_kid_is_refused(identity: SigningIdentity, issuer: OidcIssuerServer) -> None:
    """https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_oidc.html — the signing key
    is looked up by `kid` in the provider's JWKS; a key that is not there cannot verify the token."""
    error = _refused(sign_token(identity, _claims(issuer), kid="rotated-away"), issuer)
    assert (error.code, error.reason) == ("InvalidIdentityToken", "UNKNOWN_KEY_ID")


@pytest.mark.parametrize("alg", ["none", "HS256"])
def test_unsigned_and_hmac_tokens_are_refused(alg: str, issuer: OidcIssuerServer) -> None:
    """https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_oidc.html — OIDC providers
    sign with the private key behind their published JWKS; `alg: none` and shared-secret HMAC are refused."""
    key = None if alg == "none" else "a-shared-secret-of-at-least-32-bytes!"
    token = jwt.encode(_claims(issuer), key, algorithm=alg, headers={"kid": "k1"})
    error = _refused(token, issuer)
    assert (error.code, error.reason) == ("InvalidIdentityToken", "UNSUPPORTED_ALGORITHM")
    assert issuer.requests == []


def test_jwks_endpoint_down_is_a_communication_error(identity: SigningIdentity) -> None:
    """https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithWebIdentity.html — when the IdP
    asked to verify the token cannot be reached, STS answers IDPCommunicationError."""
    server = OidcIssuerServer(jwks={"keys": [identity.public_jwk("k1")]})
    server.start()
    server.stop()
    error = _refused(sign_token(identity, _claims(server)), server)
    assert (error.code, error.reason) == ("IDPCommunicationError", "IDP_UNREACHABLE")


def test_missing_discovery_document_is_invalid(identity: SigningIdentity, issuer: OidcIssuerServer) -> None:
    """https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_oidc.html — IAM reads the keys
    through the issuer's `/.well-known/openid-configuration`; an issuer that answers without one gives
    "couldn't retrieve verification key" (InvalidIdentityToken), not a communication error."""
    provider = OidcProvider(f"{issuer.host}/tenant", (CLIENT_ID,), "arn:aws:iam::1:oidc-provider/x")
    token = sign_token(identity, _claims(issuer, iss=f"{issuer.issuer}/tenant"))
    with pytest.raises(StsError) as caught:
        verify_web_identity_token(token, provider, HttpJwksSource(timeout_seconds=2), NOW)
    assert (caught.value.code, caught.value.reason) == ("InvalidIdentityToken", "JWKS_NOT_FOUND")


def test_missing_subject_is_refused(identity: SigningIdentity, issuer: OidcIssuerServer) -> None:
    """https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithWebIdentity.html — the response's
    `SubjectFromWebIdentityToken` is the token's `sub`; a token without one is not a valid identity."""
    error = _refused(sign_token(identity, _claims(issuer, sub=None)), issuer)
    assert (error.code, error.reason) == ("InvalidIdentityToken", "MISSING_SUBJECT")


def test_malformed_token_is_refused(issuer: OidcIssuerServer) -> None:
    """https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithWebIdentity.html — a string that
    is not a JWT cannot be validated: InvalidIdentityToken."""
    assert _refused("not.a.jwt", issuer).code == "InvalidIdentityToken"


def test_github_condition_keys(identity: SigningIdentity) -> None:
    """https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#condition-keys-wif
    — keys are `<provider-url>:<claim>`: `aud`, `sub`, `amr`, `oaud` for every provider, plus GitHub's
    documented claims (`repository`, `ref`, `job_workflow_ref`, ...) for token.actions.githubusercontent.com."""
    provider = OidcProvider("token.actions.githubusercontent.com", (CLIENT_ID,), "arn:aws:iam::1:oidc-provider/x")
    claims = {
        "iss": "https://token.actions.githubusercontent.com",
        "sub": "repo:octo-org/octo-repo:environment:prod",
        "aud": CLIENT_ID,
        "exp": epoch(NOW + timedelta(minutes=5)),
        "repository": "octo-org/octo-repo",
        "repository_id": 74,
        "ref": "refs/heads/main",
        "run_id": "99",
    }
    jwks = StaticJwksSource({"https://token.actions.githubusercontent.com": {"keys": [identity.public_jwk("k1")]}})
    keys = verify_web_identity_token(sign_token(identity, claims), provider, jwks, NOW).condition_keys()
    prefix = "token.actions.githubusercontent.com"
    assert keys == {
        f"{prefix}:sub": claims["sub"],
        f"{prefix}:aud": CLIENT_ID,
        f"{prefix}:oaud": CLIENT_ID,
        f"{prefix}:repository": "octo-org/octo-repo",
        f"{prefix}:repository_id": "74",
        f"{prefix}:ref": "refs/heads/main",
    }


def test_cognito_amr_is_multivalued(identity: SigningIdentity) -> None:
    """https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#condition-keys-wif
    — `cognito-identity.amazonaws.com:amr` is multivalued (`authenticated` and the login provider)."""
    provider = OidcProvider("cognito-identity.amazonaws.com", ("us-east-2:pool",), "cognito-identity.amazonaws.com")
    claims = {
        "iss": "https://cognito-identity.amazonaws.com",
        "sub": "us-east-2:user",
        "aud": "us-east-2:pool",
        "exp": epoch(NOW + timedelta(minutes=5)),
        "amr": ["authenticated", "graph.facebook.com"],
    }
    jwks = StaticJwksSource({"https://cognito-identity.amazonaws.com": {"keys": [identity.public_jwk("k1")]}})
    keys = verify_web_identity_token(sign_token(identity, claims), provider, jwks, NOW).condition_keys()
    assert keys["cognito-identity.amazonaws.com:amr"] == ["authenticated", "graph.facebook.com"]
    assert keys["cognito-identity.amazonaws.com:aud"] == "us-east-2:pool"


@pytest.mark.parametrize(
    ("url", "app_key", "user_key"),
    [("graph.facebook.com", "app_id", "id"), ("www.amazon.com", "app_id", "user_id")],
)
def test_facebook_and_amazon_name_app_and_user(
    identity: SigningIdentity, url: str, app_key: str, user_key: str
) -> None:
    """https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#condition-keys-wif
    — Facebook and Login with Amazon keys are `graph.facebook.com:app_id`/`:id` and
    `www.amazon.com:app_id`/`:user_id`."""
    provider = OidcProvider(url, ("app-1",), url)
    claims = {"iss": f"https://{url}", "sub": "user-9", "aud": "app-1", "exp": epoch(NOW + timedelta(minutes=5))}
    jwks = StaticJwksSource({f"https://{url}": {"keys": [identity.public_jwk("k1")]}})
    keys = verify_web_identity_token(sign_token(identity, claims), provider, jwks, NOW).condition_keys()
    assert keys == {f"{url}:{app_key}": "app-1", f"{url}:{user_key}": "user-9"}
