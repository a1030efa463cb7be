"""The orchestrator's rows: settings, the ledger of grants, and the resource policy text it changes.

A resource policy is read and written as its exact stored text (documents are kept as compact JSON
keyed by the SHA-256 of the text), so putting back a previous policy stores the very bytes that
were there. Only the resource's `policy_hash` changes: its tags and position stay.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Row, select, update

from ..world.store import schema as t
from ..world.store.codec import document_hash, insert_ignoring_existing
from .errors import GrantError, GrantErrorCode
from .model import Grant, GrantRequest, GrantState
from .settings import GrantSettings, read_settings

SETTINGS_NAME = "current"


def _aware(value: datetime | None) -> datetime | None:
    # SQLite hands back naive datetimes; every instant iamtwin stores is UTC.
    if value is None:
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def save_settings(conn: Connection, text: str, now: datetime) -> GrantSettings:
    """Check and store the settings text (replacing any); the settings."""
    settings = read_settings(text)
    conn.execute(t.grant_settings.delete().where(t.grant_settings.c.name == SETTINGS_NAME))
    conn.execute(t.grant_settings.insert().values(name=SETTINGS_NAME, document=text, loaded_at=now))
    return settings


def load_settings(conn: Connection) -> GrantSettings:
    """The stored settings, or GRANT_NOT_CONFIGURED."""
    text = conn.execute(
        select(t.grant_settings.c.document).where(t.grant_settings.c.name == SETTINGS_NAME)
    ).scalar_one_or_none()
    if text is None:
        raise GrantError(
            GrantErrorCode.NOT_CONFIGURED, "the permission orchestrator has no settings (`iamtwin grants configure`)"
        )
    return read_settings(text)


def resource_policy_text(conn: Connection, arn: str, *, for_update: bool = False) -> str | None:
    """The stored text of a resource's policy (None when it has none), or GRANT_UNKNOWN_RESOURCE."""
    query = select(t.resources.c.policy_hash).where(t.resources.c.arn == arn)
    row = conn.execute(query.with_for_update() if for_update else query).first()
    if row is None:
        raise GrantError(GrantErrorCode.UNKNOWN_RESOURCE, f"`{arn}` is not a resource of this world")
    if row.policy_hash is None:
        return None
    text = conn.execute(select(t.documents.c.text).where(t.documents.c.hash == row.policy_hash)).scalar_one()
    return str(text)


def write_resource_policy(conn: Connection, arn: str, text: str | None) -> None:
    """Set a resource's policy to exactly this stored text (None removes it)."""
    digest = None
    if text is not None:
        digest = document_hash(text)
        insert_ignoring_existing(conn, t.documents, [{"hash": digest, "text": text}])
    conn.execute(update(t.resources).where(t.resources.c.arn == arn).values(policy_hash=digest))


def insert_grant(conn: Connection, grant: Grant) -> None:
    """Add a grant to the ledger."""
    conn.execute(
        t.grants.insert().values(
            id=grant.id,
            sid=grant.sid,
            resource_arn=grant.request.resource,
            requester=grant.requester,
            requester_account=grant.requester_account,
            session_arn=grant.session_arn,
            request=json.dumps(grant.request.to_json(), separators=(",", ":")),
            statement=json.dumps(grant.statement, separators=(",", ":")),
            previous_policy=grant.previous_policy,
            applied_policy=grant.applied_policy,
            state=grant.state.value,
            created_at=grant.created_at,
        )
    )


def mark_revoked(conn: Connection, grant_id: str, at: datetime, by: str) -> None:
    """Record that a grant was revoked, when and by whom."""
    conn.execute(
        update(t.grants)
        .where(t.grants.c.id == grant_id)
        .values(state=GrantState.REVOKED.value, revoked_at=at, revoked_by=by)
    )


def _grant(row: Row[Any]) -> Grant:
    created = _aware(row.created_at)
    assert created is not None
    return Grant(
        row.id,
        row.sid,
        GrantRequest.from_json(json.loads(row.request)),
        row.requester,
        row.requester_account,
        row.session_arn,
        json.loads(row.statement),
        row.previous_policy,
        row.applied_policy,
        GrantState(row.state),
        created,
        _aware(row.revoked_at),
        row.revoked_by,
    )


def find_grant(conn: Connection, grant_id: str, *, for_update: bool = False) -> Grant | None:
    """The grant with this id, if any."""
    query = select(t.grants).where(t.grants.c.id == grant_id)
    row = conn.execute(query.with_for_update() if for_update else query).first()
    return None if row is None else _grant(row)


def active_grant(conn: Connection, resource: str, sid: str) -> Grant | None:
    """The active grant of this statement on this resource, if any."""
    row = conn.execute(
        select(t.grants)
        .where(t.grants.c.resource_arn == resource)
        .where(t.grants.c.sid == sid)
        .where(t.grants.c.state == GrantState.ACTIVE.value)
    ).first()
    return None if row is None else _grant(row)


def grants_of(conn: Connection, requester: str, *, include_revoked: bool = False) -> list[Grant]:
    """The grants a requester (an `aws:PrincipalArn`) asked for, oldest first."""
    query = select(t.grants).where(t.grants.c.requester == requester)
    if not include_revoked:
        query = query.where(t.grants.c.state == GrantState.ACTIVE.value)
    return [_grant(row) for row in conn.execute(query.order_by(t.grants.c.created_at, t.grants.c.id))]
