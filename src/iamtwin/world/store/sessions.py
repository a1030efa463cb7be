"""Sessions and access keys as the store keeps them; STS writes them, decisions read them."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, select

from . import schema as t


@dataclass(frozen=True, slots=True)
class StoredSession:
    """A session STS issued: who it is, until when, and what it adds to the principal's policies.

    `kind` is `assumed-role`, `federated-user` or `session-token` (GetSessionToken of a user).
    `policies` are the session policies as (id, document text), None when none were passed.
    `context` holds the keys AWS sets for requests of the session (`aws:userid`,
    `aws:TokenIssueTime`, `aws:SourceIdentity`, MFA and federation keys).
    """

    id: str
    kind: str
    account_id: str
    arn: str
    base_arn: str
    user_id: str
    issued_at: datetime
    expires_at: datetime
    source_identity: str | None = None
    parent_id: str | None = None
    tags: Mapping[str, str] = field(default_factory=dict)
    transitive_tag_keys: tuple[str, ...] = ()
    policies: tuple[tuple[str, str], ...] | None = None
    context: Mapping[str, str | list[str]] = field(default_factory=dict)
    token_hash: str = ""

    def attributes(self) -> str:
        """The JSON text of the attributes column."""
        return json.dumps(
            {
                "tags": dict(self.tags),
                "transitive_tag_keys": list(self.transitive_tag_keys),
                "policies": None if self.policies is None else [list(p) for p in self.policies],
                "context": dict(self.context),
            }
        )


@dataclass(frozen=True, slots=True)
class StoredKey:
    """An access key: its secret (SigV4 needs it), owner and, for temporary keys, its session."""

    access_key_id: str
    secret: str
    owner_arn: str
    session_id: str | None
    status: str
    created_at: datetime


def token_hash(token: str) -> str:
    """How a session token is kept: its SHA-256, enough to recognise it and useless to a thief."""
    return hashlib.sha256(token.encode()).hexdigest()


def _aware(value: datetime) -> datetime:
    # SQLite hands back naive datetimes for timezone-aware columns; they were stored as UTC.
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def session_from_row(row: Any) -> StoredSession:
    """A session from its table row."""
    attributes = json.loads(row.attributes or "{}")
    policies = attributes.get("policies")
    return StoredSession(
        row.id,
        row.kind,
        row.account_id,
        row.arn,
        row.base_arn,
        row.user_id,
        _aware(row.issued_at),
        _aware(row.expires_at),
        row.source_identity,
        row.parent_id,
        attributes.get("tags", {}),
        tuple(attributes.get("transitive_tag_keys", ())),
        None if policies is None else tuple((p[0], p[1]) for p in policies),
        attributes.get("context", {}),
        row.token_hash,
    )


def read_key(conn: Connection, access_key_id: str) -> StoredKey | None:
    """The access key with this id, or None."""
    row = conn.execute(select(t.access_keys).where(t.access_keys.c.access_key_id == access_key_id)).first()
    if row is None:
        return None
    return StoredKey(row.access_key_id, row.secret, row.owner_arn, row.session_id, row.status, _aware(row.created_at))


def read_session(conn: Connection, session_id: str) -> StoredSession | None:
    """The session with this id, or None."""
    row = conn.execute(select(t.sessions).where(t.sessions.c.id == session_id)).first()
    return None if row is None else session_from_row(row)


def read_session_by_token(conn: Connection, token_hash: str) -> StoredSession | None:
    """The session whose token hashes to this value, or None."""
    row = conn.execute(select(t.sessions).where(t.sessions.c.token_hash == token_hash)).first()
    return None if row is None else session_from_row(row)


def write_session(conn: Connection, session: StoredSession, token_hash: str) -> None:
    """Store a new session."""
    conn.execute(
        t.sessions.insert().values(
            id=session.id,
            kind=session.kind,
            account_id=session.account_id,
            arn=session.arn,
            base_arn=session.base_arn,
            user_id=session.user_id,
            token_hash=token_hash,
            issued_at=session.issued_at,
            expires_at=session.expires_at,
            source_identity=session.source_identity,
            parent_id=session.parent_id,
            attributes=session.attributes(),
        )
    )


def write_key(conn: Connection, key: StoredKey) -> None:
    """Store a new access key."""
    conn.execute(
        t.access_keys.insert().values(
            access_key_id=key.access_key_id,
            secret=key.secret,
            owner_arn=key.owner_arn,
            session_id=key.session_id,
            status=key.status,
            created_at=key.created_at,
        )
    )
