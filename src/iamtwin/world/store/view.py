"""The stored world seen through `WorldView`, with what was read kept until the world changes."""

from __future__ import annotations

from sqlalchemy import Engine, and_, select

from ..model import ManagedPolicy, Organization, Resource, Role, User
from . import schema as t
from .load import StoreReader

_MISSING = object()


class StoredView:
    """Answers an assembly's lookups from the store; `clear()` forgets everything read."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.clear()

    def clear(self) -> None:
        """Forget what was read (called whenever the world changes)."""
        self._accounts: dict[str, bool] = {}
        self._users: dict[tuple[str, str], User | None] = {}
        self._roles: dict[tuple[str, str], Role | None] = {}
        self._resources: dict[str, Resource | None] = {}
        self._entities: dict[str, tuple[str, User | Role | ManagedPolicy] | None] = {}
        self._organization: object = _MISSING

    def has_account(self, account_id: str) -> bool:
        """Whether the world holds this account."""
        found = self._accounts.get(account_id)
        if found is None:
            with self.engine.connect() as conn:
                found = conn.execute(select(t.accounts.c.id).where(t.accounts.c.id == account_id)).first() is not None
            self._accounts[account_id] = found
        return found

    def user(self, account_id: str, name: str) -> User | None:
        """The user of that name in the account (names compare without case, as in IAM)."""
        key = (account_id, name.lower())
        if key not in self._users:
            with self.engine.connect() as conn:
                found = StoreReader(conn).users(
                    and_(t.users.c.account_id == account_id, t.users.c.name_lower == name.lower())
                )
            self._users[key] = next(iter(found.values()), None)
        return self._users[key]

    def role(self, account_id: str, name: str) -> Role | None:
        """The role of that name in the account."""
        key = (account_id, name.lower())
        if key not in self._roles:
            with self.engine.connect() as conn:
                found = StoreReader(conn).roles(
                    and_(t.roles.c.account_id == account_id, t.roles.c.name_lower == name.lower())
                )
            self._roles[key] = next(iter(found.values()), None)
        return self._roles[key]

    def resource(self, arn: str) -> Resource | None:
        """The resource stored under exactly this ARN."""
        if arn not in self._resources:
            with self.engine.connect() as conn:
                found = StoreReader(conn).resources(t.resources.c.arn == arn)
                if not found and ":instance-profile/" in arn:
                    # An instance profile is a resource of IAM actions; its tags are its aws:ResourceTag/*.
                    found = [
                        Resource(p.arn, arn.split(":", 5)[4], p.tags, None)
                        for p in StoreReader(conn).instance_profiles(t.instance_profiles.c.arn == arn).values()
                    ]
            if len(self._resources) > 100_000:
                self._resources.clear()
            self._resources[arn] = found[0] if found else None
        return self._resources[arn]

    def iam_entity(self, arn: str) -> tuple[str, User | Role | ManagedPolicy] | None:
        """A user, role or customer-managed policy by ARN, with its account."""
        if arn not in self._entities:
            self._entities[arn] = self._read_entity(arn)
        return self._entities[arn]

    def _read_entity(self, arn: str) -> tuple[str, User | Role | ManagedPolicy] | None:
        if not arn.startswith("arn:aws:iam::"):
            return None
        with self.engine.connect() as conn:
            reader = StoreReader(conn)
            for entities in (
                reader.roles(t.roles.c.arn == arn),
                reader.users(t.users.c.arn == arn),
                reader.managed([arn]) if not arn.startswith("arn:aws:iam::aws:") else {},
            ):
                entity = entities.get(arn)
                if entity is not None:
                    return arn.split(":", 5)[4], entity
        return None

    def organization(self) -> Organization | None:
        """The organization, read once per change of the world."""
        if self._organization is _MISSING:
            with self.engine.connect() as conn:
                self._organization = StoreReader(conn).organization()
        org = self._organization
        assert org is None or isinstance(org, Organization)
        return org
