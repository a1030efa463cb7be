"""CloudTrail's userIdentity for a caller of the world: a user's key, a role session, a federation.

The shapes follow the userIdentity element's examples and fields
(https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html):
a user's long-term key is `IAMUser` with the user's unique id; an assumed-role session is
`AssumedRole` with `principalId` `AROA…:session-name` and a `sessionContext.sessionIssuer` naming
the role; a federation token is `FederatedUser` issued by the user; GetSessionToken credentials stay
`IAMUser`, with a sessionContext. The source identity of a session is `sessionContext.sourceIdentity`.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from ..evaluate.principal import parse_principal
from ..world.store.sessions import StoredSession
from ..world.stored import Caller, World
from .event import SessionContext, SessionIssuer, UserIdentity


def _name(arn: str) -> str:
    return arn.rsplit("/", 1)[-1]


def _account(arn: str) -> str:
    return parse_principal(arn).account or ""


def _user_id(world: World, arn: str) -> str:
    user = world.view.user(_account(arn), _name(arn)) if ":user/" in arn else None
    return (user.user_id if user is not None else None) or _account(arn)


def _role_id(world: World, arn: str) -> str:
    role = world.view.role(_account(arn), _name(arn))
    return (role.role_id if role is not None else None) or _account(arn)


def _mfa(session: StoredSession) -> bool:
    return session.context.get("aws:MultiFactorAuthPresent") == "true"


def identity_of(world: World, caller: Caller) -> UserIdentity:
    """The userIdentity of a verified caller."""
    arn = caller.arn
    account = _account(arn)
    key = caller.key.access_key_id if caller.key is not None else None
    session = caller.session
    if session is None:
        if arn.endswith(":root"):
            return UserIdentity("Root", account, arn, account, key)
        if ":role/" in arn:  # only the command line acts as a role itself (AWS calls come from its sessions)
            return UserIdentity("Role", _role_id(world, arn), arn, account, key, _name(arn))
        return UserIdentity("IAMUser", _user_id(world, arn), arn, account, key, _name(arn))
    if session.kind == "assumed-role":
        role_id = session.user_id.split(":", 1)[0]
        issuer = SessionIssuer("Role", role_id, session.base_arn, account, _name(session.base_arn))
        # A web-identity session names its provider (the OIDC provider's ARN) in webIdFederationData.
        federated = session.context.get("aws:FederatedProvider")
        provider = federated if isinstance(federated, str) and ":oidc-provider/" in federated else None
        context = SessionContext(session.issued_at, _mfa(session), issuer, session.source_identity, provider)
        return UserIdentity("AssumedRole", session.user_id, session.arn, account, key, session=context)
    user_type = "Root" if session.base_arn.endswith(":root") else "IAMUser"
    issuer = SessionIssuer(
        user_type, _user_id(world, session.base_arn), session.base_arn, account, _name(session.base_arn)
    )
    if session.kind == "federated-user":
        context = SessionContext(session.issued_at, _mfa(session), issuer, session.source_identity)
        return UserIdentity("FederatedUser", session.user_id, session.arn, account, key, session=context)
    # GetSessionToken: still the user, with the session's attributes.
    context = SessionContext(session.issued_at, _mfa(session), None, session.source_identity)
    return UserIdentity(user_type, issuer.principal_id, session.base_arn, account, key, issuer.user_name, context)


def _claims(token: str) -> dict[str, Any]:
    try:
        payload = token.split(".")[1]
        data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def web_identity_user(token: str) -> UserIdentity:
    """The userIdentity of an AssumeRoleWithWebIdentity caller, from its token's issuer, audience and subject.

    The token is read, not verified, here: the STS call verified it, and a refused call is recorded
    with what it claimed.
    """
    claims = _claims(token)
    audience = claims.get("aud", "")
    audience = audience[0] if isinstance(audience, list) and audience else audience
    return federated_subject(str(claims.get("iss", "")), str(audience), str(claims.get("sub", "")))


def federated_subject(issuer: str, audience: str, subject: str) -> UserIdentity:
    """A web identity: `principalId` `issuer:audience:subject`, `userName` the subject, the issuer's host."""
    host = issuer.split("://", 1)[-1].rstrip("/")
    return UserIdentity(
        "WebIdentityUser", f"{host}:{audience}:{subject}", user_name=subject, identity_provider=host or None
    )


def unknown_identity(access_key_id: str | None = None) -> UserIdentity:
    """The userIdentity of a request whose credentials were not accepted."""
    return UserIdentity("Unknown", access_key_id=access_key_id)
