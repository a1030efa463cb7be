"""What every writer of IAM changes shares: lookups, counts, tags and the refusals IAM uses.

The writers check the parameters first (names, paths, tags, documents, sizes, quotas), then the
world (the entity exists, the name is free), and only then write. The caller runs them inside
`World.transaction()`, so a refusal at any step leaves the world as it was.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Table, and_, delete, func, select

from ...errors import Location
from ..aws_managed import AWS_MANAGED_PREFIX, aws_managed_policy
from ..iam_errors import IamError, IamErrorCode
from ..ids import IdKind, new_unique_id
from ..quotas import (
    DEFAULT_QUOTAS,
    Quota,
    Quotas,
)
from ..tags import TagTarget
from . import schema as t

_KIND_TABLE = {"user": t.users, "group": t.groups, "role": t.roles}
_ATTACH_QUOTA = {
    "user": Quota.MANAGED_POLICIES_PER_USER,
    "group": Quota.MANAGED_POLICIES_PER_GROUP,
    "role": Quota.MANAGED_POLICIES_PER_ROLE,
}
_TAG_TARGET = {"user": TagTarget.USER, "role": TagTarget.ROLE, "policy": TagTarget.MANAGED_POLICY}


def _no_such(what: str, name: str, parameter: str) -> IamError:
    return IamError(
        IamErrorCode.NO_SUCH_ENTITY,
        f"The {what} with name {name} cannot be found.",
        reason="NO_SUCH_ENTITY",
        location=Location(parameter),
    )


def _exists(what: str, name: str, parameter: str) -> IamError:
    return IamError(
        IamErrorCode.ENTITY_ALREADY_EXISTS,
        f"{what} with name {name} already exists.",
        reason="DUPLICATE_NAME",
        location=Location(parameter),
    )


@dataclass(frozen=True, slots=True)
class Created:
    """What a create call made: the entity's ARN and unique id."""

    arn: str
    id: str


class WriterBase:
    """A connection inside the caller's transaction, with the quotas in force."""

    def __init__(self, conn: Connection, *, quotas: Quotas = DEFAULT_QUOTAS, now: datetime | None = None) -> None:
        self.conn = conn
        self.quotas = quotas
        self.now = now  # the creation date of what is created; None when the caller has no clock

    # -- helpers --------------------------------------------------------------------------------

    def _count(self, table: Table, *where: Any) -> int:
        return int(self.conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one())

    def _require_account(self, account_id: str) -> None:
        if self.conn.execute(select(t.accounts.c.id).where(t.accounts.c.id == account_id)).first() is None:
            raise IamError(
                IamErrorCode.NO_SUCH_ENTITY,
                f"account `{account_id}` is not in the world",
                reason="NO_SUCH_ACCOUNT",
                location=Location("AccountId"),
            )

    def _row(self, kind: str, account_id: str, name: str, parameter: str) -> Any:
        table = _KIND_TABLE.get(kind, t.managed_policies)
        row = self.conn.execute(
            select(table).where(and_(table.c.account_id == account_id, table.c.name_lower == name.lower()))
        ).first()
        if row is None:
            raise _no_such(kind, name, parameter)
        return row

    def _position(self, table: Table, *where: Any) -> int:
        return self._count(table, *where)

    def _insert_entity(
        self, table: Table, kind: IdKind, account_id: str, name: str, path: str, arn: str, **extra: Any
    ) -> Created:
        unique_id = new_unique_id(kind)
        self.conn.execute(
            table.insert().values(
                arn=arn,
                id=unique_id,
                account_id=account_id,
                name=name,
                name_lower=name.lower(),
                path=path,
                position=self._position(table, table.c.account_id == account_id),
                created_at=self.now,
                **extra,
            )
        )
        return Created(arn, unique_id)

    def _tags(self, owner_arn: str, tags: Mapping[str, str], target: TagTarget) -> None:
        # Every caller has run check_tags before touching the world; this only merges and counts.
        if not tags:
            return
        existing = {
            r.key.lower(): r.key for r in self.conn.execute(select(t.tags.c.key).where(t.tags.c.owner_arn == owner_arn))
        }
        if len(set(existing) | {k.lower() for k in tags}) > self.quotas.tags_per_entity:
            raise IamError(
                IamErrorCode.LIMIT_EXCEEDED,
                f"cannot exceed quota for TagsPerEntity: {self.quotas.tags_per_entity}",
                reason="TOO_MANY_TAGS",
                location=Location("Tags"),
            )
        position = len(existing)
        for key, value in tags.items():
            old = existing.get(key.lower())
            if old is not None:  # tag keys are case-insensitive: the new spelling replaces the old
                self.conn.execute(delete(t.tags).where(and_(t.tags.c.owner_arn == owner_arn, t.tags.c.key == old)))
            self.conn.execute(t.tags.insert().values(owner_arn=owner_arn, key=key, value=value, position=position))
            position += 1

    def _boundary(self, arn: str | None) -> str | None:
        if arn is None:
            return None
        self._managed_exists(arn, "PermissionsBoundary")
        return arn

    def _managed_exists(self, arn: str, parameter: str) -> None:
        if arn.startswith(AWS_MANAGED_PREFIX):
            if aws_managed_policy(arn) is None:
                raise IamError(
                    IamErrorCode.NO_SUCH_ENTITY,
                    f"Policy {arn} does not exist or is not attachable.",
                    reason="NO_SUCH_POLICY",
                    location=Location(parameter),
                )
            return
        if self.conn.execute(select(t.managed_policies.c.arn).where(t.managed_policies.c.arn == arn)).first() is None:
            raise IamError(
                IamErrorCode.NO_SUCH_ENTITY,
                f"Policy {arn} does not exist or is not attachable.",
                reason="NO_SUCH_POLICY",
                location=Location(parameter),
            )
