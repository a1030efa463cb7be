"""Sign-in through a real OpenID Connect provider: code + PKCE, state and nonce, ID token claims, server-side sessions.

OpenID Connect Core 1.0, authorization code flow (https://openid.net/specs/openid-connect-core-1_0.html#CodeFlowAuth);
PKCE S256 (RFC 7636). Groups and the `department` attribute come from the ID token.
"""

from __future__ import annotations

from iamtwin.broker.web.sessions import COOKIE_NAME

from .conftest import WebBroker, sign_in


def test_alice_signs_in_and_the_session_carries_her_groups_and_attributes(web: WebBroker) -> None:
    """After the provider's login form, /api/v1/me names alice with the ID token's groups and department."""
    client = sign_in(web, "alice")
    me = client.get("/api/v1/me").json()
    assert me["subject"] == "alice@example.com"
    assert me["groups"] == ["storage-team"]
    assert me["attributes"] == {"department": "storage"}
    assert me["auditor"] is False
    home = client.get("/")
    assert "alice@example.com" in home.text


def test_the_session_cookie_is_httponly_and_samesite_lax_and_replaced_at_sign_in(web: WebBroker) -> None:
    """The pre-sign-in cookie is not the signed-in one (no session fixation); the cookie is HttpOnly and Lax."""
    client = web.client()
    started = client.get("/login")
    assert started.status_code == 303
    assert started.headers["location"].startswith(web.provider.issuer + "/auth?")
    assert "code_challenge_method=S256" in started.headers["location"]
    cookie = started.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("samesite", "SameSite")
    before = client.cookies[COOKIE_NAME]
    signed = sign_in(web, "alice")
    assert signed.cookies[COOKIE_NAME] != before


def test_a_callback_with_another_state_is_refused(web: WebBroker) -> None:
    """A forged callback (state not this browser's) signs nobody in."""
    client = web.client()
    client.get("/login")
    forged = client.get("/auth/callback", params={"code": "stolen", "state": "not-mine"})
    assert forged.status_code == 400
    assert 'data-code="SIGN_IN_FAILED"' in forged.text
    assert client.get("/api/v1/me").status_code == 401
