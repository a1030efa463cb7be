"""Session tags and a source identity carried by a web identity token, as AssumeRoleWithWebIdentity reads them.

An OIDC provider passes session tags in the claim `https://aws.amazon.com/tags`, an object with
`principal_tags` (each key to a single value, written as a one-element list or a string) and
optionally `transitive_tag_keys`
(https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html#id_session-tags_adding-assume-role-idp),
and a source identity in the claim `https://aws.amazon.com/source_identity`
(https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_monitor.html).
A claim that is there but not of that shape makes the token invalid rather than being ignored.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .errors import StsError, StsErrorCode

TAGS_CLAIM = "https://aws.amazon.com/tags"
SOURCE_IDENTITY_CLAIM = "https://aws.amazon.com/source_identity"


@dataclass(frozen=True, slots=True)
class TokenSessionAttributes:
    """What a token asks its session to carry: tags, which of them are transitive, a source identity."""

    tags: Mapping[str, str] = field(default_factory=dict)
    transitive_tag_keys: tuple[str, ...] = ()
    source_identity: str | None = None


def _malformed(message: str) -> StsError:
    return StsError(StsErrorCode.INVALID_IDENTITY_TOKEN, message, reason="MALFORMED_SESSION_CLAIM")


def _tag_value(key: str, value: Any) -> str:
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    if not isinstance(value, str):
        raise _malformed(f"the session tag `{key}` in the claim {TAGS_CLAIM} must have a single string value")
    return value


def token_session_attributes(claims: Mapping[str, Any]) -> TokenSessionAttributes:
    """The session tags and source identity a verified token's claims carry (none when it has neither claim)."""
    tags: dict[str, str] = {}
    transitive: tuple[str, ...] = ()
    claim = claims.get(TAGS_CLAIM)
    if claim is not None:
        if not isinstance(claim, dict):
            raise _malformed(f"the claim {TAGS_CLAIM} must be an object with `principal_tags`")
        principal_tags = claim.get("principal_tags", {})
        if not isinstance(principal_tags, dict) or not all(isinstance(k, str) for k in principal_tags):
            raise _malformed(f"`principal_tags` in the claim {TAGS_CLAIM} must map tag keys to values")
        tags = {key: _tag_value(key, value) for key, value in principal_tags.items()}
        keys = claim.get("transitive_tag_keys", [])
        if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
            raise _malformed(f"`transitive_tag_keys` in the claim {TAGS_CLAIM} must be a list of tag keys")
        transitive = tuple(keys)
    source = claims.get(SOURCE_IDENTITY_CLAIM)
    if source is not None and not isinstance(source, str):
        raise _malformed(f"the claim {SOURCE_IDENTITY_CLAIM} must be a string")
    return TokenSessionAttributes(tags, transitive, source)
