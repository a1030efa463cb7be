"""Issuing temporary credentials: the session row, the `ASIA…` key and its secret, the token.

The secret access key is stored because SigV4 verification derives the signing key from it; the
session token only as its SHA-256, enough to recognise it when presented.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, Engine

from ..world.ids import new_access_key_id, new_secret_access_key, new_session_token
from ..world.model import Role
from ..world.store.sessions import StoredKey, StoredSession, token_hash, write_key, write_session
from ..world.stored import MFA_AUTH_TIME


@dataclass(frozen=True, slots=True)
class Credentials:
    """Temporary security credentials as STS returns them."""

    access_key_id: str
    secret_access_key: str
    session_token: str
    expiration: datetime

    def to_dict(self) -> dict[str, str]:
        """The `Credentials` structure of an STS response."""
        return {
            "AccessKeyId": self.access_key_id,
            "SecretAccessKey": self.secret_access_key,
            "SessionToken": self.session_token,
            "Expiration": self.expiration.strftime("%Y-%m-%dT%H:%M:%SZ"),
        }


@dataclass(frozen=True, slots=True)
class SessionRequest:
    """Everything a new session is made of, decided before anything is written."""

    kind: str
    account_id: str
    arn: str
    base_arn: str
    user_id: str
    issued_at: datetime
    duration: int
    source_identity: str | None
    parent_id: str | None
    tags: Mapping[str, str]
    transitive_tag_keys: tuple[str, ...]
    policies: tuple[tuple[str, str], ...] | None
    context: Mapping[str, str | list[str]]


def issue(conn: Connection, request: SessionRequest) -> tuple[StoredSession, Credentials]:
    """Write the session and its key; return them with the credentials to hand out."""
    session = StoredSession(
        id=secrets.token_hex(16),
        kind=request.kind,
        account_id=request.account_id,
        arn=request.arn,
        base_arn=request.base_arn,
        user_id=request.user_id,
        issued_at=request.issued_at,
        expires_at=request.issued_at + timedelta(seconds=request.duration),
        source_identity=request.source_identity,
        parent_id=request.parent_id,
        tags=dict(request.tags),
        transitive_tag_keys=request.transitive_tag_keys,
        policies=request.policies,
        context=dict(request.context),
    )
    token = new_session_token()
    write_session(conn, session, token_hash(token))
    key = StoredKey(
        new_access_key_id(temporary=True), new_secret_access_key(), session.arn, session.id, "Active", request.issued_at
    )
    write_key(conn, key)
    return session, Credentials(key.access_key_id, key.secret, token, session.expires_at)


@dataclass(frozen=True, slots=True)
class RoleSession:
    """A role session just issued: its ARN (`arn:aws:sts::ACCOUNT:assumed-role/ROLE/NAME`), id, row, keys."""

    arn: str
    assumed_role_id: str
    session: StoredSession
    credentials: Credentials


def issue_role_session(
    engine: Engine,
    role: Role,
    session_name: str,
    now: datetime,
    duration: int,
    *,
    source_identity: str | None = None,
    parent_id: str | None = None,
    tags: Mapping[str, str] | None = None,
    transitive_tag_keys: tuple[str, ...] = (),
    policies: tuple[tuple[str, str], ...] | None = None,
    mfa_at: str | None = None,
    keys: Mapping[str, str] | None = None,
) -> RoleSession:
    """Write a session of `role` with the keys AWS sets for its requests, in its own transaction."""
    account = role.arn.split(":")[4]
    arn = f"arn:aws:sts::{account}:assumed-role/{role.name}/{session_name}"
    user_id = f"{role.role_id}:{session_name}"
    context: dict[str, str | list[str]] = {
        "aws:userid": user_id,
        "aws:TokenIssueTime": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "aws:MultiFactorAuthPresent": "true" if mfa_at else "false",
        **(keys or {}),
    }
    if mfa_at:
        context[MFA_AUTH_TIME] = mfa_at
    if source_identity is not None:
        context["aws:SourceIdentity"] = source_identity
    request = SessionRequest(
        kind="assumed-role",
        account_id=account,
        arn=arn,
        base_arn=role.arn,
        user_id=user_id,
        issued_at=now,
        duration=duration,
        source_identity=source_identity,
        parent_id=parent_id,
        tags=dict(tags or {}),
        transitive_tag_keys=transitive_tag_keys,
        policies=policies,
        context=context,
    )
    with engine.begin() as conn:
        session, credentials = issue(conn, request)
    return RoleSession(arn, user_id, session, credentials)
