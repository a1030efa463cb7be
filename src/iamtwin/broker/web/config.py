"""What the operator configures: the OIDC provider and client, which claims carry groups and attributes, cookies."""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_SESSION_SECONDS = 8 * 3600
DEFAULT_SWEEP_SECONDS = 60.0


@dataclass(frozen=True, slots=True)
class OidcConfig:
    """An OpenID Connect provider and this broker's client registration at it."""

    issuer: str
    client_id: str
    client_secret: str
    scopes: tuple[str, ...] = ("openid", "email", "groups", "department")
    identity_claim: str = "email"
    groups_claim: str = "groups"
    attribute_claims: tuple[str, ...] = ("department",)


@dataclass(frozen=True, slots=True)
class WebConfig:
    """How the web edge is served: its public URL (for the OIDC redirect), cookies, sweep interval (0: none)."""

    public_url: str
    secure_cookies: bool = True
    session_seconds: int = DEFAULT_SESSION_SECONDS
    sweep_seconds: float = DEFAULT_SWEEP_SECONDS

    @property
    def redirect_uri(self) -> str:
        """Where the provider sends the browser back with the authorization code."""
        return self.public_url.rstrip("/") + "/auth/callback"
