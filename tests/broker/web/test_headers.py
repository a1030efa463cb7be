"""The security headers on every answer, HSTS only over HTTPS (https://www.rfc-editor.org/rfc/rfc6797)."""

from __future__ import annotations

import asyncio

import httpx
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from iamtwin.broker.web.security import CONTENT_SECURITY_POLICY, SecurityHeaders


async def _hello(request: object) -> PlainTextResponse:
    return PlainTextResponse("hello")


def _headers(https: bool, path: str = "/") -> httpx.Headers:
    app = SecurityHeaders(Starlette(routes=[Route("/", _hello)]), https=https)

    async def fetch() -> httpx.Headers:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
            return (await client.get(path)).headers

    return asyncio.run(fetch())


def test_every_answer_carries_the_policy_even_a_404() -> None:
    """CSP without scripts, no framing, no referrer, no sniffing; an unknown path's 404 too."""
    for path in ("/", "/missing"):
        headers = _headers(https=False, path=path)
        assert headers["content-security-policy"] == CONTENT_SECURITY_POLICY
        assert "script-src 'none'" in CONTENT_SECURITY_POLICY and "'unsafe-inline'" not in CONTENT_SECURITY_POLICY
        assert headers["x-frame-options"] == "DENY"
        assert headers["referrer-policy"] == "no-referrer"
        assert headers["x-content-type-options"] == "nosniff"
        assert "strict-transport-security" not in headers


def test_hsts_is_sent_when_served_over_https() -> None:
    """With secure cookies (HTTPS) browsers are told to keep to HTTPS for a year."""
    assert _headers(https=True)["strict-transport-security"] == "max-age=31536000"
