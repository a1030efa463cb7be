"""An index from actions to the principals whose identity policies could allow them, built once per world.

Only an identity-based Allow gives a principal of the world access the resource policy does not name
it for: permissions boundaries, session policies, SCPs and RCPs only take access away. So who-can
decides only the principals some Allow statement of whose identity policies covers the action, plus
those the resource policy names. Action patterns are indexed three ways: exact actions in a dict,
patterns with a wildcard in the action name under their service prefix, and patterns with a wildcard
in the service prefix (`*`, `s*:Get*`) or NotAction statements, which can cover any action.
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ..policy.patterns import compile_glob
from ..world.model import Document, Group, InlinePolicy, ManagedPolicy, Role, User
from ..world.model import World as WorldModel
from .access_model import PrincipalClass, QueryPrincipal

_WILDCARD = re.compile(r"[*?]")
_ANY = "*"  # a NotAction Allow: may cover any action


@dataclass(frozen=True, slots=True)
class IndexFigures:
    """What the index holds: principals, distinct identity policies read, patterns indexed."""

    principals: int
    policies: int
    patterns: int


class PrincipalIndex:
    """Action -> the users and roles of a world whose identity policies could allow it."""

    def __init__(
        self, principals: list[QueryPrincipal], by_pattern: Mapping[str, Iterable[int]], policies: int
    ) -> None:
        self.principals = principals
        self._by_account: dict[str, list[QueryPrincipal]] = {}
        for principal in principals:
            self._by_account.setdefault(principal.account or "", []).append(principal)
        self._exact: dict[str, frozenset[int]] = {}
        self._by_service: dict[str, list[tuple[re.Pattern[str], frozenset[int]]]] = {}
        self._anywhere: list[tuple[re.Pattern[str], frozenset[int]]] = []
        for pattern, members in by_pattern.items():
            owners = frozenset(members)
            service, _, name = pattern.partition(":")
            if pattern == _ANY or _WILDCARD.search(service):
                self._anywhere.append((compile_glob(pattern), owners))
            elif _WILDCARD.search(name):
                self._by_service.setdefault(service, []).append((compile_glob(pattern), owners))
            else:
                self._exact[pattern] = owners
        self.figures = IndexFigures(len(principals), policies, len(by_pattern))

    @classmethod
    def build(cls, world: WorldModel) -> PrincipalIndex:
        """Index every user and role of the world by the actions its identity policies allow."""
        principals: list[QueryPrincipal] = []
        by_pattern: dict[str, set[int]] = {}
        patterns_of: dict[str, tuple[str, ...]] = {}  # policy id -> allowed action patterns

        def add(number: int, policy_id: str, document: Document) -> None:
            found = patterns_of.get(policy_id)
            if found is None:
                found = patterns_of[policy_id] = allowed_action_patterns(document)
            for pattern in found:
                by_pattern.setdefault(pattern, set()).add(number)

        for account in world.accounts.values():
            for user in account.users.values():
                number = len(principals)
                principals.append(QueryPrincipal(PrincipalClass.USER, user.arn, account.id))
                for policy_id, document in _identity_documents(user):
                    add(number, policy_id, document)
            for role in account.roles.values():
                number = len(principals)
                principals.append(QueryPrincipal(PrincipalClass.ROLE, role.arn, account.id))
                for policy_id, document in _identity_documents(role):
                    add(number, policy_id, document)
        return cls(principals, by_pattern, len(patterns_of))

    def in_account(self, account: str) -> list[QueryPrincipal]:
        """The users and roles of one account."""
        return list(self._by_account.get(account, ()))

    def candidates(self, action: str) -> list[QueryPrincipal]:
        """The principals an identity-based Allow could give this action, in world order."""
        lowered = action.lower()
        service = lowered.split(":", 1)[0]
        members: set[int] = set(self._exact.get(lowered, ()))
        for rx, owners in self._by_service.get(service, ()):
            if rx.fullmatch(lowered) is not None:
                members |= owners
        for rx, owners in self._anywhere:
            if rx.fullmatch(lowered) is not None:
                members |= owners
        return [self.principals[i] for i in sorted(members)]


def _identity_documents(entity: User | Role) -> Iterable[tuple[str, Document]]:
    """The identity policies of a user (its groups' too) or role, by policy id."""
    yield from _inline(entity.arn, entity.inline_policies)
    yield from _managed(entity.managed_policies)
    if isinstance(entity, User):
        for group in entity.groups:
            yield from _group(group)


def _group(group: Group) -> Iterable[tuple[str, Document]]:
    yield from _inline(group.arn, group.inline_policies)
    yield from _managed(group.managed_policies)


def _inline(owner: str, policies: tuple[InlinePolicy, ...]) -> Iterable[tuple[str, Document]]:
    for policy in policies:
        yield f"{owner}#{policy.name}", policy.document


def _managed(policies: tuple[ManagedPolicy, ...]) -> Iterable[tuple[str, Document]]:
    for policy in policies:
        yield policy.arn, policy.document


def allowed_action_patterns(document: Document) -> tuple[str, ...]:
    """The lowercased Action patterns of a document's Allow statements (`*` for a NotAction Allow)."""
    return statement_action_patterns(document, allows_only=True)


def statement_action_patterns(document: Document, *, allows_only: bool) -> tuple[str, ...]:
    """The lowercased Action patterns of a document's statements (`*` for NotAction), or of its Allows only.

    Read from the raw document, not parsed: the index reads every policy of the world, and a stored
    world's policies are valid already. Anything unexpected counts as `*`, so nothing is missed.
    """
    try:
        data = json.loads(document) if isinstance(document, str) else document
    except ValueError:
        return (_ANY,)
    statements = data.get("Statement") if isinstance(data, Mapping) else None
    if isinstance(statements, Mapping):
        statements = [statements]
    if not isinstance(statements, list):
        return (_ANY,)
    out: dict[str, None] = {}
    for statement in statements:
        if not isinstance(statement, Mapping):
            out[_ANY] = None
            continue
        if allows_only and statement.get("Effect") != "Allow":
            continue
        actions = statement.get("Action")
        if actions is None:
            out[_ANY] = None  # NotAction
            continue
        for action in [actions] if isinstance(actions, str) else actions if isinstance(actions, list) else [_ANY]:
            out[action.lower() if isinstance(action, str) else _ANY] = None
    return tuple(out)
