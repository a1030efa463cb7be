"""The simulation input (issue 2 point 9) of one request, built from an in-memory world file."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .assemble import Assembler, ContextInput, SessionFacts
from .model import ManagedPolicy, Organization, Resource, Role, User, World


class MemoryView:
    """A world file's world, indexed for the lookups of an assembly."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.resources: dict[str, Resource] = {}
        self.entities: dict[str, tuple[str, User | Role | ManagedPolicy]] = {}
        for account in world.accounts.values():
            for resource in account.resources:
                self.resources[resource.arn] = resource
            entities: list[User | Role | ManagedPolicy] = [
                *account.users.values(),
                *account.roles.values(),
                *account.policies.values(),
            ]
            for entity in entities:
                self.entities[entity.arn] = (account.id, entity)

    def has_account(self, account_id: str) -> bool:
        """Whether the world holds this account."""
        return account_id in self.world.accounts

    def user(self, account_id: str, name: str) -> User | None:
        """The user of that name in the account."""
        return self.world.accounts[account_id].users.get(name)

    def role(self, account_id: str, name: str) -> Role | None:
        """The role of that name in the account."""
        return self.world.accounts[account_id].roles.get(name)

    def resource(self, arn: str) -> Resource | None:
        """The resource listed under exactly this ARN."""
        return self.resources.get(arn)

    def iam_entity(self, arn: str) -> tuple[str, User | Role | ManagedPolicy] | None:
        """A user, role or managed policy by ARN, with its account."""
        return self.entities.get(arn)

    def organization(self) -> Organization | None:
        """The organization, if the file has one."""
        return self.world.organization


class InputBuilder:
    """Answers `simulation_input` for one world file."""

    def __init__(self, world: World) -> None:
        self.assembler = Assembler(MemoryView(world))

    def build(
        self,
        principal: str,
        action: str,
        resource: str | None,
        context: ContextInput,
        session_tags: Mapping[str, str] | None,
    ) -> dict[str, Any]:
        """The simulation input of one request."""
        session = SessionFacts(tags=session_tags) if session_tags else None
        return self.assembler.assemble(principal, action, resource, context, session).to_input()
